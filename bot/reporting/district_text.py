"""A district's report in words, in Chinese or English: the schools ranked by share of quotas met, the five
furthest behind, the zones ranked, entries per activity, and members and who joined per school.

Group-safe by construction: it is built from school and zone names, counts and shares only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.i18n import Translator
from bot.reporting.district_reports import DistrictReport, Ranked, SchoolStanding, ZoneStanding
from bot.reporting.report_text import percent, window_dates, window_name

#: How many ranked schools a chat is shown; `teachlog report --district` shows all.
CHAT_RANKING_LIMIT = 30


def counts_text(counts: Mapping[str, int], report: DistrictReport, t: Translator) -> str:
    """"到联系点 3 · 家访 12" in the district's activity order; activities with none left out."""
    return " · ".join(f"{a.label(t.language)} {counts[a.code]}" for a in report.activities if counts.get(a.code))


def _school_line(placed: Ranked, report: DistrictReport, t: Translator) -> str:
    school = placed.item
    assert isinstance(school, SchoolStanding)
    own = t(" (own plan)") if school.own_plan else ""
    line = f"{placed.place}. {school.name}{own} — {percent(placed.share)} · " + members_text(school, t)
    counts = counts_text(school.totals, report, t)
    return line + (f" · {counts}" if counts else "")


def members_text(school: SchoolStanding, t: Translator) -> str:
    return t.n("{n} member, {joined} joined", "{n} members, {joined} joined", school.members, joined=school.joined)


def _zone_line(placed: Ranked, t: Translator) -> str:
    zone = placed.item
    assert isinstance(zone, ZoneStanding)
    return f"{placed.place}. {zone.name} — {percent(placed.share)} · " + \
        t.n("{n} school", "{n} schools", len(zone.schools)) + " · " + \
        t.n("{n} member", "{n} members", zone.members)


def _limited(lines: Sequence[str], limit: int | None, t: Translator) -> list[str]:
    if limit is None or len(lines) <= limit:
        return list(lines)
    return [*lines[:limit], t("…and {n} more: /export lists every school.", n=len(lines) - limit)]


def district_text(report: DistrictReport, t: Translator, *, limit: int | None = None) -> str:
    """The whole report; `limit` caps the ranking of schools (a chat's)."""
    title = f"🏛 {report.name}" + (f" · {report.zone}" if report.zone else "")
    lines = [f"{title} · {window_name(report.window, report.policy, t)}", window_dates(report.window, t)]
    lines.append(t("Totals: {counts}", counts=counts_text(report.totals, report, t) or t("nothing yet")))
    lines.append(t.n("{n} school", "{n} schools", len(report.schools)) + " · " +
                 t.n("{n} member, {joined} joined", "{n} members, {joined} joined", report.members,
                     joined=report.joined))
    if report.average_share is not None:
        lines.append(t("Quotas met on average: {share}", share=percent(report.average_share)))
    if report.bureau is not None:
        bureau = report.bureau
        share = f" · {percent(bureau.average_share)}" if bureau.average_share is not None else ""
        counts = counts_text(bureau.totals, report, t)
        lines.append(t("Bureau office: {members}", members=members_text(bureau, t)) + share +
                     (f" · {counts}" if counts else ""))
    lines.append("")
    if not report.ranking:
        lines.append(t("No quota applies to any school in this period."))
    else:
        lines.append(t("Schools ranked by share of quotas met:"))
        lines += _limited([_school_line(placed, report, t) for placed in report.ranking], limit, t)
    if report.unranked:
        lines.append(t("Not ranked (no quota in this period): {schools}",
                       schools=t.listing(school.name for school in report.unranked)))
    if report.furthest_behind:
        lines += ["", t("Furthest behind:")]
        lines += [f"{placed.item.name} — {percent(placed.share)}" for placed in report.furthest_behind]
    if report.zone_ranking and report.zone is None:
        lines += ["", t("Zones ranked by share of quotas met:")]
        lines += [_zone_line(placed, t) for placed in report.zone_ranking]
    return "\n".join(lines)
