"""`teachlog report --school N [PERIOD…] [--json]`: the report a linked group gets, from the shell
(`--district N`: a district's report, see :mod:`bot.cli.district_report`).

The words are those of `/report` in a group (``term``, ``last week``, 本月, ``2025``,
an activity …) and the numbers come from the same code: :func:`bot.reporting.reports.school_report`
read, :func:`bot.reporting.report_text.school_text` written. Like a group, the output has counts and
rankings only, never a student's name; a member's report stays in the chat, for the
people allowed to see it. ``--json`` gives the same report for scripts.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import typer

from bot.cli.common import CliError, app, fail, with_database
from bot.cli.progress import parse_day
from bot.clock import Clock, SystemClock

if TYPE_CHECKING:
    from bot.reporting.reports import SchoolReport
    from storage.db import Database

#: Where "today" comes from when --date is not given; tests replace it.
CLOCK: Clock = SystemClock()


@app.command()
def report(
    period: list[str] = typer.Argument(None, metavar="[PERIOD…]",
                                       help="As after /report in a group: term, last week, 本月, 2025, an activity "
                                            "… (default: this week)."),
    school: int = typer.Option(None, help="The school id."),
    district: int = typer.Option(None, help="The district id: its schools ranked (a zone's, when a zone is named "
                                            "among the words)."),
    lang: str = typer.Option(None, "--lang", metavar="zh|en", help="Default: the school's language."),
    date: str = typer.Option(None, "--date", metavar="YYYY-MM-DD",
                             help="The day to report on; default: today in the school's time zone."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object: window, totals, quotas and ranking."),
) -> None:
    """The school's report as its linked group gets it: totals, quotas met, problems and the ranking; or a
    district's: its schools ranked, the furthest behind, its zones, entries and members per school."""
    if (school is None) == (district is None):
        fail("give one of --school N or --district N")
    day = parse_day(date) if date is not None else None
    words = " ".join(period or [])
    if district is not None:
        from bot.cli.district_report import district_record, district_report_text
        found_district, text = with_database(
            lambda db: district_report_text(db, district, words, day, CLOCK.now(), lang))
        record = district_record(found_district) if as_json else None
    else:
        found, text = with_database(lambda db: group_report(db, school, words, day, CLOCK.now(), lang))
        record = report_record(found) if as_json else None
    if record is not None:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"))
    else:
        typer.echo(text.encode("utf-8"))  # bytes: UTF-8 whatever the terminal's locale


async def group_report(db: Database, school_id: int, words: str, day: dt.date | None, now: dt.datetime,
                       language: str | None) -> tuple[SchoolReport, str]:
    """The report and its text, as `/report WORDS` in a group linked to the school answers."""
    from bot.i18n import normalize_language, translator
    from bot.people.schools import policy_of
    from bot.reporting.report_request import ReportRequestError, parse_report_request
    from bot.reporting.report_text import RANKING_LIMIT, school_text
    from bot.reporting.reports import NoSuchPeriod, report_window, school_report
    from storage import repository as repo
    async with db.transaction() as session:
        school = await repo.get_school(session, school_id)
        if school is None:
            raise CliError(f"no school with id {school_id}")
        policy, zone_name, school_language = policy_of(school), school.timezone, school.language
    if day is None:
        import zoneinfo
        day = now.astimezone(zoneinfo.ZoneInfo(zone_name)).date()
    try:
        request = parse_report_request(words, policy)
    except ReportRequestError:
        raise CliError("ask for one member or one activity, not both") from None
    if request.member is not None:
        raise CliError(f"{request.member!r} is no period or activity: a member's report is given in chat, "
                       "to the member and to leaders")
    try:
        window = report_window(request.kind, request.previous, day, policy, year=request.year)
    except NoSuchPeriod:
        raise CliError(f"the school calendar has no {request.kind} around {day.isoformat()}") from None
    if language is not None and normalize_language(language) is None:
        raise CliError(f"--lang {language!r}: use zh or en")
    t = translator(normalize_language(language) or school_language)
    found = await school_report(db, school_id, window)
    return found, school_text(found, t, activity=request.activity, limit=RANKING_LIMIT)


def report_record(report: SchoolReport) -> dict:
    """The report as JSON-ready data: counts and shares only, as a group sees them (no student names)."""
    window = report.window
    return {
        "school_id": report.school_id,
        "school_name": report.school_name,
        "window": {"kind": window.kind, "previous": window.previous, "key": window.key,
                   "start": window.start.isoformat(), "end": window.end.isoformat(),
                   "as_of": window.as_of.isoformat()},
        "totals": {code: count for code, count in report.totals.items() if count},
        "average_share": report.average_share,
        "members_meeting_every_quota": report.all_met,
        "members_with_quotas": len(report.with_quota),
        "not_joined": report.not_joined,
        "problems": {"raised": report.problems.raised, "open": report.problems.open,
                     "closed": report.problems.closed},
        "ranking": [{"place": placed.place, "member_id": placed.member.member_id,
                     "display_name": placed.member.display_name, "role": placed.member.role,
                     "share_met": placed.member.share_met, "entries": placed.member.entries,
                     "counts": dict(placed.member.counts),
                     "quotas": [{"rule_id": q.rule_id, "done": q.done, "credited": q.credited, "target": q.target}
                                for q in placed.member.quotas]}
                    for placed in report.ranking],
        "trend": {"weeks": [week.isoformat() for week in report.trend.weeks],
                  "counts": {code: list(counts) for code, counts in report.trend.counts.items()}},
    }
