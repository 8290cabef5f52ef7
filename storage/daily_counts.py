"""The daily count tables: entries per (school, participant, activity, day), and per (school, day, activity).

Every write to `entries` calls :func:`count_entries` in its own transaction (+1 when an entry is
stored, -1 when it is undone), so the tables always equal :func:`recount` and :func:`school_recount`
over the live entries. A co-visit adds one to the logger's `entries` and one to the colleague's
`covisits`, and one to the school's day. The same call marks the participants' report summaries
stale (:func:`storage.report_summaries.mark_changed`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, delete, func, insert, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DailyCount, Entry, SchoolDailyCount
from storage.outbox import _dialect_insert
from storage.report_summaries import mark_changed

#: (school_id, member_id, activity_code, day)
Key = tuple[int, int, str, dt.date]
#: (entries, covisits)
Counts = tuple[int, int]


def deltas_of(entries: Iterable[Mapping[str, Any]], sign: int = 1) -> dict[Key, Counts]:
    """The change each entry (as column → value) makes to the table, summed over the batch."""
    own: Counter[Key] = Counter()
    joined: Counter[Key] = Counter()
    for entry in entries:
        school, code, day = entry["school_id"], entry["activity_code"], entry["occurred_on"]
        own[(school, entry["member_id"], code, day)] += sign
        if entry.get("covisitor_member_id") is not None:
            joined[(school, entry["covisitor_member_id"], code, day)] += sign
    return {key: (own[key], joined[key]) for key in own.keys() | joined.keys()}


def columns_of(entry: Entry) -> dict[str, Any]:
    return {"school_id": entry.school_id, "member_id": entry.member_id, "activity_code": entry.activity_code,
            "occurred_on": entry.occurred_on, "covisitor_member_id": entry.covisitor_member_id}


async def count_entries(session: AsyncSession, entries: Iterable[Mapping[str, Any]], sign: int = 1) -> None:
    """Add (sign=1) or take away (sign=-1) these entries: one upsert per table for the whole batch."""
    deltas = deltas_of(entries, sign)
    if not deltas:
        return
    await mark_changed(session, {(school, member) for school, member, _code, _day in deltas})
    await _add_counts(session, DailyCount, ("school_id", "member_id", "activity_code", "day"), ("entries", "covisits"),
                      deltas)
    by_day: Counter[tuple[int, dt.date, str]] = Counter()
    for (school, _member, code, day), (own, _joined) in deltas.items():
        by_day[(school, day, code)] += own
    await _add_counts(session, SchoolDailyCount, ("school_id", "day", "activity_code"), ("entries",),
                      {key: (change,) for key, change in by_day.items() if change})


async def _add_counts(session: AsyncSession, model: type[DailyCount] | type[SchoolDailyCount],
                      keys: tuple[str, ...], counted: tuple[str, ...],
                      changes: Mapping[tuple[Any, ...], tuple[int, ...]]) -> None:
    """Add each change to its row (key columns → counted columns) in one upsert; a row whose counts all reach
    zero goes, so the table holds what a recount would."""
    if not changes:
        return
    table = cast(Table, model.__table__)
    upsert_into = _dialect_insert(session)(model)
    await session.execute(
        upsert_into.on_conflict_do_update(index_elements=list(keys), set_={
            name: table.c[name] + upsert_into.excluded[name] for name in counted}),
        [dict(zip(keys + counted, key + values, strict=True)) for key, values in changes.items()])
    lowered = [key for key, values in changes.items() if any(value < 0 for value in values)]
    if lowered:
        await session.execute(
            delete(table).where(*(table.c[name] == bindparam(f"k_{name}") for name in keys),
                                *(table.c[name] == 0 for name in counted)),
            [{f"k_{name}": value for name, value in zip(keys, key, strict=True)} for key in lowered])


def recount() -> Select[Any]:
    """The table computed from the live entries: (school, member, activity, day, entries, covisits)."""
    live = Entry.deleted_at.is_(None)
    own = select(Entry.school_id, Entry.member_id.label("member_id"), Entry.activity_code,
                 Entry.occurred_on.label("day"), literal(1).label("own"), literal(0).label("joined")).where(live)
    joined = (select(Entry.school_id, Entry.covisitor_member_id.label("member_id"), Entry.activity_code,
                     Entry.occurred_on.label("day"), literal(0).label("own"), literal(1).label("joined"))
              .where(live, Entry.covisitor_member_id.is_not(None)))
    p = union_all(own, joined).subquery("participations")
    return (select(p.c.school_id, p.c.member_id, p.c.activity_code, p.c.day,
                   func.sum(p.c.own).label("entries"), func.sum(p.c.joined).label("covisits"))
            .group_by(p.c.school_id, p.c.member_id, p.c.activity_code, p.c.day))


def school_recount() -> Select[Any]:
    """The school table computed from the live entries: (school, day, activity, entries)."""
    return cast(Select[Any], select(Entry.school_id, Entry.occurred_on.label("day"), Entry.activity_code,
                   func.count().label("entries"))
            .where(Entry.deleted_at.is_(None))
            .group_by(Entry.school_id, Entry.occurred_on, Entry.activity_code))


async def rebuild(session: AsyncSession) -> int:
    """Replace both tables with a recount of the entries; how many rows the per-member table holds now."""
    await session.execute(delete(DailyCount))
    await session.execute(insert(DailyCount).from_select(
        ["school_id", "member_id", "activity_code", "day", "entries", "covisits"], recount()))
    await session.execute(delete(SchoolDailyCount))
    await session.execute(insert(SchoolDailyCount).from_select(
        ["school_id", "day", "activity_code", "entries"], school_recount()))
    return int(await session.scalar(select(func.count()).select_from(DailyCount)) or 0)


async def stored(session: AsyncSession) -> dict[Key, Counts]:
    """The table as it is: key → (entries, covisits)."""
    rows = await session.execute(select(DailyCount.school_id, DailyCount.member_id, DailyCount.activity_code,
                                        DailyCount.day, DailyCount.entries, DailyCount.covisits))
    return {(school, member, code, day): (own, joined) for school, member, code, day, own, joined in rows}


async def recounted(session: AsyncSession) -> dict[Key, Counts]:
    """What the table should hold, computed from the entries."""
    return {(school, member, code, day): (int(own), int(joined))
            for school, member, code, day, own, joined in await session.execute(recount())}


async def school_stored(session: AsyncSession) -> dict[tuple[int, dt.date, str], int]:
    """The school table as it is: (school, day, activity) → entries."""
    rows = await session.execute(select(SchoolDailyCount.school_id, SchoolDailyCount.day,
                                        SchoolDailyCount.activity_code, SchoolDailyCount.entries))
    return {(school, day, code): entries for school, day, code, entries in rows}


async def school_recounted(session: AsyncSession) -> dict[tuple[int, dt.date, str], int]:
    """What the school table should hold, computed from the entries."""
    return {(school, day, code): int(entries)
            for school, day, code, entries in await session.execute(school_recount())}
