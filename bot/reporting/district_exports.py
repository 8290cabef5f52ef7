"""A bureau leader's export: one workbook for the whole district over a range of days.

* **Schools** — one row per school (the bureau first): zone, own plan or the district's, members and how many
  joined, entries per activity in the range (from the schools' daily counts), and the share of quotas met over
  the district's running term (its year when it sets no terms), as the district report ranks them.
* **Entries** — every school's entries in the range, with a school column first, streamed school by school.
* **Contact points** — plan 003's form (附表二, 领导联系点登记表), one row per bureau leader and contact point:
  联系领导, 职务, 联系窗口单位, 负责人, 到联系点次数, 点评次数, 帮助解决问题个数. A contact point is usually a
  school of the district (:mod:`bot.people.assignments`); visits are the leader's contact-point visits there,
  comments their own visits there with notes, problems those raised on their visits there and now closed.

The files name students, so they go to the bureau's leaders by direct message only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import IO

from bot.i18n import N_, Translator, translator
from bot.people.contact_points import CONTACT_POINT_COLUMNS, CONTACT_POINT_KIND, LEADER_ROLE, visit_activities
from bot.quotas.school_facts import load_school_facts
from bot.reporting.district_reports import DistrictReport, district_report
from bot.reporting.export_files import Column, XlsxBook
from bot.reporting.exports import CONTACT_POINTS_SHEET, ENTRIES_SHEET, ENTRY_COLUMNS, entry_values
from bot.reporting.report_text import window_name
from bot.reporting.reports import NoSuchPeriod
from storage import assignments as assignment_queries
from storage import contact_points as point_queries
from storage import districts as queries
from storage import exports as export_queries
from storage import repository as repo
from storage.db import Database

SCHOOLS_SHEET = N_("Schools")
#: The columns of plan 003's 附表二, the first seven of a school's contact-point sheet.
FORM_COLUMNS: tuple[Column, ...] = CONTACT_POINT_COLUMNS[:7]


def _translated(columns: Sequence[Column], t: Translator) -> list[Column]:
    return [(t(title), width) for title, width in columns]


async def _standing(db: Database, district_id: int, as_of: dt.date) -> DistrictReport:
    """The district's running term as of the day (its year when its calendar has no terms)."""
    try:
        return await district_report(db, district_id, "term", False, as_of)
    except NoSuchPeriod:
        return await district_report(db, district_id, "year", False, as_of)


async def write_district_export(db: Database, district_id: int, start: dt.date, end: dt.date, *, language: str,
                                today: dt.date, xlsx: IO[bytes]) -> int:
    """Write the district's workbook; the number of entries in it."""
    t = translator(language)
    report = await _standing(db, district_id, min(end, today))
    units = report.every_unit
    async with db.transaction() as session:
        counts = await queries.entries_per_activity(session, [unit.school_id for unit in units], start, end)
    book = XlsxBook()
    share_title = t("Share of quotas met ({period})", period=window_name(report.window, report.policy, t))
    schools = book.sheet(t(SCHOOLS_SHEET), [
        (t("School"), 20), (t("Zone"), 12), (t("Own plan"), 8), (t("Members"), 8), (t("Joined"), 8),
        *[(activity.label(t.language), 10) for activity in report.activities], (share_title, 14)])
    for unit in units:
        per_activity = counts.get(unit.school_id, {})
        schools.append([unit.name, t("Bureau office") if unit.bureau else unit.zone,
                        t("yes") if unit.own_plan else t("no"), unit.members, unit.joined,
                        *[per_activity.get(activity.code, 0) for activity in report.activities],
                        round(unit.average_share, 4) if unit.average_share is not None else None])
    entries = book.sheet(t(ENTRIES_SHEET), [(t("School"), 20), *_translated(ENTRY_COLUMNS, t)])
    count = 0
    for unit in units:
        facts = await load_school_facts(db, unit.school_id)
        async with db.transaction() as session:
            async for row in export_queries.stream_entries(session, unit.school_id, start, end):
                entries.append([unit.name, *entry_values(row, facts, t)])
                count += 1
    form = book.sheet(t(CONTACT_POINTS_SHEET), _translated(FORM_COLUMNS, t))
    if report.bureau is not None:
        for values in await contact_point_form(db, report.bureau.school_id, start, end, t):
            form.append(values)
    book.save(xlsx)
    return count


async def contact_point_form(db: Database, bureau_id: int, start: dt.date, end: dt.date,
                             t: Translator) -> list[list]:
    """附表二: one row per bureau leader and contact point (a leader with none gets one row saying so)."""
    facts = await load_school_facts(db, bureau_id)
    async with db.transaction() as session:
        leaders = [m for m in await repo.school_members(session, bureau_id) if m.role == LEADER_ROLE]
        leader_ids = [m.id for m in leaders]
        points = [p for p in await assignment_queries.school_assignments(session, bureau_id, leader_ids)
                  if p.kind == CONTACT_POINT_KIND]
        tallies = await point_queries.contact_point_tallies(session, bureau_id, leader_ids,
                                                            visit_activities(facts.policy), start, end)
    rows = []
    for leader in leaders:
        mine = [p for p in points if p.member_id == leader.id]
        for point in mine:
            tally = tallies.get((leader.id, point.place_key), point_queries.PointTally())
            rows.append([leader.display_name, facts.role_text(leader.id, t), point.place_name, point.head_name,
                         tally.visits, tally.comments, tally.problems_solved])
        if not mine:
            rows.append([leader.display_name, facts.role_text(leader.id, t), None, None, 0, 0, 0])
    return rows
