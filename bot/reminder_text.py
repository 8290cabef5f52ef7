"""The reminder a member behind pace gets: what is behind, by how much, and buttons to act on it.

Pure: plain progress in, a :class:`~bot.messenger.Notice` out. The progress lines
are :mod:`bot.progress_text`'s, so a reminder reads like /mine.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.actions import LogNow, Snooze, encode
from bot.i18n import Translator
from bot.messenger import Notice
from bot.policy import Policy
from bot.progress import RuleProgress
from bot.progress_text import rule_lines

MAX_LOG_BUTTONS = 3


def needs_reminder(progress: RuleProgress) -> bool:
    """Behind pace on a quota that asks for something (a per-student rule without students asks nothing)."""
    return progress.target > 0 and not progress.on_pace


def reminder_notice(behind: Sequence[RuleProgress], policy: Policy, t: Translator) -> Notice:
    """The reminder for the quotas in `behind` (at least one)."""
    lines = [t.n("⏰ You are behind pace on {n} quota:", "⏰ You are behind pace on {n} quotas:", len(behind))]
    for progress in behind:
        rule = policy.rule(progress.rule_id)
        activities = " / ".join(policy.activity(code).label(t.language) for code in rule.activities) or \
            (policy.record_kind(rule.record).label(t.language) + " (/record)" if rule.record else "")
        block = rule_lines(progress, policy, t)
        block[0] = f"{activities} · {block[0]}"  # the quota's name, after what to do for it
        lines += ["", *block]
        lines.append(t("Pace asks for {expected} by now.", expected=progress.expected_by_now))
    codes = list(dict.fromkeys(policy.rule(p.rule_id).activities[0] for p in behind
                               if policy.rule(p.rule_id).activities))[:MAX_LOG_BUTTONS]
    log_buttons: tuple[tuple[tuple[str, str], ...], ...]
    if not codes:  # only written records are behind: they are sent with /record, not logged
        log_buttons = ()
    elif len(codes) == 1:
        log_buttons = ((("📝 " + t("Log now"), encode(LogNow(codes[0]))),),)
    else:
        log_buttons = tuple(((f"📝 {policy.activity(code).label(t.language)}", encode(LogNow(code))),)
                            for code in codes)
    snooze = (("⏰ " + t("Remind me tomorrow"), encode(Snooze())),)
    return Notice("\n".join(lines), buttons=log_buttons + (snooze,))
