"""The pictures that come with a report: who met how much of their quotas, and the weekly trend.

Like the texts, the charts carry member names, rule names and counts only —
never a student's name or a note.
"""

from __future__ import annotations

from bot.i18n import Translator
from bot.quotas.policy import Policy
from bot.reporting import charts
from bot.reporting.report_text import percent, window_name
from bot.reporting.reports import PersonalReport, SchoolReport, WeeklyTrend

#: A quota's name is a sentence of the plan: three lines keep it whole.
QUOTA_LABEL_LINES, QUOTA_LABEL_COLUMNS = 3, 24


def trend(weekly: WeeklyTrend, policy: Policy, t: Translator) -> bytes:
    """The weekly trend chart, one line per activity, labelled in the reader's language."""
    series = {policy.activity(code).label(t.language): values for code, values in weekly.counts.items()}
    title = t.n("Entries per week, last {n} week", "Entries per week, last {n} weeks", len(weekly.weeks))
    return charts.trend_chart(title, weekly.weeks, series, other=t("other activities"))


def school_charts(report: SchoolReport, t: Translator, *, activity: str | None = None, limit: int,
                  totals_only: bool = False) -> list[bytes]:
    """The ranking as bars (unless the group sees totals only), then the school's weekly trend."""
    period = window_name(report.window, report.policy, t)
    pictures = []
    if not totals_only and activity is None:
        placed = report.ranking[:limit]
        if placed:
            bars = [charts.Bar(p.member.display_name, share, percent(share))
                    for p in placed if (share := p.member.share_met) is not None]
            pictures.append(charts.bar_chart(t("Share of quotas met · {period}", period=period), bars,
                                             maximum=1.0))
    elif not totals_only and activity is not None:
        placed = report.activity_ranking(activity)[:limit]
        if placed:
            label = report.policy.activity(activity).label(t.language)
            bars = [charts.Bar(p.member.display_name, p.member.counts[activity], str(p.member.counts[activity]))
                    for p in placed]
            pictures.append(charts.bar_chart(f"{label} · {period}", bars))
    weekly = report.trend.only(activity) if activity else report.trend
    pictures.append(trend(weekly, report.policy, t))
    return pictures


def personal_charts(report: PersonalReport, t: Translator) -> list[bytes]:
    """The member's quotas as bars (share met per rule), then their weekly trend."""
    policy, pictures = report.policy, []
    bars = [charts.Bar(policy.rule(q.rule_id).label(t.language), q.share, percent(q.share))
            for q in report.member.quotas if q.share is not None]
    if bars:
        title = f"{report.member.display_name} · {window_name(report.window, policy, t)}"
        pictures.append(charts.bar_chart(title, bars, maximum=1.0, label_lines=QUOTA_LABEL_LINES,
                                         label_columns=QUOTA_LABEL_COLUMNS))
    pictures.append(trend(report.trend, policy, t))
    return pictures
