"""Queries on place assignments: which member looks after which class, branch, village or contact point."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Entry, Member, PlaceAssignment, School
from storage.repository import SchoolIds, of_schools, participations


async def school_assignments(session: AsyncSession, school_id: SchoolIds,
                             member_ids: Sequence[int] | None = None) -> list[PlaceAssignment]:
    """The school's place assignments (or some members'), by member, oldest first."""
    query = select(PlaceAssignment).where(of_schools(PlaceAssignment.school_id, school_id))
    if member_ids is not None:
        query = query.where(PlaceAssignment.member_id.in_(list(member_ids)))
    return list(await session.scalars(query.order_by(PlaceAssignment.member_id, PlaceAssignment.id)))


async def bureau_members(session: AsyncSession) -> list[tuple[Member, School]]:
    """The active members of every district's bureau office, with their bureau (a few per county)."""
    rows = await session.execute(select(Member, School).join(School, School.id == Member.school_id)
                                 .where(School.is_bureau.is_(True), Member.active.is_(True))
                                 .order_by(School.id, Member.id))
    return [(member, school) for member, school in rows]


async def find_assignment(session: AsyncSession, member_id: int, kind: str, place_key: str) -> PlaceAssignment | None:
    return await session.scalar(select(PlaceAssignment).where(
        PlaceAssignment.member_id == member_id, PlaceAssignment.kind == kind, PlaceAssignment.place_key == place_key))


async def delete_assignment(session: AsyncSession, assignment: PlaceAssignment) -> None:
    """Through the session, so that its flush marks the member's standing changed."""
    await session.delete(assignment)
    await session.flush()


async def assigned_place_counts(session: AsyncSession, school_id: SchoolIds, start: dt.date, end: dt.date,
                                activities: Sequence[str],
                                member_ids: Sequence[int] | None = None) -> dict[int, dict[str, int]]:
    """Per participant, entries at each of their assigned places in the period (keyed by place key)."""
    p = participations(school_id, start, end, activities, member_ids, Entry.place_key)
    rows = await session.execute(
        select(p.c.participant, p.c.place_key, func.count())
        .join(PlaceAssignment, and_(PlaceAssignment.member_id == p.c.participant,
                                    PlaceAssignment.place_key == p.c.place_key))
        .group_by(p.c.participant, p.c.place_key))
    counts: dict[int, dict[str, int]] = {}
    for member_id, key, count in rows:
        counts.setdefault(member_id, {})[key] = count
    return counts
