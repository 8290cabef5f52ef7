"""Queries on the problem list (plan 001's 问题清单): recording, listing, assigning, closing, counting.

A problem is *open* (nobody has it yet), *assigned* (a member is taking care of
it) or *closed* (销号办结, with its result). Assigning and closing are
conditional updates, so two leaders tapping at once cannot close a problem twice
or re-open a closed one.

Problems of an entry its author removed (/undo) no longer exist for lists and counts.

Counting works on instants (the caller turns the school's local days into UTC
bounds): a problem's *owner* is its assignee, or whoever closed it when it was
never assigned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Entry, Member, Problem
from storage.rowcount import affected_rows

OPEN, ASSIGNED, CLOSED = "open", "assigned", "closed"


@dataclass(frozen=True)
class ProblemRow:
    """A problem with the names of the people around it."""

    problem: Problem
    raised_by_name: str
    assignee_name: str | None


def _entry_kept():
    """The problem's entry has not been removed."""
    return exists().where(Entry.id == Problem.entry_id, Entry.deleted_at.is_(None))


def _of_school(school_id: int):
    return and_(Problem.school_id == school_id, _entry_kept())


async def add_problems(session: AsyncSession, problems: Iterable[Problem]) -> None:
    session.add_all(list(problems))
    await session.flush()


async def get_problem(session: AsyncSession, school_id: int, problem_id: int) -> Problem | None:
    """The school's problem with this id, unless it belongs to another school or a removed entry."""
    return await session.scalar(select(Problem).where(Problem.id == problem_id, _of_school(school_id)))


async def unclosed_problems(session: AsyncSession, school_id: int, assignee_member_id: int | None = None,
                            limit: int | None = None) -> list[ProblemRow]:
    """The school's problems not yet closed (or only those assigned to one member), oldest first."""
    raiser, assignee = aliased(Member), aliased(Member)
    query = (select(Problem, raiser.display_name, assignee.display_name)
             .join(raiser, raiser.id == Problem.raised_by_member_id)
             .outerjoin(assignee, assignee.id == Problem.assignee_member_id)
             .where(_of_school(school_id), Problem.status != CLOSED)
             .order_by(Problem.raised_at, Problem.id))
    if assignee_member_id is not None:
        query = query.where(Problem.assignee_member_id == assignee_member_id)
    if limit is not None:
        query = query.limit(limit)
    return [ProblemRow(problem, raised_by, assigned_to) for problem, raised_by, assigned_to
            in await session.execute(query)]


async def count_unclosed(session: AsyncSession, school_id: int, assignee_member_id: int | None = None) -> int:
    query = select(func.count()).select_from(Problem).where(_of_school(school_id), Problem.status != CLOSED)
    if assignee_member_id is not None:
        query = query.where(Problem.assignee_member_id == assignee_member_id)
    return await session.scalar(query) or 0


async def assign(session: AsyncSession, problem_id: int, assignee_member_id: int, now: dt.datetime) -> bool:
    """Give a problem that is not closed to a member; False when it was closed meanwhile."""
    result = await session.execute(
        update(Problem).where(Problem.id == problem_id, Problem.status != CLOSED)
        .values(status=ASSIGNED, assignee_member_id=assignee_member_id, assigned_at=now))
    return affected_rows(result) == 1


async def close(session: AsyncSession, problem_id: int, closed_by_member_id: int, result_text: str,
                now: dt.datetime) -> bool:
    """Close a problem with its result (销号办结); False when it was already closed."""
    result = await session.execute(
        update(Problem).where(Problem.id == problem_id, Problem.status != CLOSED)
        .values(status=CLOSED, result=result_text, closed_at=now, closed_by_member_id=closed_by_member_id))
    return affected_rows(result) == 1


# --- counting ---------------------------------------------------------------------------------

def _owner():
    return func.coalesce(Problem.assignee_member_id, Problem.closed_by_member_id)


def _raised_between(first_day: dt.date, last_day: dt.date):
    """Raised on a visit made on one of these days: a problem counts with its visit, not when it was typed in."""
    visit_day = select(Entry.occurred_on).where(Entry.id == Problem.entry_id).scalar_subquery()
    return visit_day.between(first_day, last_day)


def _closed_between(start: dt.datetime, end: dt.datetime):
    return and_(Problem.closed_at >= start, Problem.closed_at < end)


def _unclosed_at(end: dt.datetime):
    """Raised before `end` and not closed by then."""
    return and_(Problem.raised_at < end, or_(Problem.closed_at.is_(None), Problem.closed_at >= end))


async def counts(session: AsyncSession, school_id: int, start: dt.datetime, end: dt.datetime,
                 days: tuple[dt.date, dt.date]) -> tuple[int, int, int]:
    """(raised on visits of `days`, still unclosed at `end`, closed in [start, end)) for the school.

    `days` are the local first and last day that [start, end) spans.
    """
    def count_where(condition):
        return func.count().filter(condition)
    row = (await session.execute(
        select(count_where(_raised_between(*days)), count_where(_unclosed_at(end)),
               count_where(_closed_between(start, end)))
        .where(_of_school(school_id)))).one()
    return row[0], row[1], row[2]


async def counts_by_member(session: AsyncSession, school_id: int, start: dt.datetime, end: dt.datetime,
                           days: tuple[dt.date, dt.date]) -> dict[int, tuple[int, int, int]]:
    """Per member: (raised by them on visits of `days`, assigned to them and unclosed at `end`,
    closed in range with them as owner)."""
    found: dict[int, list[int]] = {}
    queries = (
        (0, Problem.raised_by_member_id, _raised_between(*days)),
        (1, Problem.assignee_member_id, _unclosed_at(end)),
        (2, _owner(), _closed_between(start, end)),
    )
    for position, member_column, condition in queries:
        rows = await session.execute(
            select(member_column, func.count())
            .where(_of_school(school_id), condition, member_column.is_not(None))
            .group_by(member_column))
        for member_id, count in rows:
            found.setdefault(member_id, [0, 0, 0])[position] = count
    return {member_id: (raised, unclosed, closed) for member_id, (raised, unclosed, closed) in found.items()}
