"""Helpers for tests that need a member's platform account: give one, and find the member behind one."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.platform_names import TELEGRAM
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


async def member_with_account(db: Database, school_id: int, display_name: str, platform: str, external_id: str,
                              now: dt.datetime, *, role: str = "teacher", language: str | None = None) -> Member:
    """A member of the school made directly in storage (not by joining), joined today in the school's zone, with
    an account on the platform used now."""
    async with db.transaction() as session:
        school = await repo.require_school(session, school_id)
        today = now.astimezone(zoneinfo.ZoneInfo(school.timezone)).date()
        member = await repo.add(session, Member(school_id=school.id, role=role, display_name=display_name,
                                                language=language, joined_on=today))
        await repo.add_account(session, member, platform, external_id, now)
        return member
