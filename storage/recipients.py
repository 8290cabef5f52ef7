"""The members notifications can reach, as plain rows: what planning reads of each, and the account they used last.

Planning a county's round reads every active member who has an account; building ORM objects for 18,000 members
and their accounts cost more than the statement, so these are named tuples of the columns planning needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Member, MemberAccount
from storage.repository import SCHOOLS_A_STATEMENT


class Recipient(NamedTuple):
    """An active member with an account, and the platform and chat of the account they used last."""

    id: int
    school_id: int
    display_name: str
    role: str
    language: str | None
    timezone: str | None
    reminder_frequency: str
    reminder_time: str | None
    away_until: dt.date | None
    snoozed_until: dt.date | None
    platform: str
    chat_id: str


_COLUMNS = (Member.id, Member.school_id, Member.display_name, Member.role, Member.language, Member.timezone,
            Member.reminder_frequency, Member.reminder_time, Member.away_until, Member.snoozed_until,
            MemberAccount.platform, MemberAccount.external_id)


async def recipients_of_schools(session: AsyncSession, school_ids: Sequence[int]) -> dict[int, list[Recipient]]:
    """Each school's active members who have an account (every school present, maybe empty), by id, each with the
    account they used last (the latest ``last_used_at``; on a tie the oldest account)."""
    found: dict[int, list[Recipient]] = {school_id: [] for school_id in school_ids}
    wanted = list(school_ids)
    for first in range(0, len(wanted), SCHOOLS_A_STATEMENT):
        rows = await session.execute(
            select(*_COLUMNS).join(MemberAccount, MemberAccount.member_id == Member.id)
            .where(Member.school_id.in_(wanted[first:first + SCHOOLS_A_STATEMENT]), Member.active.is_(True))
            .order_by(Member.id, MemberAccount.last_used_at.desc().nulls_last(), MemberAccount.id))
        last_id = None
        for row in rows:
            if row[0] != last_id:  # the member's first row is their account used last
                last_id = row[0]
                found[row[1]].append(Recipient._make(row))
    return found
