"""The Friday digest a leader gets by direct message: who is behind, the week in numbers, what needs a look.

Pure: :class:`DigestFacts` in, text out. Leaders see their own school's details,
so names of members and of students appear here (never in a group). Long lists
are cut to keep the message within one Telegram message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from babel.dates import format_date

from bot.i18n import N_, Translator
from bot.quotas.holiday_horizon import leader_note
from bot.quotas.policy import Policy
from bot.quotas.progress import RuleProgress
from bot.reporting.report_text import week_dates

MAX_LINES_PER_SECTION = 15
MAX_TEXT = 4000

CHANGE_ACTIONS = {"delete": N_("deleted"), "edit": N_("edited"), "update": N_("edited")}
#: Platforms by the name a leader knows them by.
PLATFORM_NAMES = {"dingtalk": N_("DingTalk")}


@dataclass(frozen=True)
class QuotaOutage:
    """A platform's monthly quota of calls ran out (DingTalk's free organisation): when, and the school's reminders
    that did not go out because of it."""

    platform: str
    day: dt.date
    reminders_unsent: int


@dataclass(frozen=True)
class EntryChange:
    member_name: str
    action: str
    activity_code: str
    day: dt.date


@dataclass(frozen=True)
class DigestFacts:
    """A school's week up to the digest (this week from Monday, compared with the same days last week)."""

    week_key: str
    behind: Sequence[tuple[str, Sequence[RuleProgress]]]
    totals: Mapping[str, int]
    totals_last_week: Mapping[str, int]
    changes: Sequence[EntryChange]
    never_logged: Sequence[str]
    blocked: Sequence[str]
    unreached: Sequence[tuple[str, str]]
    """(student, member) pairs: paired students nobody reached yet on a per-student quota."""
    not_joined: Sequence[str] = ()
    """Staff imported from the roster who have not opened their invite yet."""
    unknown_holiday_years: Sequence[int] = ()
    """Years of the running periods whose public holidays count as working days (see bot.quotas.holiday_horizon)."""
    quota_outages: Sequence[QuotaOutage] = ()


def _section(title: str, items: Sequence[str], t: Translator, count: int | None = None) -> list[str]:
    """The title and the first items; `count` is how many there are when `items` holds only the first ones."""
    lines = ["", title]
    lines += [f"• {item}" for item in items[:MAX_LINES_PER_SECTION]]
    count = len(items) if count is None else count
    if count > MAX_LINES_PER_SECTION:
        lines.append(t("… and {n} more", n=count - MAX_LINES_PER_SECTION))
    return lines


def _behind_items(behind: Sequence[tuple[str, Sequence[RuleProgress]]], policy: Policy,
                  t: Translator) -> list[str]:
    """'王老师: 家访 1 of 2; 听课 0 of 1' for each member behind (the messages translated once, not once a line)."""
    labels = {rule.id: rule.label(t.language) for rule in policy.rules}
    progress, item = t("{rule} {done} of {target}"), t("{member}: {items}")
    return [item.format(member=name, items="; ".join(
                progress.format(rule=labels[p.rule_id], done=p.done, target=p.target) for p in rules))
            for name, rules in behind]


def _change_item(change: EntryChange, policy: Policy, t: Translator) -> str:
    action = CHANGE_ACTIONS.get(change.action)
    activity = policy.activity(change.activity_code).label(t.language) \
        if change.activity_code in {a.code for a in policy.activities} else change.activity_code
    day = format_date(change.day, "M月d日" if t.language == "zh" else "d MMM", locale=t.language)
    return t("{member}: {items}", member=change.member_name,
             items=f"{activity} {day} — {t(action) if action else change.action}")


def outage_line(outage: QuotaOutage, t: Translator) -> str:
    """'⚠️ DingTalk's monthly API quota for your organisation ran out on 16 Nov; 12 reminders were not sent.'"""
    platform = PLATFORM_NAMES.get(outage.platform)
    day = format_date(outage.day, "M月d日" if t.language == "zh" else "d MMM", locale=t.language)
    return t.n("⚠️ {platform}'s monthly API quota for your organisation ran out on {date}; {n} reminder was not "
               "sent.", "⚠️ {platform}'s monthly API quota for your organisation ran out on {date}; {n} reminders "
               "were not sent.", outage.reminders_unsent, platform=t(platform) if platform else outage.platform.title(),
               date=day)


def digest_text(facts: DigestFacts, policy: Policy, t: Translator) -> str:
    lines = [t("📋 Weekly digest ({week})", week=week_dates(facts.week_key, t))]
    lines += [outage_line(outage, t) for outage in facts.quota_outages]
    last_week = t("last week")
    totals = " · ".join(
        f"{a.label(t.language)} {facts.totals.get(a.code, 0)} ({last_week} {facts.totals_last_week.get(a.code, 0)})"
        for a in policy.activities if facts.totals.get(a.code) or facts.totals_last_week.get(a.code))
    lines += ["", t("This week so far: {totals}", totals=totals or t("nothing yet"))]
    if facts.behind:
        lines += _section(t("Behind pace:"), _behind_items(facts.behind[:MAX_LINES_PER_SECTION], policy, t), t,
                          len(facts.behind))
    else:
        lines += ["", t("Everyone is on pace. 🎉")]
    if facts.unreached:
        lines += _section(t("Paired students nobody has reached yet:"),
                          [t("{student} (paired with {member})", student=s, member=m)
                           for s, m in facts.unreached[:MAX_LINES_PER_SECTION]], t, len(facts.unreached))
    if facts.changes:
        lines += _section(t("Entries edited or deleted this week:"),
                          [_change_item(c, policy, t) for c in facts.changes[:MAX_LINES_PER_SECTION]], t,
                          len(facts.changes))
    if facts.never_logged:
        lines += _section(t("Never logged anything:"), list(facts.never_logged), t)
    if facts.not_joined:
        lines += _section(t("Not joined yet (send them their invite):"), list(facts.not_joined), t)
    if facts.blocked:
        lines += _section(t("Blocked me, so they get no reminders:"), list(facts.blocked), t)
    if facts.unknown_holiday_years:
        lines += ["", leader_note(facts.unknown_holiday_years, t)]
    text = "\n".join(lines)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"
