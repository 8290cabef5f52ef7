"""The weekly leaderboard a linked group chat gets: ranking, counts, school totals, most improved, a chart.

Pure: :class:`WeekResults` in, text and PNG out. Groups see counts and
rankings only — the data carries member names, counts and shares, never a
student's name or a note, so nothing private can leak into a group.

* **Ranking**: by share of quotas met at the end of the week (each quota's
  done ÷ target, capped at 1, averaged — ``MemberStanding.share_met``), then
  by entries that week; equal results share a place (1, 2, 2, 4). Members no
  quota applies to are not ranked, but their entries count in the totals.
* **Most improved**: the largest rise in entries over the week before.
* **Options** of a linked group: only the top N places, or only the school
  totals (no names at all, no chart).
* **Chart**: one bar per shown place, labelled "place. name" like the text,
  with the share met written after it (`bot.reporting.charts`, in the CJK font).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.i18n import Translator
from bot.quotas.policy import Policy
from bot.reporting.charts import Bar, bar_chart
from bot.reporting.report_text import activity_counts_text, week_dates

CHART_MAX_BARS = 30
MAX_RANKED_LINES = 40
MAX_IMPROVED = 3
MAX_TEXT = 4000  # Telegram takes 4096 characters in one message


@dataclass(frozen=True)
class Contender:
    member_id: int
    name: str
    share: float | None
    counts: Mapping[str, int]
    entries_before: int = 0

    @property
    def entries(self) -> int:
        return sum(self.counts.values())

    @property
    def improvement(self) -> int:
        return self.entries - self.entries_before


@dataclass(frozen=True)
class WeekResults:
    """One school's week: the key (``2026-W46``), each member's result, and the school's totals."""

    week_key: str
    contenders: tuple[Contender, ...]
    totals: Mapping[str, int]
    totals_before: Mapping[str, int]


@dataclass(frozen=True)
class Placed:
    place: int
    contender: Contender
    share: float  # the contender's share of quotas met: only contenders with one are ranked


def ranking(results: WeekResults) -> list[Placed]:
    """Ranked members, best first; equal (share, entries) share a place."""
    ranked = sorted(((c.share, c) for c in results.contenders if c.share is not None),
                    key=lambda sc: (-sc[0], -sc[1].entries, sc[1].name, sc[1].member_id))
    placed: list[Placed] = []
    for index, (share, contender) in enumerate(ranked):
        previous = placed[-1] if placed else None
        same = previous is not None and (previous.share, previous.contender.entries) == (share, contender.entries)
        placed.append(Placed(previous.place if previous is not None and same else index + 1, contender, share))
    return placed


def most_improved(results: WeekResults) -> list[Contender]:
    """Up to three members whose entries rose most over the week before (ties: all at the top value)."""
    risers = sorted((c for c in results.contenders if c.improvement > 0),
                    key=lambda c: (-c.improvement, c.name, c.member_id))
    return [c for c in risers if c.improvement == risers[0].improvement][:MAX_IMPROVED] if risers else []


def shown_places(placed: list[Placed], top_n: int | None) -> list[Placed]:
    limit = min(top_n or MAX_RANKED_LINES, MAX_RANKED_LINES)
    return [p for p in placed if p.place <= limit]


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _change(now: int, before: int) -> str:
    delta = now - before
    return f"+{delta}" if delta > 0 else ("±0" if delta == 0 else f"−{-delta}")


def totals_line(results: WeekResults, policy: Policy, t: Translator) -> str:
    """School counts per activity with the change on the week before; zero both weeks: left out."""
    parts = [f"{a.label(t.language)} {results.totals.get(a.code, 0)} "
             f"({_change(results.totals.get(a.code, 0), results.totals_before.get(a.code, 0))})"
             for a in policy.activities if results.totals.get(a.code) or results.totals_before.get(a.code)]
    return t("School totals: {totals}", totals=" · ".join(parts) or t("nothing yet"))


def leaderboard_text(results: WeekResults, policy: Policy, t: Translator, *, top_n: int | None = None,
                     totals_only: bool = False) -> str:
    """The leaderboard message; the ranking is shortened when the whole would not fit one message."""
    placed = ranking(results)
    shown = shown_places(placed, top_n)
    while True:
        text = _leaderboard_text(results, placed, shown, policy, t, totals_only)
        if len(text) <= MAX_TEXT or not shown:
            return text
        shown = shown[:-1]


def _leaderboard_text(results: WeekResults, placed: list[Placed], shown: list[Placed], policy: Policy,
                      t: Translator, totals_only: bool) -> str:
    lines = [t("🏆 Last week's leaderboard ({week})", week=week_dates(results.week_key, t))]
    if totals_only:
        everything = sum(1 for p in placed if p.share >= 1)
        lines += ["", t.n("{met} of {n} member met every quota.", "{met} of {n} members met every quota.",
                          len(placed), met=everything)]
    elif placed:
        lines += [t("Ranked by share of quotas met."), ""]
        for p in shown:
            counts = activity_counts_text(p.contender.counts, policy, t)
            lines.append(f"{p.place}. {p.contender.name} — {_percent(p.share)}" +
                         (f" · {counts}" if counts else ""))
        if len(shown) < len(placed):
            lines.append(t("… and {n} more", n=len(placed) - len(shown)))
        improved = most_improved(results)
        if improved:
            names = t.listing(f"{c.name} ({_change(c.entries, c.entries_before)})" for c in improved)
            lines += ["", t("📈 Most improved: {names}", names=names)]
    else:
        lines += ["", t("No quotas applied to anyone last week.")]
    lines += ["", totals_line(results, policy, t)]
    return "\n".join(lines)


def leaderboard_chart(results: WeekResults, t: Translator, *, top_n: int | None = None) -> bytes | None:
    """A PNG of the shown places' share of quotas met, names on the axis; None when nobody is ranked."""
    shown = shown_places(ranking(results), top_n)[:CHART_MAX_BARS]
    if not shown:
        return None
    bars = [Bar(f"{p.place}. {p.contender.name}", p.share, f"{round(p.share * 100)}%")
            for p in shown]
    return bar_chart(t("Share of quotas met, {week}", week=week_dates(results.week_key, t)), bars, maximum=1.0)
