"""The pictures that come with a report: who met how much of their quotas, and the weekly trend.

Like the texts, the charts carry member names, rule names and counts only —
never a student's name or a note.

Drawing is most of a report's time, so each picture is kept, keyed by everything it is drawn
from: the title (school period and language), the bars (members and their shares or counts)
or the weeks and series of the trend. The key is the data itself, so a second `/report` of the
same window with no new entries is not redrawn, and anything that changes what the picture
shows (an entry, a new member, another policy) is a new key and a new drawing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from bot.i18n import Translator
from bot.quotas.policy import Policy
from bot.reporting import charts
from bot.reporting.district_reports import DistrictReport
from bot.reporting.report_text import percent, window_name
from bot.reporting.reports import PersonalReport, SchoolReport, WeeklyTrend

#: A quota's name is a sentence of the plan: three lines keep it whole.
QUOTA_LABEL_LINES, QUOTA_LABEL_COLUMNS = 3, 24
#: Pictures kept (about 50–150 kB each): a few windows and languages of a few schools.
KEPT_PICTURES = 64


@lru_cache(maxsize=KEPT_PICTURES)
def _bar_png(title: str, bars: tuple[charts.Bar, ...], maximum: float | None, label_lines: int,
             label_columns: int) -> bytes:
    return charts.bar_chart(title, bars, maximum=maximum, label_lines=label_lines, label_columns=label_columns)


@lru_cache(maxsize=KEPT_PICTURES)
def _trend_png(title: str, weeks: tuple, series: tuple[tuple[str, tuple[int, ...]], ...], other: str) -> bytes:
    return charts.trend_chart(title, weeks, dict(series), other=other)


def bar_chart(title: str, bars: Sequence[charts.Bar], *, maximum: float | None = None,
              label_lines: int = charts.LABEL_LINES, label_columns: int = charts.LABEL_COLUMNS) -> bytes:
    """:func:`bot.reporting.charts.bar_chart`, drawn once for the same title and bars."""
    return _bar_png(title, tuple(bars), maximum, label_lines, label_columns)


def trend_chart(title: str, weeks: Sequence, series: Mapping[str, Sequence[int]], *, other: str) -> bytes:
    """:func:`bot.reporting.charts.trend_chart`, drawn once for the same title, weeks and series."""
    return _trend_png(title, tuple(weeks), tuple((name, tuple(values)) for name, values in series.items()), other)


def forget() -> None:
    """Drop every kept picture (benchmarks time a first drawing with it)."""
    _bar_png.cache_clear()
    _trend_png.cache_clear()


def drawings() -> int:
    """How many pictures have been drawn (not taken from those kept) since the process started."""
    return _bar_png.cache_info().misses + _trend_png.cache_info().misses


def trend(weekly: WeeklyTrend, policy: Policy, t: Translator) -> bytes:
    """The weekly trend chart, one line per activity, labelled in the reader's language."""
    series = {policy.activity(code).label(t.language): values for code, values in weekly.counts.items()}
    title = t.n("Entries per week, last {n} week", "Entries per week, last {n} weeks", len(weekly.weeks))
    return trend_chart(title, weekly.weeks, series, other=t("other activities"))


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
            pictures.append(bar_chart(t("Share of quotas met · {period}", period=period), bars,
                                             maximum=1.0))
    elif not totals_only and activity is not None:
        placed = report.activity_ranking(activity)[:limit]
        if placed:
            label = report.policy.activity(activity).label(t.language)
            bars = [charts.Bar(p.member.display_name, p.member.counts[activity], str(p.member.counts[activity]))
                    for p in placed]
            pictures.append(bar_chart(f"{label} · {period}", bars))
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
        pictures.append(bar_chart(title, bars, maximum=1.0, label_lines=QUOTA_LABEL_LINES,
                                         label_columns=QUOTA_LABEL_COLUMNS))
    pictures.append(trend(report.trend, policy, t))
    return pictures


def district_charts(report: DistrictReport, t: Translator, *, limit: int) -> list[bytes]:
    """The district's schools by share of quotas met, best first (at most `limit` of them)."""
    bars = [charts.Bar(placed.item.name, placed.share, percent(placed.share)) for placed in report.ranking[:limit]]
    if not bars:
        return []
    title = t("Schools by share of quotas met · {period}", period=window_name(report.window, report.policy, t))
    return [bar_chart(title, bars, maximum=1.0)]
