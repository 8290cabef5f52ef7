"""Queries behind the leaders' exports: the school's entries streamed in order, and per-student and
per-member aggregates. Removed entries never count.

A member *took part* in an entry they logged or went along to as the co-visitor,
as :func:`storage.repository.participations` has it for progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence

from sqlalchemy import Row, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Entry, Pairing

STREAM_BATCH = 500


async def stream_entries(session: AsyncSession, school_id: int, start: dt.date, end: dt.date) -> AsyncIterator[Row]:
    """The school's kept entries between two days (inclusive), oldest first, fetched in batches."""
    query = (select(Entry.occurred_on, Entry.occurred_time, Entry.member_id, Entry.activity_code,
                    Entry.student_name, Entry.duration_minutes, Entry.notes, Entry.covisitor_member_id,
                    Entry.logged_at, Entry.source)
             .where(Entry.school_id == school_id, Entry.deleted_at.is_(None), Entry.occurred_on.between(start, end))
             .order_by(Entry.occurred_on, Entry.occurred_time.asc().nulls_first(), Entry.id)
             .execution_options(yield_per=STREAM_BATCH))
    result = await session.stream(query)
    async for row in result:
        yield row


def _participations(school_id: int, start: dt.date | None, end: dt.date):
    def branch(participant_column):
        query = (select(participant_column.label("participant"), Entry.student_key, Entry.activity_code,
                        Entry.occurred_on)
                 .where(Entry.school_id == school_id, Entry.deleted_at.is_(None), Entry.occurred_on <= end,
                        participant_column.is_not(None)))
        return query if start is None else query.where(Entry.occurred_on >= start)
    return branch(Entry.member_id).union_all(branch(Entry.covisitor_member_id)).subquery("participations")


async def paired_student_activity_counts(session: AsyncSession, school_id: int, start: dt.date,
                                         end: dt.date) -> dict[tuple[int, str], dict[str, int]]:
    """(member id, student key) of each pairing → entries per activity the member took part in, in the range."""
    p = _participations(school_id, start, end)
    rows = await session.execute(
        select(Pairing.member_id, Pairing.student_key, p.c.activity_code, func.count())
        .join(p, and_(p.c.participant == Pairing.member_id, p.c.student_key == Pairing.student_key))
        .where(Pairing.school_id == school_id)
        .group_by(Pairing.member_id, Pairing.student_key, p.c.activity_code))
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for member_id, key, activity, count in rows:
        counts.setdefault((member_id, key), {})[activity] = count
    return counts


async def paired_student_last_contacts(session: AsyncSession, school_id: int,
                                       end: dt.date) -> dict[tuple[int, str], dt.date]:
    """(member id, student key) of each pairing → the last day on or before `end` the member had an entry for them."""
    p = _participations(school_id, None, end)
    rows = await session.execute(
        select(Pairing.member_id, Pairing.student_key, func.max(p.c.occurred_on))
        .join(p, and_(p.c.participant == Pairing.member_id, p.c.student_key == Pairing.student_key))
        .where(Pairing.school_id == school_id)
        .group_by(Pairing.member_id, Pairing.student_key))
    return {(member_id, key): last for member_id, key, last in rows}


async def entry_counts_by_member(session: AsyncSession, school_id: int, start: dt.date, end: dt.date,
                                 activities: Sequence[str], member_ids: Sequence[int]) -> dict[int, int]:
    """Entries of the given activities each member took part in, in the range."""
    if not activities or not member_ids:
        return {}
    p = _participations(school_id, start, end)
    rows = await session.execute(
        select(p.c.participant, func.count())
        .where(p.c.activity_code.in_(list(activities)), p.c.participant.in_(list(member_ids)))
        .group_by(p.c.participant))
    return {member_id: count for member_id, count in rows}


async def notes_by_member(session: AsyncSession, school_id: int, start: dt.date, end: dt.date,
                          member_ids: Sequence[int]) -> dict[int, list[tuple[dt.date, str]]]:
    """The notes each member wrote on their own entries in the range, oldest first."""
    if not member_ids:
        return {}
    rows = await session.execute(
        select(Entry.member_id, Entry.occurred_on, Entry.notes)
        .where(Entry.school_id == school_id, Entry.deleted_at.is_(None), Entry.occurred_on.between(start, end),
               Entry.member_id.in_(list(member_ids)), Entry.notes.is_not(None), Entry.notes != "")
        .order_by(Entry.member_id, Entry.occurred_on, Entry.id))
    found: dict[int, list[tuple[dt.date, str]]] = {}
    for member_id, day, notes in rows:
        assert notes is not None  # the query selects entries with notes only
        found.setdefault(member_id, []).append((day, notes))
    return found
