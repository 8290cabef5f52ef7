"""Queries on pairings (结对帮扶): which members are paired with which students."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Pairing
from storage.report_summaries import mark_changed


async def school_pairings(session: AsyncSession, school_id: int, member_id: int | None = None) -> list[Pairing]:
    """The school's pairings (or one member's), by member, oldest first."""
    query = select(Pairing).where(Pairing.school_id == school_id)
    if member_id is not None:
        query = query.where(Pairing.member_id == member_id)
    return list(await session.scalars(query.order_by(Pairing.member_id, Pairing.id)))


async def paired_keys(session: AsyncSession, school_id: int) -> set[tuple[int, str]]:
    """Every ``(member_id, student_key)`` already paired in the school, in one query."""
    rows = await session.execute(
        select(Pairing.member_id, Pairing.student_key).where(Pairing.school_id == school_id))
    return {(member_id, key) for member_id, key in rows}


async def find_pairing(session: AsyncSession, member_id: int, student_key: str) -> Pairing | None:
    return await session.scalar(
        select(Pairing).where(Pairing.member_id == member_id, Pairing.student_key == student_key))


async def add_pairings(session: AsyncSession, pairings: Iterable[Pairing]) -> None:
    """Insert new pairings; the unique (member, student key) constraint refuses repeats."""
    session.add_all(list(pairings))
    await session.flush()


async def delete_pairing(session: AsyncSession, member_id: int, student_key: str) -> bool:
    """Remove one pairing; False when there was none."""
    schools = list(await session.scalars(
        delete(Pairing).where(Pairing.member_id == member_id, Pairing.student_key == student_key)
        .returning(Pairing.school_id)))
    await mark_changed(session, [(school_id, member_id) for school_id in schools])
    return bool(schools)
