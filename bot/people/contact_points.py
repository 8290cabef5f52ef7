"""The leaders' contact-point table, laid out as plan 003's form (领导联系点登记表): one row per leader.

The form's columns and where each comes from:

==========================  ===============================================================
联系领导 (leader)             the leader's name (every active member with the role ``leader``)
职务 (position)               the leader's role as the school's policy names it
联系点 (contact point)        the leader's place assignments of kind ``contact_point``
                             (``teachlog pair add --place … --kind contact_point``); a leader
                             with none shows their paired students, else stays blank
窗口单位负责人 (its head)      the person in charge given with each contact point (``--head``)
到联系点次数 (visits)          entries of the contact-point activity (``contact_visit``, plan
                             003's 到联系点) the leader took part in; a policy without it
                             counts its visit activities (codes ending in ``_visit``)
点评次数 (comments)           the leader's own entries in the range that carry notes — the
                             comments and suggestions (意见建议) they wrote down
帮助解决问题 (problems solved)  problems closed in the range with the leader as owner (the
                             assignee, else whoever closed it), from the problem list
意见建议 (their text)          those notes, dated, one per line
==========================  ===============================================================
"""

from __future__ import annotations

import datetime as dt

from bot.i18n import N_, Translator
from bot.logbook.problems import problem_counts_by_member
from bot.quotas.policy import Policy
from bot.quotas.school_facts import SchoolFacts
from bot.reporting.export_files import EXCEL_CELL_LIMIT, Column
from storage import assignments as assignment_queries
from storage import exports as export_queries
from storage import repository as repo
from storage.db import Database
from storage.models import PlaceAssignment

LEADER_ROLE = "leader"
CONTACT_POINT_KIND = "contact_point"
CONTACT_VISIT_ACTIVITY = "contact_visit"

CONTACT_POINT_COLUMNS: tuple[Column, ...] = (
    (N_("Liaison leader"), 14), (N_("Position"), 14), (N_("Contact point (unit, office or class)"), 28),
    (N_("Person in charge there"), 16), (N_("Visits to the contact point"), 12),
    (N_("Comments and suggestions written down"), 12), (N_("Problems helped solve"), 12),
    (N_("Comments and suggestions"), 60),
)


def visit_activities(policy: Policy) -> tuple[str, ...]:
    """The activities counted as visits to a contact point (see the module docstring)."""
    codes = [a.code for a in policy.activities]
    if CONTACT_VISIT_ACTIVITY in codes:
        return (CONTACT_VISIT_ACTIVITY,)
    return tuple(code for code in codes if code.endswith("_visit"))


def notes_text(notes: list[tuple[dt.date, str]]) -> str:
    """Dated notes, one per line, cut to what one spreadsheet cell holds."""
    return "\n".join(f"{day.isoformat()} {text}" for day, text in notes)[:EXCEL_CELL_LIMIT]


async def contact_point_rows(db: Database, facts: SchoolFacts, start: dt.date, end: dt.date,
                             t: Translator) -> list[list]:
    async with db.transaction() as session:
        leaders = [m for m in await repo.school_members(session, facts.school_id) if m.role == LEADER_ROLE]
        leader_ids = [m.id for m in leaders]
        paired = await repo.pairings_by_member(session, facts.school_id, leader_ids)
        points = await assignment_queries.school_assignments(session, facts.school_id, leader_ids)
        visits = await export_queries.entry_counts_by_member(
            session, facts.school_id, start, end, visit_activities(facts.policy), leader_ids)
        notes = await export_queries.notes_by_member(session, facts.school_id, start, end, leader_ids)
    problems = await problem_counts_by_member(db, facts.school_id, start, end)
    contact_points: dict[int, list[PlaceAssignment]] = {}
    for point in points:
        if point.kind == CONTACT_POINT_KIND:
            contact_points.setdefault(point.member_id, []).append(point)
    rows = []
    for leader in leaders:
        written = notes.get(leader.id, [])
        solved = problems[leader.id].closed if leader.id in problems else 0
        mine = contact_points.get(leader.id, [])
        place = t.listing(p.place_name for p in mine) if mine else t.listing(paired.get(leader.id, []))
        heads = t.listing(p.head_name for p in mine if p.head_name) or None
        rows.append([leader.display_name, facts.role_text(leader.id, t), place,
                     heads, visits.get(leader.id, 0), len(written), solved, notes_text(written)])
    return rows
