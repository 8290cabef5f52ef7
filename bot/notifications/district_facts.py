"""Gathering what a bureau's weekly messages say about its district, from the stored district reports and storage.

* Monday's leaderboard is last week's district report (:func:`last_week_report`).
* Friday's digest (:func:`district_digest_facts`) reads the running term's report (its year when the district
  sets no terms) for the schools behind and for each school's term, this week's and last week's reports for the
  most improved, the schools' idle members over their term, and the bureau leaders' contact points against
  their visits this month (:mod:`storage.contact_points`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from bot.notifications.district_weekly import DistrictDigestFacts, IdleSchool, UnvisitedPoint, most_improved
from bot.notifications.schedule import iso_week_key
from bot.people.contact_points import CONTACT_POINT_KIND, LEADER_ROLE, visit_activities
from bot.people.schools import policy_of
from bot.people.students import student_key
from bot.reporting.district_reports import DistrictReport, SchoolStanding, district_report
from bot.reporting.reports import NoSuchPeriod
from storage import assignments as assignment_queries
from storage import contact_points as point_queries
from storage import districts as queries
from storage import repository as repo
from storage.db import Database
from storage.models import School


async def last_week_report(db: Database, district_id: int, today: dt.date) -> DistrictReport:
    """The district's schools over the week before `today`'s."""
    return await district_report(db, district_id, "week", True, today)


async def _term_report(db: Database, district_id: int, today: dt.date) -> DistrictReport:
    try:
        return await district_report(db, district_id, "term", False, today)
    except NoSuchPeriod:
        return await district_report(db, district_id, "year", False, today)


async def idle_schools(db: Database, schools: tuple[SchoolStanding, ...]) -> list[IdleSchool]:
    """Schools where more than half the active members logged nothing in the school's own window, most idle first;
    one statement per distinct window."""
    by_window: dict[tuple[dt.date, dt.date], list[SchoolStanding]] = defaultdict(list)
    for school in schools:
        if school.window is not None and school.members:
            by_window[(school.window.start, min(school.window.end, school.window.as_of))].append(school)
    idle: list[IdleSchool] = []
    async with db.transaction() as session:
        for (start, end), group in by_window.items():
            counts = await queries.idle_members(session, [school.school_id for school in group], start, end)
            idle += [IdleSchool(school.name, counts[school.school_id], school.members) for school in group
                     if counts.get(school.school_id, 0) * 2 > school.members]
    return sorted(idle, key=lambda school: (-school.idle / school.members, school.name))


async def unvisited_points(db: Database, bureau: School, schools: tuple[SchoolStanding, ...],
                           today: dt.date) -> list[UnvisitedPoint]:
    """Each bureau leader's contact points that are schools of the district with no visit of theirs this month."""
    school_names = {student_key(school.name) for school in schools}
    async with db.transaction() as session:
        leaders = {m.id: m.display_name for m in await repo.school_members(session, bureau.id)
                   if m.role == LEADER_ROLE}
        points = [p for p in await assignment_queries.school_assignments(session, bureau.id, list(leaders))
                  if p.kind == CONTACT_POINT_KIND and p.place_key in school_names]
        tallies = await point_queries.contact_point_tallies(session, bureau.id, list(leaders),
                                                            visit_activities(policy_of(bureau)),
                                                            today.replace(day=1), today)
    return [UnvisitedPoint(leaders[p.member_id], p.place_name) for p in points
            if tallies.get((p.member_id, p.place_key), point_queries.PointTally()).visits == 0]


async def district_digest_facts(db: Database, bureau: School, today: dt.date) -> DistrictDigestFacts:
    assert bureau.district_id is not None
    term = await _term_report(db, bureau.district_id, today)
    this_week = await district_report(db, bureau.district_id, "week", False, today)
    last_week = await last_week_report(db, bureau.district_id, today)
    return DistrictDigestFacts(
        term.name, iso_week_key(today),
        [(placed.item.name, placed.share) for placed in term.furthest_behind],
        await idle_schools(db, term.schools),
        most_improved(this_week.schools, last_week.schools),
        await unvisited_points(db, bureau, term.schools, today))
