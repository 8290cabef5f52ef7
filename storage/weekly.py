"""What the leaders' digest asks of storage besides counts: edits and deletions, silent members, blocked ones.

One query each, for one school or (the ``…_of_schools`` forms) for a district's schools together. (Counts per
activity come from :func:`storage.reports.tallies_by_member` and :func:`storage.reports.school_entry_sums`.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Entry, EntryAudit, Member


async def entry_changes(session: AsyncSession, school_id: int,
                        since: dt.datetime) -> list[tuple[str, str, str, dt.date]]:
    """Edits and deletions of the school's entries since an instant, oldest first:
    (name of the entry's member, action, activity code, day of the entry)."""
    rows = await session.execute(
        select(Member.display_name, EntryAudit.action, Entry.activity_code, Entry.occurred_on)
        .select_from(EntryAudit)
        .join(Entry, Entry.id == EntryAudit.entry_id)
        .join(Member, Member.id == Entry.member_id)
        .where(Entry.school_id == school_id, EntryAudit.action != "create", EntryAudit.at >= since)
        .order_by(EntryAudit.at, EntryAudit.id))
    return [row.tuple() for row in rows]


def _took_no_part() -> tuple:
    """The member has no live entry, neither logged nor co-visited: two anti-joins, each through its index (one
    `member_id = … OR covisitor_member_id = …` probe could use neither)."""
    live = Entry.deleted_at.is_(None)
    return (~exists().where(live, Entry.member_id == Member.id),
            ~exists().where(live, Entry.covisitor_member_id == Member.id))


async def members_never_logged(session: AsyncSession, school_id: int) -> list[Member]:
    """Active members with no entry at all, neither logged nor co-visited."""
    rows = await session.scalars(
        select(Member).where(Member.school_id == school_id, Member.active.is_(True), *_took_no_part())
        .order_by(Member.display_name, Member.id))
    return list(rows)


async def blocked_members(session: AsyncSession, school_id: int) -> list[Member]:
    """Members who blocked the bot (made inactive when a message to them was refused)."""
    rows = await session.scalars(
        select(Member).where(Member.school_id == school_id, Member.blocked_at.is_not(None))
        .order_by(Member.display_name, Member.id))
    return list(rows)


def _by_school(school_ids: Sequence[int]) -> dict[int, list]:
    return {school_id: [] for school_id in school_ids}


async def entry_changes_of_schools(session: AsyncSession, school_ids: Sequence[int],
                                   since: dt.datetime) -> dict[int, list[tuple[str, str, str, dt.date]]]:
    """:func:`entry_changes` of each school, in one statement."""
    found = _by_school(school_ids)
    changed = (EntryAudit.action != "create", EntryAudit.at >= since)
    rows = await session.execute(
        select(Entry.school_id, Member.display_name, EntryAudit.action, Entry.activity_code, Entry.occurred_on)
        .select_from(EntryAudit)
        .join(Entry, Entry.id == EntryAudit.entry_id)
        .join(Member, Member.id == Entry.member_id)
        # The week's changed entries looked up by id: not every entry of every school probed for its audit rows.
        .where(Entry.id.in_(select(EntryAudit.entry_id).where(*changed)), Entry.school_id.in_(list(school_ids)),
               *changed)
        .order_by(EntryAudit.at, EntryAudit.id))
    for school_id, *change in rows:
        found[school_id].append(tuple(change))
    return found


async def members_never_logged_of_schools(session: AsyncSession, school_ids: Sequence[int]) -> dict[int, list[Member]]:
    """:func:`members_never_logged` of each school, in one statement."""
    found = _by_school(school_ids)
    for member in await session.scalars(
            select(Member).where(Member.school_id.in_(list(school_ids)), Member.active.is_(True), *_took_no_part())
            .order_by(Member.display_name, Member.id)):
        found[member.school_id].append(member)
    return found


async def blocked_members_of_schools(session: AsyncSession, school_ids: Sequence[int]) -> dict[int, list[Member]]:
    """:func:`blocked_members` of each school, in one statement."""
    found = _by_school(school_ids)
    for member in await session.scalars(
            select(Member).where(Member.school_id.in_(list(school_ids)), Member.blocked_at.is_not(None))
            .order_by(Member.display_name, Member.id)):
        found[member.school_id].append(member)
    return found
