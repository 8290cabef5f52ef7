"""Queries on written records: storing one, counting them per member, listing a school's for export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Entry, Record
from storage.repository import SchoolIds, of_schools


async def add_record(session: AsyncSession, record: Record) -> Record:
    session.add(record)
    await session.flush()
    return record


async def record_counts_by_member(session: AsyncSession, school_id: SchoolIds, start: dt.date, end: dt.date, kind: str,
                                  member_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Records of one kind written in the period (inclusive), per member, in one aggregate."""
    query = (select(Record.member_id, func.count())
             .where(of_schools(Record.school_id, school_id), Record.kind == kind,
                    Record.written_on.between(start, end)))
    if member_ids is not None:
        query = query.where(Record.member_id.in_(list(member_ids)))
    rows = await session.execute(query.group_by(Record.member_id))
    return {member_id: count for member_id, count in rows}


async def school_records(session: AsyncSession, school_id: int, start: dt.date, end: dt.date) -> list[Record]:
    """The school's records written in the range, oldest first."""
    return list(await session.scalars(
        select(Record).where(Record.school_id == school_id, Record.written_on.between(start, end))
        .order_by(Record.written_on, Record.id)))


async def entry_days(session: AsyncSession, entry_ids: Sequence[int]) -> dict[int, dt.date]:
    """The day of each entry records were stored with, in one query."""
    if not entry_ids:
        return {}
    rows = await session.execute(select(Entry.id, Entry.occurred_on).where(Entry.id.in_(list(set(entry_ids)))))
    return {entry_id: day for entry_id, day in rows}
