"""Districts and the schools in them: lookups, the district's schools with their member counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import District, Entry, Member, MemberAccount, School, SchoolDailyCount


async def get_district(session: AsyncSession, district_id: int) -> District | None:
    return await session.get(District, district_id)


async def all_districts(session: AsyncSession) -> list[District]:
    return list((await session.scalars(select(District).order_by(District.id))).all())


async def district_schools(session: AsyncSession, district_id: int) -> list[School]:
    """The district's schools, its bureau first, then by id."""
    query = select(School).where(School.district_id == district_id).order_by(School.is_bureau.desc(), School.id)
    return list((await session.scalars(query)).all())


async def following_schools(session: AsyncSession, district_id: int) -> list[School]:
    """The district's schools whose policy comes from the district's (following or extending it)."""
    query = select(School).where(School.district_id == district_id, School.policy_follows.is_not(None))
    return list((await session.scalars(query.order_by(School.id))).all())


@dataclass(frozen=True)
class Headcount:
    """A school's active members, and how many of them have joined (have a chat account)."""

    members: int
    joined: int


async def headcounts(session: AsyncSession, school_ids: Sequence[int]) -> dict[int, Headcount]:
    """Active members and joined members per school, in one statement; schools with none are left out."""
    if not school_ids:
        return {}
    has_account = select(MemberAccount.member_id).where(MemberAccount.member_id == Member.id).exists()
    query = (select(Member.school_id, func.count(Member.id), func.count(Member.id).filter(has_account))
             .where(Member.school_id.in_(school_ids), Member.active.is_(True)).group_by(Member.school_id))
    return {school_id: Headcount(members, joined or 0)
            for school_id, members, joined in (await session.execute(query)).all()}


async def entries_per_activity(session: AsyncSession, school_ids: Sequence[int], start: dt.date,
                               end: dt.date) -> dict[int, dict[str, int]]:
    """school → activity → entries in the days given (a co-visit once), from the schools' daily counts."""
    if not school_ids:
        return {}
    rows = await session.execute(
        select(SchoolDailyCount.school_id, SchoolDailyCount.activity_code, func.sum(SchoolDailyCount.entries))
        .where(SchoolDailyCount.school_id.in_(school_ids), SchoolDailyCount.day.between(start, end))
        .group_by(SchoolDailyCount.school_id, SchoolDailyCount.activity_code))
    found: dict[int, dict[str, int]] = {}
    for school_id, code, count in rows:
        if count:
            found.setdefault(school_id, {})[code] = int(count)
    return found


async def idle_members(session: AsyncSession, school_ids: Sequence[int], start: dt.date,
                       end: dt.date) -> dict[int, int]:
    """school → its active members with no entry in the days given (neither their own nor as co-visitor),
    in one statement; schools with none left out. Removed entries do not count."""
    if not school_ids:
        return {}
    logged = (select(Entry.id).where(Entry.deleted_at.is_(None), Entry.occurred_on.between(start, end),
                                     or_(Entry.member_id == Member.id, Entry.covisitor_member_id == Member.id))
              .exists())
    query = (select(Member.school_id, func.count(Member.id))
             .where(Member.school_id.in_(school_ids), Member.active.is_(True), ~logged)
             .group_by(Member.school_id))
    return {school_id: count for school_id, count in (await session.execute(query)).all()}


async def active_members(session: AsyncSession, school_ids: Sequence[int]) -> dict[int, list[tuple[int, bool]]]:
    """school → its active members' (id, joined: has a chat account), by id, in one statement; every school given
    is a key. Plain rows through the connection: a county's 18,000 members, with no ORM row processing."""
    found: dict[int, list[tuple[int, bool]]] = {school_id: [] for school_id in school_ids}
    if not school_ids:
        return found
    has_account = select(MemberAccount.member_id).where(MemberAccount.member_id == Member.id).exists()
    query = (select(Member.school_id, Member.id, has_account)
             .where(Member.school_id.in_(school_ids), Member.active.is_(True)).order_by(Member.school_id, Member.id))
    connection = await session.connection()
    for school_id, member_id, joined in await connection.execute(query):
        found[school_id].append((member_id, bool(joined)))
    return found
