"""What the leaders' digest asks of storage besides counts: edits and deletions, silent members, blocked ones.

One query each, for any number of schools together (a district's). (Counts per activity come from
:func:`storage.reports.tallies_by_member` and :func:`storage.reports.school_entry_sums`.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Entry, EntryAudit, Member


def _took_no_part() -> tuple:
    """The member has no live entry, neither logged nor co-visited: two anti-joins, each through its index (one
    `member_id = … OR covisitor_member_id = …` probe could use neither)."""
    live = Entry.deleted_at.is_(None)
    return (~exists().where(live, Entry.member_id == Member.id),
            ~exists().where(live, Entry.covisitor_member_id == Member.id))


def _by_school(school_ids: Sequence[int]) -> dict[int, list]:
    return {school_id: [] for school_id in school_ids}


async def entry_changes_of_schools(session: AsyncSession, school_ids: Sequence[int],
                                   since: dt.datetime) -> dict[int, list[tuple[str, str, str, dt.date]]]:
    """Each school's edits and deletions of entries since an instant, oldest first, in one statement:
    (name of the entry's member, action, activity code, day of the entry)."""
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
    """Each school's active members with no entry at all, neither logged nor co-visited, in one statement."""
    found = _by_school(school_ids)
    for member in await session.scalars(
            select(Member).where(Member.school_id.in_(list(school_ids)), Member.active.is_(True), *_took_no_part())
            .order_by(Member.display_name, Member.id)):
        found[member.school_id].append(member)
    return found


async def blocked_members_of_schools(session: AsyncSession, school_ids: Sequence[int]) -> dict[int, list[Member]]:
    """Each school's members who blocked the bot (made inactive when a message to them was refused), in one
    statement."""
    found = _by_school(school_ids)
    for member in await session.scalars(
            select(Member).where(Member.school_id.in_(list(school_ids)), Member.blocked_at.is_not(None))
            .order_by(Member.display_name, Member.id)):
        found[member.school_id].append(member)
    return found
