"""Progress in words, for any chat platform: bars, pace and what is still waiting.

Used by /mine and by the reminders, so both say the same thing the same way.
"""

from __future__ import annotations

from babel.lists import format_list

from bot.i18n import Translator
from bot.policy import Policy
from bot.progress import RuleProgress

BAR_WIDTH = 10


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


def rule_lines(progress: RuleProgress, policy: Policy, t: Translator) -> list[str]:
    """Two lines for a quota (its name, then bar and status); one line for a rule that only counts."""
    rule = policy.rule(progress.rule_id)
    name = rule.label(t.language)
    if progress.target <= 0:
        return [t("{rule}: {n} so far", rule=name, n=progress.done)]
    lines = [name, t("{bar} {done} of {target}, {status}", bar=bar(progress.done, progress.target),
                     done=progress.done, target=progress.target, status=status_text(progress, t))]
    if progress.students_missing:
        lines.append(t("Still waiting: {students}",
                       students=format_list(list(progress.students_missing), locale=t.language)))
    return lines
