"""Progress in words, for any chat platform: bars, pace and what is still waiting.

Used by /mine and by the reminders, so both say the same thing the same way.
"""

from __future__ import annotations

from babel.lists import format_list

from bot.i18n import N_, Translator
from bot.quotas.policy import Policy
from bot.quotas.progress import RuleProgress

BAR_WIDTH = 10

#: "4 for the whole quarter": what a prorated target is a share of.
WHOLE_PERIOD = {
    "week": N_("the whole week"), "month": N_("the whole month"), "quarter": N_("the whole quarter"),
    "term": N_("the whole term"), "year": N_("the whole year"), "phase": N_("the whole phase"),
}


def bar(done: int, target: int, width: int = BAR_WIDTH) -> str:
    filled = width if target <= 0 or done >= target else round(width * done / target)
    return "▓" * filled + "░" * (width - filled)


def status_text(progress: RuleProgress, t: Translator) -> str:
    """'done', or 'on pace' / 'n behind pace' with the working days left."""
    if progress.target > 0 and progress.done >= progress.target:
        return t("done ✅")
    if progress.on_pace:
        return t.n("on pace, {n} working day left", "on pace, {n} working days left", progress.days_left)
    return t.n("{behind} behind pace, {n} working day left", "{behind} behind pace, {n} working days left",
               progress.days_left, behind=progress.behind_by)


def shown(progress: RuleProgress, policy: Policy) -> bool:
    """A per-student rule means nothing to a member with no paired students."""
    rule = policy.rule(progress.rule_id)
    return not ((rule.per_student or rule.per_place) and progress.target == 0)


def full_target(progress: RuleProgress, policy: Policy) -> int | None:
    """The rule's whole-period target when the member's own is a prorated share of it, else None."""
    rule = policy.rule(progress.rule_id)
    if rule.per_student or not 0 < progress.target < rule.minimum:
        return None
    return rule.minimum


#: Why a target is a share of the rule's minimum, by :attr:`RuleProgress.prorated_by`.
PRORATED = {
    "joined": N_("{done} of {target} (prorated from your joining date; {full} for {whole})"),
    "counts_from": N_("{done} of {target} (prorated from the day your quotas count from; {full} for {whole})"),
    "window": N_("{done} of {target} (prorated: the quota runs for part of this period; {full} for {whole})"),
}


def done_of_target(progress: RuleProgress, policy: Policy, t: Translator) -> str:
    """'2 of 2', or '2 of 2 (prorated from your joining date; 4 for the whole quarter)' with the reason."""
    full = full_target(progress, policy)
    if full is None:
        return t("{done} of {target}", done=progress.done, target=progress.target)
    whole = t(WHOLE_PERIOD[policy.rule(progress.rule_id).period_kind])
    return t(PRORATED[progress.prorated_by or "joined"], done=progress.done, target=progress.target, full=full,
             whole=whole)


def rule_lines(progress: RuleProgress, policy: Policy, t: Translator) -> list[str]:
    """Two lines for a quota (its name, then bar and status); one line for a rule that only counts."""
    rule = policy.rule(progress.rule_id)
    name = rule.label(t.language)
    if progress.target <= 0:
        return [t("{rule}: {n} so far", rule=name, n=progress.done)]
    lines = [name, t("{bar} {progress}, {status}", bar=bar(progress.done, progress.target),
                     progress=done_of_target(progress, policy, t), status=status_text(progress, t))]
    if progress.students_missing:
        lines.append(t("Still waiting: {students}",
                       students=format_list(list(progress.students_missing), locale=t.language)))
    return lines
