"""Queries behind plan 003's contact-point form across a district (附表二): per leader and contact point, the
visits they took part in, those where they wrote a comment (点评), and the problems raised on their visits
there that are closed (帮助解决问题). Removed entries never count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Entry, Problem
from storage.problems import CLOSED


@dataclass(frozen=True)
class PointTally:
    visits: int = 0
    comments: int = 0
    problems_solved: int = 0


async def contact_point_tallies(session: AsyncSession, school_id: int, member_ids: Sequence[int],
                                activities: Sequence[str], start: dt.date,
                                end: dt.date) -> dict[tuple[int, str], PointTally]:
    """(member id, place key) → the member's visits at that place in the range, their own ones with notes, and
    the problems raised on their own visits there now closed."""
    if not member_ids or not activities:
        return {}

    def branch(participant, own: int):
        return (select(participant.label("participant"), Entry.place_key, Entry.id.label("entry_id"),
                       literal(own).label("own"), Entry.notes)
                .where(Entry.school_id == school_id, Entry.deleted_at.is_(None), Entry.occurred_on.between(start, end),
                       Entry.activity_code.in_(activities), Entry.place_key.is_not(None), participant.in_(member_ids)))

    visits = branch(Entry.member_id, 1).union_all(branch(Entry.covisitor_member_id, 0)).subquery("visits")
    commented = and_(visits.c.own == 1, func.length(func.coalesce(visits.c.notes, "")) > 0)
    rows = await session.execute(
        select(visits.c.participant, visits.c.place_key, func.count(),
               func.count().filter(commented))
        .group_by(visits.c.participant, visits.c.place_key))
    found = {(member_id, key): PointTally(count, comments) for member_id, key, count, comments in rows}
    solved = await session.execute(
        select(Entry.member_id, Entry.place_key, func.count(Problem.id))
        .join(Problem, Problem.entry_id == Entry.id)
        .where(Entry.school_id == school_id, Entry.deleted_at.is_(None), Entry.occurred_on.between(start, end),
               Entry.activity_code.in_(activities), Entry.member_id.in_(member_ids), Problem.status == CLOSED)
        .group_by(Entry.member_id, Entry.place_key))
    for member_id, key, count in solved:
        tally = found.get((member_id, key), PointTally())
        found[(member_id, key)] = PointTally(tally.visits, tally.comments, count)
    return found
