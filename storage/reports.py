"""Aggregate queries for reports: tallies per member, daily counts, one member's entries.

Every function is one bounded query over a date range of one school — never one
query per member. The tallies also take many schools (a district's schools on one policy and window, computed
together): member ids are unique across schools, so grouping by member still splits them.

A *participation* is an entry counted for a member: the member
who logged it, and the colleague who came along (a co-visit counts for both, as
progress does, with the same measures as :func:`storage.repository.measure_by_member`
and :func:`storage.repository.paired_student_counts`).

:func:`tallies_by_member` computes any number of :class:`Tally` columns — every
quota period of every rule, and the counts per activity — in one scan, with
conditional aggregates (``SUM(CASE …)``, ``COUNT(DISTINCT CASE …)``), so a term
report with a weekly rule costs one statement, not one per week. Tallies of entries, and the
daily counts of the trend, read the daily count table (:mod:`storage.daily_counts`); only
distinct students and days scan the entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import and_, case, distinct, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DailyCount, Entry, Pairing, SchoolDailyCount
from storage.repository import SchoolIds, of_schools


@dataclass(frozen=True)
class Tally:
    """One number per participant: entries, distinct students or distinct days of some activities in a
    date range (inclusive); `own_only` leaves out the co-visits (so a school's sum counts each entry once)."""

    activities: tuple[str, ...]
    start: dt.date
    end: dt.date
    measure: str = "entries"
    own_only: bool = False


def _participations(school_id: SchoolIds, start: dt.date, end: dt.date, activities: Sequence[str],
                    member_ids: Sequence[int] | None):
    """(participant, own, activity_code, occurred_on, student_key) of every counted entry in the range."""
    def branch(participant_column, own: int):
        query = (select(participant_column.label("participant"), literal(own).label("own"), Entry.activity_code,
                        Entry.occurred_on, Entry.student_key)
                 .where(of_schools(Entry.school_id, school_id), Entry.deleted_at.is_(None),
                        Entry.occurred_on.between(start, end), Entry.activity_code.in_(list(activities))))
        if member_ids is not None:
            query = query.where(participant_column.in_(list(member_ids)))
        return query
    own = branch(Entry.member_id, 1)
    co_visits = branch(Entry.covisitor_member_id, 0).where(Entry.covisitor_member_id.is_not(None))
    return own.union_all(co_visits).subquery("participations")


def _span(tallies: Sequence[Tally]) -> tuple[dt.date, dt.date, list[str]]:
    return (min(t.start for t in tallies), max(t.end for t in tallies),
            sorted({code for t in tallies for code in t.activities}))


def _column(p, tally: Tally):
    condition = and_(p.c.activity_code.in_(list(tally.activities)), p.c.occurred_on.between(tally.start, tally.end))
    if tally.own_only:
        condition = and_(condition, p.c.own == 1)
    if tally.measure == "entries":
        return func.sum(case((condition, 1), else_=0))
    counted = {"distinct_students": p.c.student_key, "days": p.c.occurred_on}[tally.measure]
    return func.count(distinct(case((condition, counted))))


def _by_member(rows: Iterable[Sequence[Any]]) -> dict[int, tuple[int, ...]]:
    return {member_id: tuple(int(value or 0) for value in values) for member_id, *values in rows}


def _daily_column(tally: Tally):
    condition = and_(DailyCount.activity_code.in_(list(tally.activities)),
                     DailyCount.day.between(tally.start, tally.end))
    counted = DailyCount.entries if tally.own_only else DailyCount.entries + DailyCount.covisits
    return func.sum(case((condition, counted), else_=0))


async def _daily_tallies(session: AsyncSession, school_id: SchoolIds, tallies: Sequence[Tally],
                         member_ids: Sequence[int] | None) -> dict[int, tuple[int, ...]]:
    """Entry-count tallies read from the daily count table: one scan of its rows in the span."""
    start, end, activities = _span(tallies)
    query = (select(DailyCount.member_id, *(_daily_column(t) for t in tallies))
             .where(of_schools(DailyCount.school_id, school_id), DailyCount.day.between(start, end),
                    DailyCount.activity_code.in_(activities))
             .group_by(DailyCount.member_id))
    if member_ids is not None:
        query = query.where(DailyCount.member_id.in_(list(member_ids)))
    return _by_member(await session.execute(query))


async def school_entry_sums(session: AsyncSession, school_ids: Sequence[int], codes: Sequence[str],
                            ranges: Sequence[tuple[dt.date, dt.date]]) -> dict[int, dict[str, tuple[int, ...]]]:
    """school → activity code → its entries (a co-visit once: the sum of the members' own entries) in each range,
    from the daily count table, for many schools in one statement. Schools and codes with none are left out."""
    start, end = min(r[0] for r in ranges), max(r[1] for r in ranges)
    sums = [func.sum(case((SchoolDailyCount.day.between(first, last), SchoolDailyCount.entries), else_=0))
            for first, last in ranges]
    rows = await session.execute(  # the school table: a school's days, not each member's
        select(SchoolDailyCount.school_id, SchoolDailyCount.activity_code, *sums)
        .where(SchoolDailyCount.school_id.in_(list(school_ids)), SchoolDailyCount.day.between(start, end),
               SchoolDailyCount.activity_code.in_(list(codes)))
        .group_by(SchoolDailyCount.school_id, SchoolDailyCount.activity_code))
    found: dict[int, dict[str, tuple[int, ...]]] = {}
    for school_id, code, *values in rows:
        found.setdefault(school_id, {})[code] = tuple(int(value or 0) for value in values)
    return found


async def _entry_tallies(session: AsyncSession, school_id: SchoolIds, tallies: Sequence[Tally],
                         member_ids: Sequence[int] | None) -> dict[int, tuple[int, ...]]:
    """Tallies of distinct students or days, which need the entries themselves: one scan."""
    start, end, activities = _span(tallies)
    p = _participations(school_id, start, end, activities, member_ids)
    return _by_member(await session.execute(
        select(p.c.participant, *(_column(p, t) for t in tallies)).group_by(p.c.participant)))


async def tallies_by_member(session: AsyncSession, school_id: SchoolIds, tallies: Sequence[Tally],
                            member_ids: Sequence[int] | None = None) -> dict[int, tuple[int, ...]]:
    """participant → the value of each tally, in order: entry counts from the daily count table, distinct
    counts from one scan of the entries, however many tallies."""
    counts = [n for n, tally in enumerate(tallies) if tally.measure == "entries"]
    distinct_ones = [n for n, tally in enumerate(tallies) if tally.measure != "entries"]
    found: dict[int, list[int]] = {}
    for positions, read in ((counts, _daily_tallies), (distinct_ones, _entry_tallies)):
        if not positions:
            continue
        for member_id, values in (await read(session, school_id, [tallies[n] for n in positions], member_ids)).items():
            row = found.setdefault(member_id, [0] * len(tallies))
            for n, value in zip(positions, values, strict=True):
                row[n] = value
    return {member_id: tuple(values) for member_id, values in found.items()}


async def paired_tallies(session: AsyncSession, school_id: SchoolIds, tallies: Sequence[Tally],
                         member_ids: Sequence[int] | None = None) -> dict[int, dict[str, tuple[int, ...]]]:
    """participant → paired student key → entries of each tally for that student: one scan joined with pairings."""
    if not tallies:
        return {}
    start, end, activities = _span(tallies)
    p = _participations(school_id, start, end, activities, member_ids)
    rows = await session.execute(
        select(p.c.participant, p.c.student_key, *(_column(p, replace(t, measure="entries")) for t in tallies))
        .join(Pairing, and_(Pairing.member_id == p.c.participant, Pairing.student_key == p.c.student_key))
        .group_by(p.c.participant, p.c.student_key))
    found: dict[int, dict[str, tuple[int, ...]]] = {}
    for member_id, key, *values in rows:
        found.setdefault(member_id, {})[key] = tuple(int(value or 0) for value in values)
    return found


async def daily_activity_counts(session: AsyncSession, school_id: int, start: dt.date, end: dt.date,
                                member_id: int | None = None) -> dict[tuple[dt.date, str], int]:
    """(day, activity code) → entries of the school (a co-visit once), or participations of one member, per day.

    Read from the daily count tables (:mod:`storage.daily_counts`), not from the entries.
    """
    if member_id is None:
        school_days = select(SchoolDailyCount.day, SchoolDailyCount.activity_code, SchoolDailyCount.entries).where(
            SchoolDailyCount.school_id == school_id, SchoolDailyCount.day.between(start, end))
        return {(day, code): int(count) for day, code, count in await session.execute(school_days) if count}
    counted = func.sum(DailyCount.entries + DailyCount.covisits)
    query = (select(DailyCount.day, DailyCount.activity_code, counted)
             .where(DailyCount.school_id == school_id, DailyCount.member_id == member_id,
                    DailyCount.day.between(start, end))
             .group_by(DailyCount.day, DailyCount.activity_code))
    return {(day, code): int(count) for day, code, count in await session.execute(query) if count}


async def member_entries(session: AsyncSession, school_id: int, member_id: int, start: dt.date, end: dt.date,
                         limit: int) -> tuple[list[Entry], int]:
    """The member's entries (own and co-visits) between two days, newest first, at most `limit`; and how many
    there are in all (one statement: the total is a window count over the same rows)."""
    rows = (await session.execute(
        select(Entry, func.count().over().label("total"))
        .where(Entry.school_id == school_id, Entry.deleted_at.is_(None), Entry.occurred_on.between(start, end),
               or_(Entry.member_id == member_id, Entry.covisitor_member_id == member_id))
        .order_by(Entry.occurred_on.desc(), Entry.logged_at.desc(), Entry.id.desc())
        .limit(limit))).all()
    return [entry for entry, _ in rows], (rows[0].total if rows else 0)
