"""What the leaders' digest asks of storage besides counts: edits and deletions, silent members, blocked ones.

One query each. (Counts per activity come from :func:`storage.reports.tallies_by_member`.)"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, or_, select
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


async def members_never_logged(session: AsyncSession, school_id: int) -> list[Member]:
    """Active members with no entry at all, neither logged nor co-visited."""
    took_part = exists().where(Entry.deleted_at.is_(None),
                               or_(Entry.member_id == Member.id, Entry.covisitor_member_id == Member.id))
    rows = await session.scalars(
        select(Member).where(Member.school_id == school_id, Member.active.is_(True), ~took_part)
        .order_by(Member.display_name, Member.id))
    return list(rows)


async def blocked_members(session: AsyncSession, school_id: int) -> list[Member]:
    """Members who blocked the bot (made inactive when a message to them was refused)."""
    rows = await session.scalars(
        select(Member).where(Member.school_id == school_id, Member.blocked_at.is_not(None))
        .order_by(Member.display_name, Member.id))
    return list(rows)
