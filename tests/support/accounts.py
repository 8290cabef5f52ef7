"""Helpers for tests that need a member's platform account: give one, and find the member behind one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from bot.platforms import TELEGRAM
from storage import repository as repo
from storage.db import Database
from storage.models import Member, MemberAccount


async def give_account(session: AsyncSession, member: Member, external_id: int | str, *, platform: str = TELEGRAM,
                       used_at: dt.datetime | None = None) -> MemberAccount:
    """The member gets an account on the platform (Telegram by default), counted as used at `used_at`."""
    await session.flush()  # the member has its id
    return await repo.add_account(session, member, platform, str(external_id), used_at or member.created_at)


async def member_of_account(db: Database, external_id: int | str, platform: str = TELEGRAM) -> Member | None:
    """The member who has this account, if anyone does."""
    async with db.transaction() as session:
        return await repo.member_by_account(session, platform, str(external_id))


async def account_ids(db: Database, member_id: int, platform: str = TELEGRAM) -> list[str]:
    """The member's ids on the platform."""
    async with db.transaction() as session:
        return [a.external_id for a in await repo.accounts_of(session, member_id) if a.platform == platform]
