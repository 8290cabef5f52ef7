"""What a bureau gets each week: Monday's district leaderboard of schools (to its linked groups) and Friday's
district digest (to its leaders by direct message).

Pure: a :class:`~bot.reporting.district_reports.DistrictReport` or :class:`DistrictDigestFacts` in, text and
PNG out.

* **Leaderboard** — last week's schools ranked by share of quotas met, as the district report ranks them
  (equal shares share a place), the district's average, and a chart. It is built from school names, counts
  and shares only, so it is safe in a group: no member, student, note or problem text.
* **Digest** — the schools furthest behind over the running term; the schools where more than half the
  active members have logged nothing this term; the most improved schools (share met this week against last
  week, the top three); and the bureau leaders' contact points (schools of the district) nobody of them
  visited this month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import Translator
from bot.reporting.charts import Bar, bar_chart
from bot.reporting.district_reports import DistrictReport, SchoolStanding
from bot.reporting.district_text import CHAT_RANKING_LIMIT
from bot.reporting.report_text import percent, week_dates

CHART_MAX_BARS = 30
MAX_IMPROVED = 3
MAX_LINES_PER_SECTION = 15
MAX_TEXT = 4000  # Telegram takes 4096 characters in one message


def district_leaderboard_text(report: DistrictReport, week_key: str, t: Translator) -> str:
    """Last week's schools ranked by share of quotas met; names schools only."""
    lines = [t("🏛 {district}: last week's leaderboard of schools ({week})", district=report.name,
               week=week_dates(week_key, t))]
    if not report.ranking:
        lines += ["", t("No quota applied to any school last week.")]
        return "\n".join(lines)
    lines += [t("Ranked by share of quotas met."), ""]
    shown = report.ranking[:CHAT_RANKING_LIMIT]
    lines += [f"{placed.place}. {placed.item.name} — {percent(placed.share)}" for placed in shown]
    if len(shown) < len(report.ranking):
        lines.append(t("… and {n} more", n=len(report.ranking) - len(shown)))
    if report.average_share is not None:
        lines += ["", t("Quotas met on average: {share}", share=percent(report.average_share))]
    text = "\n".join(lines)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def district_leaderboard_chart(report: DistrictReport, week_key: str, t: Translator) -> bytes | None:
    """A PNG of the ranked schools' share met, "place. school" on the axis; None when no school is ranked."""
    shown = report.ranking[:CHART_MAX_BARS]
    if not shown:
        return None
    bars = [Bar(f"{placed.place}. {placed.item.name}", placed.share, percent(placed.share)) for placed in shown]
    return bar_chart(t("Schools by share of quotas met, {week}", week=week_dates(week_key, t)), bars, maximum=1.0)


@dataclass(frozen=True)
class SchoolChange:
    """A school's share met this week against last week."""

    name: str
    share: float
    before: float

    @property
    def rise(self) -> float:
        return self.share - self.before


def most_improved(now: Sequence[SchoolStanding], before: Sequence[SchoolStanding]) -> list[SchoolChange]:
    """Up to :data:`MAX_IMPROVED` schools whose share met rose most, the largest rise first."""
    earlier = {school.school_id: school.average_share for school in before}
    changes = [SchoolChange(school.name, share, previous) for school in now
               if (share := school.average_share) is not None
               and (previous := earlier.get(school.school_id)) is not None and share > previous]
    return sorted(changes, key=lambda change: (-change.rise, change.name))[:MAX_IMPROVED]


@dataclass(frozen=True)
class IdleSchool:
    """A school where most active members have logged nothing this term."""

    name: str
    idle: int
    members: int


@dataclass(frozen=True)
class UnvisitedPoint:
    leader: str
    school: str


@dataclass(frozen=True)
class DistrictDigestFacts:
    district: str
    week_key: str
    behind: Sequence[tuple[str, float]]
    """The schools furthest behind over the running term, with their share met, the furthest first."""
    idle: Sequence[IdleSchool]
    improved: Sequence[SchoolChange]
    unvisited: Sequence[UnvisitedPoint]
    """Bureau leaders' contact points (schools of the district) not visited this month."""


def _section(title: str, items: Sequence[str], t: Translator) -> list[str]:
    lines = ["", title, *[f"• {item}" for item in items[:MAX_LINES_PER_SECTION]]]
    if len(items) > MAX_LINES_PER_SECTION:
        lines.append(t("… and {n} more", n=len(items) - MAX_LINES_PER_SECTION))
    return lines


def district_digest_text(facts: DistrictDigestFacts, t: Translator) -> str:
    lines = [t("🏛 {district}: weekly district digest ({week})", district=facts.district,
               week=week_dates(facts.week_key, t))]
    if facts.behind:
        lines += _section(t("Schools furthest behind this term:"),
                          [f"{name} — {percent(share)}" for name, share in facts.behind], t)
    else:
        lines += ["", t("Every school is on pace this term. 🎉")]
    if facts.idle:
        lines += _section(t("Schools where most staff never logged this term:"),
                          [t("{school}: {idle} of {n} members", school=s.name, idle=s.idle, n=s.members)
                           for s in facts.idle], t)
    if facts.improved:
        lines += _section(t("Most improved this week:"),
                          [t("{school}: {before} → {share}", school=c.name, before=percent(c.before),
                             share=percent(c.share)) for c in facts.improved], t)
    if facts.unvisited:
        lines += _section(t("Contact points not visited this month:"),
                          [t("{leader}: {school}", leader=p.leader, school=p.school) for p in facts.unvisited], t)
    text = "\n".join(lines)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"
