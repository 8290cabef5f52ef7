"""A report in words, for any chat platform, in Chinese or English.

Group-safe by construction: the school and member texts are built from counts,
shares, member names and rule names only. Student names appear in exactly one
place — the "still waiting" line of :func:`member_text` with ``private=True``,
which the chat layer uses for direct messages only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from babel.dates import format_date
from babel.lists import format_list

from bot.i18n import N_, Translator
from bot.logbook.problems import ProblemCounts
from bot.quotas.calendar import SchoolCalendar
from bot.quotas.policy import Policy
from bot.quotas.progress_text import bar
from bot.reporting.reports import PersonalReport, Placed, QuotaShare, ReportWindow, SchoolReport

#: How many places a group sees unless its link sets fewer; `/report @name` reaches everyone else.
RANKING_LIMIT = 20

PERIOD_NAMES = {
    ("week", False): N_("This week"), ("week", True): N_("Last week"),
    ("month", False): N_("This month"), ("month", True): N_("Last month"),
    ("quarter", False): N_("This quarter"), ("quarter", True): N_("Last quarter"),
    ("term", False): N_("This term"), ("term", True): N_("Last term"),
    ("year", False): N_("This year"), ("year", True): N_("Last year"),
}


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def day_text(day: dt.date, t: Translator, with_year: bool) -> str:
    if t.language == "zh":
        return format_date(day, "y年M月d日" if with_year else "M月d日", locale="zh")
    return format_date(day, "d MMM y" if with_year else "d MMM", locale="en")


def week_dates(week_key: str, t: Translator) -> str:
    """"2026-W48" → "11月23日–11月29日" / "23 Nov – 29 Nov": the Monday to Sunday of an ISO week."""
    iso_year, _, week = week_key.partition("-W")
    monday = dt.date.fromisocalendar(int(iso_year), int(week), 1)
    sunday = monday + dt.timedelta(days=6)
    with_year = monday.year != sunday.year
    separator = "–" if t.language == "zh" else " – "
    return f"{day_text(monday, t, with_year)}{separator}{day_text(sunday, t, with_year)}"


def window_name(window: ReportWindow, policy: Policy, t: Translator) -> str:
    """"This week", "Last month", or a term's own name ("2026年秋季学期")."""
    if window.year is not None:
        start, _, end = window.key.partition("-")
        return t("School year {years}", years=f"{start}–{end}") if end else t("Year {year}", year=start)
    if window.kind == "term":
        term = SchoolCalendar.of(policy).term_for(window.start)
        if term is not None:
            return term.label(t.language)
    return t(PERIOD_NAMES[(window.kind, window.previous)])


def window_dates(window: ReportWindow, t: Translator) -> str:
    """"16 Nov – 22 Nov, counted to 18 Nov" for a running period; the plain range for a past one."""
    with_year = window.start.year != window.end.year
    dates = f"{day_text(window.start, t, with_year)} – {day_text(window.end, t, with_year)}"
    return t("{dates}, counted to {day}", dates=dates, day=day_text(window.as_of, t, with_year)) \
        if window.running else dates


def activity_counts_text(counts: Mapping[str, int], policy: Policy, t: Translator) -> str:
    """"Home visit 2 · Tutoring 4" in policy order; activities with none are left out."""
    return " · ".join(f"{a.label(t.language)} {counts[a.code]}" for a in policy.activities if counts.get(a.code))


def problems_line(problems: ProblemCounts, t: Translator) -> str:
    return t("Problems: {raised} raised · {open} open · {closed} closed",
             raised=problems.raised, open=problems.open, closed=problems.closed)


def quota_line(quota: QuotaShare, policy: Policy, t: Translator) -> str | None:
    """"At least 1 home visit a month: 1 of 2 ▓▓▓▓▓░░░░░"; None for a per-student rule with no students."""
    rule = policy.rule(quota.rule_id)
    name = rule.label(t.language)
    if quota.target <= 0:
        return None if rule.per_student else t("{rule}: {n} so far", rule=name, n=quota.done)
    mark = " ✅" if quota.credited >= quota.target else ""
    return t("{rule}: {done} of {target}", rule=name, done=quota.done, target=quota.target) + \
        f" {bar(quota.credited, quota.target)}{mark}"


def _place_line(placed: Placed, value: str, counts: str) -> str:
    return f"{placed.place}. {placed.member.display_name} — {value}" + (f" · {counts}" if counts else "")


def _ranking_lines(placed: list[Placed], limit: int, t: Translator, line) -> list[str]:
    shown = placed[:limit]
    lines = [line(p) for p in shown]
    if len(shown) < len(placed):
        lines.append(t("…and {n} more: /report @name shows anyone.", n=len(placed) - len(shown)))
    return lines


def school_text(report: SchoolReport, t: Translator, *, activity: str | None = None,
                limit: int = RANKING_LIMIT, totals_only: bool = False) -> str:
    """What a linked group sees: totals, quota summary, problems and a ranking capped at `limit` places."""
    policy = report.policy
    title = f"📊 {report.school_name} · {window_name(report.window, policy, t)}"
    if activity is not None:
        title += f" · {policy.activity(activity).label(t.language)}"
    lines = [title, window_dates(report.window, t)]
    if activity is None:
        totals = activity_counts_text(report.totals, policy, t) or t("nothing yet")
    else:
        totals = f"{policy.activity(activity).label(t.language)} {report.totals.get(activity, 0)}"
    lines.append(t("Totals: {counts}", counts=totals))
    if activity is None:
        lines += _quota_summary(report, t)
        if report.not_joined:
            lines.append(t.n("{n} member on the roster has not joined yet (counted with nothing logged).",
                             "{n} members on the roster have not joined yet (counted with nothing logged).",
                             report.not_joined))
        lines.append(problems_line(report.problems, t))
    else:
        lines += _activity_quota_lines(report, activity, t)
    if totals_only:
        return "\n".join(lines)
    lines.append("")
    if activity is None:
        placed = report.ranking
        if not placed:
            lines.append(t("No quota applies to anyone in this period."))
            return "\n".join(lines)
        lines.append(t("Ranked by share of quotas met:"))
        lines += _ranking_lines(placed, limit, t, lambda p: _place_line(
            p, percent(p.member.share_met), activity_counts_text(p.member.counts, policy, t)))
    else:
        placed = report.activity_ranking(activity)
        if not placed:
            lines.append(t("Nobody has logged this yet in this period."))
            return "\n".join(lines)
        lines.append(t("Ranked by entries:"))
        lines += _ranking_lines(placed, limit, t, lambda p: _place_line(p, str(p.member.counts[activity]), ""))
        idle = len(report.members) - len(placed)
        if idle:
            lines.append(t.n("{n} member has none yet.", "{n} members have none yet.", idle))
    return "\n".join(lines)


def _quota_summary(report: SchoolReport, t: Translator) -> list[str]:
    average = report.average_share
    if average is None:
        return []
    return [t.n("Quotas: {average} met on average; {met} of {n} member met every quota.",
                "Quotas: {average} met on average; {met} of {n} members met every quota.",
                len(report.with_quota), average=percent(average), met=report.all_met)]


def _activity_quota_lines(report: SchoolReport, activity: str, t: Translator) -> list[str]:
    """For each rule counting the activity: how many of the members it asks something of met it."""
    lines = []
    for rule in report.policy.rules:
        if activity not in rule.activities:
            continue
        quotas = [q for m in report.members for q in m.quotas if q.rule_id == rule.id and q.target > 0]
        if quotas:
            met = sum(1 for q in quotas if q.credited >= q.target)
            lines.append(t("{rule}: met by {met} of {n}", rule=rule.label(t.language), met=met, n=len(quotas)))
    return lines


def member_text(report: PersonalReport, t: Translator, *, private: bool) -> str:
    """One member's counts and quotas; `private` (a direct message) adds the paired students still waiting."""
    member, policy = report.member, report.policy
    lines = [f"📊 {member.display_name} · {window_name(report.window, policy, t)}", window_dates(report.window, t)]
    if member.share_met is not None:
        lines.append(t("Share of quotas met: {share}", share=percent(member.share_met)))
    for quota in member.quotas:
        line = quota_line(quota, policy, t)
        if line is not None:
            lines.append(line)
        if private and quota.students_missing:
            lines.append("    " + t("Still waiting: {students}",
                                    students=format_list(list(quota.students_missing), locale=t.language)))
    counts = activity_counts_text(member.counts, policy, t)
    lines.append(t("Entries: {counts}", counts=counts) if counts else t("No entries in this period."))
    if member.problems is not None and any((member.problems.raised, member.problems.open, member.problems.closed)):
        lines.append(problems_line(member.problems, t))
    return "\n".join(lines)


def headline(text: str) -> str:
    """The first two lines of a report (title and dates), e.g. for a photo caption."""
    return "\n".join(text.splitlines()[:2])
