"""`teachlog report --district N [ZONE] [PERIOD…] [--json]`: a district's report from the shell, the text a
bureau leader gets in chat with no cap on the ranking, or its data as JSON. Counts and shares only."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.cli.common import CliError

if TYPE_CHECKING:
    from bot.reporting.district_reports import DistrictReport, SchoolStanding
    from storage.db import Database


async def district_report_text(db: Database, district_id: int, words: str, day: dt.date | None,
                               now: dt.datetime, language: str | None) -> tuple[DistrictReport, str]:
    """The district's report and its text; a word that is no period or activity names a zone."""
    import zoneinfo

    from bot.i18n import normalize_language, translator
    from bot.quotas.policy.sources import policy_from_text
    from bot.reporting.district_reports import NoSuchZone, district_report
    from bot.reporting.district_text import district_text
    from bot.reporting.report_request import ReportRequestError, parse_report_request
    from bot.reporting.reports import NoSuchPeriod
    from storage import districts as queries
    async with db.transaction() as session:
        district = await queries.get_district(session, district_id)
        if district is None:
            raise CliError(f"no district with id {district_id}")
        zone_name, district_language = district.timezone, district.language
    try:
        request = parse_report_request(words, policy_from_text(district.policy_text))
    except ReportRequestError:
        raise CliError("a district's report covers a period and a zone, not an activity") from None
    if request.activity is not None:
        raise CliError("a district's report covers a period and a zone, not an activity")
    if language is not None and normalize_language(language) is None:
        raise CliError(f"--lang {language!r}: use zh or en")
    day = day or now.astimezone(zoneinfo.ZoneInfo(zone_name)).date()
    try:
        found = await district_report(db, district_id, request.kind, request.previous, day, year=request.year,
                                      zone=request.member)
    except NoSuchPeriod:
        raise CliError(f"the district's calendar has no {request.kind} around {day.isoformat()}") from None
    except NoSuchZone as missing:
        zones = ", ".join(missing.zones) or "none"
        raise CliError(f"no school of district {district_id} is in zone {request.member!r} (zones: {zones})") \
            from None
    return found, district_text(found, translator(normalize_language(language) or district_language))


def _school_record(school: SchoolStanding, place: int | None) -> dict:
    return {"school_id": school.school_id, "name": school.name, "zone": school.zone, "own_plan": school.own_plan,
            "place": place, "average_share": school.average_share, "members": school.members,
            "joined": school.joined, "members_meeting_every_quota": school.all_met,
            "members_with_quotas": len(school.shares), "totals": dict(school.totals),
            "window": None if school.window is None else {"key": school.window.key,
                                                          "start": school.window.start.isoformat(),
                                                          "as_of": school.window.as_of.isoformat()}}


def district_record(report: DistrictReport) -> dict:
    """The report as JSON-ready data: schools, zones and totals, no member named."""
    from bot.reporting.district_reports import SchoolStanding, ZoneStanding
    window = report.window
    return {
        "district_id": report.district_id,
        "name": report.name,
        "zone": report.zone,
        "window": {"kind": window.kind, "previous": window.previous, "key": window.key,
                   "start": window.start.isoformat(), "end": window.end.isoformat(),
                   "as_of": window.as_of.isoformat()},
        "totals": report.totals,
        "members": report.members,
        "joined": report.joined,
        "average_share": report.average_share,
        "bureau": None if report.bureau is None else _school_record(report.bureau, None),
        "schools": [_school_record(placed.item, placed.place) for placed in report.ranking
                    if isinstance(placed.item, SchoolStanding)] + [_school_record(school, None)
                                                                   for school in report.unranked],
        "furthest_behind": [placed.item.name for placed in report.furthest_behind],
        "zones": [{"place": placed.place, "name": placed.item.name, "average_share": placed.share,
                   "schools": [school.name for school in placed.item.schools]}
                  for placed in report.zone_ranking if isinstance(placed.item, ZoneStanding)],
    }
