"""The reminder a member behind pace gets: what is behind, by how much, and buttons to act on it.

Pure: plain progress in, the core's :class:`~bot.chat.replies.Reply` out. Each quota gets
its name and one sentence — what is done, what pace asks by now, the working
days left — worded like /mine (:mod:`bot.quotas.progress_text`).
"""

from __future__ import annotations

from collections.abc import Sequence

from babel.lists import format_list

from bot.chat.actions import LogNow, Snooze
from bot.chat.replies import Choice, Reply
from bot.i18n import Translator
from bot.quotas.policy import Policy
from bot.quotas.progress import RuleProgress
from bot.quotas.progress_text import bar, done_of_target

MAX_LOG_BUTTONS = 3


def needs_reminder(progress: RuleProgress) -> bool:
    """Behind pace on a quota that asks for something (a per-student rule without students asks nothing)."""
    return progress.target > 0 and not progress.on_pace


def pace_sentence(progress: RuleProgress, policy: Policy, t: Translator) -> str:
    """'▓░░ 1 of 4 done; pace asks for 2 by now, 12 working days left.'"""
    done = done_of_target(progress, policy, t)
    return t.n("{bar} {progress} done; pace asks for {expected} by now, {n} working day left.",
               "{bar} {progress} done; pace asks for {expected} by now, {n} working days left.",
               progress.days_left, bar=bar(progress.done, progress.target), progress=done,
               expected=progress.expected_by_now)


def reminder_reply(behind: Sequence[RuleProgress], policy: Policy, t: Translator, *, sample: bool = False) -> Reply:
    """The reminder for the quotas in `behind` (at least one); a `sample` says so on its first line."""
    lines = [t("🧪 Sample reminder: this is what a member behind pace gets.")] if sample else []
    lines.append(t.n("⏰ You are behind pace on {n} quota:", "⏰ You are behind pace on {n} quotas:", len(behind)))
    for progress in behind:
        rule = policy.rule(progress.rule_id)
        doing = " / ".join(policy.activity(code).label(t.language) for code in rule.activities) or \
            (policy.record_kind(rule.record).label(t.language) + " (/record)" if rule.record else "")
        lines += ["", f"{doing} · {rule.label(t.language)}", pace_sentence(progress, policy, t)]
        if progress.students_missing:
            lines.append(t("Still waiting: {students}",
                           students=format_list(list(progress.students_missing), locale=t.language)))
    codes = list(dict.fromkeys(policy.rule(p.rule_id).activities[0] for p in behind
                               if policy.rule(p.rule_id).activities))[:MAX_LOG_BUTTONS]
    log_buttons: tuple[tuple[Choice, ...], ...]
    if not codes:  # only written records are behind: they are sent with /record, not logged
        log_buttons = ()
    elif len(codes) == 1:
        log_buttons = ((Choice("📝 " + t("Log now"), LogNow(codes[0])),),)
    else:
        log_buttons = tuple((Choice(f"📝 {policy.activity(code).label(t.language)}", LogNow(code)),)
                            for code in codes)
    snooze = (Choice("⏰ " + t("Remind me tomorrow"), Snooze()),)
    return Reply("\n".join(lines), choices=log_buttons + (snooze,))
