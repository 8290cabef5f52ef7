"""Stored report summaries: per school, report window ("slot") and member, and the changes that make them stale.

Every write that can change a member's part of a report — their entries (with :mod:`storage.daily_counts`),
their pairings, their role or dates — adds a :class:`~storage.models.SummaryChange` row in its own
transaction (:func:`mark_changed`). A slot remembers the last change id it has taken in; whoever reads
it next recomputes only the members changed since (see :mod:`bot.reporting.summaries`).

The same writes, and those of a member's places and records (which count in a standing, not in a report), bump
the member's ``standing_version`` in the same transaction: a standing kept with the version it was computed at
is still right while the version is the same (:mod:`bot.quotas.kept_standings`). Unlike the change rows, which
go once every slot has taken them in, the version stays.

Ids must be taken in commit order. SQLite gives them so (one writer at a time, AUTOINCREMENT); on
PostgreSQL two transactions can commit their sequence values out of order, so writers hold a shared
advisory lock on the school until they commit and :func:`last_change` waits for them behind an
exclusive one: a change it does not see gets a larger id than the one it returns.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, Text, delete, event, func, insert, inspect, select, text, update
from sqlalchemy import cast as cast_to
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.models import Member, Pairing, PlaceAssignment, Record, ReportSlot, ReportSummary, SummaryChange

SUMMARIES = cast(Table, ReportSummary.__table__)
CHANGES = cast(Table, SummaryChange.__table__)
MEMBERS = cast(Table, Member.__table__)
#: The advisory lock class of the change ids (the second key is the school's id).
LOCK_CLASS = 7_301
#: A slot that has fallen this many changes behind is dropped rather than kept up: read again, it is rebuilt.
MOST_CHANGES_KEPT = 20_000


@dataclass(frozen=True)
class SlotState:
    fingerprint: str
    seen_change: int


@dataclass(frozen=True)
class SummaryRow:
    """counts: activity code → entries, co-visits included; own: → entries the member logged; both
    without zeros. quotas: (rule id, done, credited, target). No student's name: what the school's
    report shows a group."""

    counts: Mapping[str, int]
    own: Mapping[str, int]
    quotas: tuple[tuple[str, int, int, int], ...]


def _postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insert_changes(connection: Connection, changed: Iterable[tuple[int, int]]) -> None:
    """Log these (school id, member id) pairs, holding each school's shared lock on PostgreSQL until commit."""
    pairs = sorted(set(changed))
    if not pairs:
        return
    if connection.dialect.name == "postgresql":
        for school_id in sorted({school for school, _ in pairs}):
            connection.execute(text("SELECT pg_advisory_xact_lock_shared(:lock_class, :school)"),
                               {"lock_class": LOCK_CLASS, "school": school_id})
    connection.execute(CHANGES.insert(), [{"school_id": school, "member_id": member} for school, member in pairs])
    if _has_standing_versions(connection):
        connection.execute(update(MEMBERS).where(MEMBERS.c.id.in_(sorted({member for _, member in pairs})))
                           .values(standing_version=MEMBERS.c.standing_version + 1))


async def mark_changed(session: AsyncSession, changed: Iterable[tuple[int, int]]) -> None:
    """Record that these (school id, member id) pairs changed, in the caller's transaction."""
    pairs = list(changed)
    if pairs:
        await session.run_sync(lambda sync_session: _insert_changes(sync_session.connection(), pairs))


#: What a member's stored summary depends on besides their entries and pairings.
MEMBER_FIELDS = ("role", "joined_on", "counts_from", "school_id")


class TrackedSession(Session):
    """Sessions whose flush that adds or changes a member (their role or dates), a pairing, a place assignment
    or a record marks that member's summaries stale, whichever code path made the change. The application's
    Database uses them (:func:`bot.database.app_database` passes it as the session class)."""


#: Engines whose database has the change table (a database not yet migrated to 0012 has none to write to).
_TRACKING: weakref.WeakSet[Engine] = weakref.WeakSet()


#: Engines whose members have a standing version (migration 0017).
_VERSIONED: weakref.WeakSet[Engine] = weakref.WeakSet()


def _has_change_table(connection: Connection) -> bool:
    if connection.engine not in _TRACKING and CHANGES.name in inspect(connection).get_table_names():
        _TRACKING.add(connection.engine)
    return connection.engine in _TRACKING


def _has_standing_versions(connection: Connection) -> bool:
    if connection.engine not in _VERSIONED and "standing_version" in {
            column["name"] for column in inspect(connection).get_columns(MEMBERS.name)}:
        _VERSIONED.add(connection.engine)
    return connection.engine in _VERSIONED


@event.listens_for(TrackedSession, "after_flush")
def _mark_flushed_changes(session: Session, _context: Any) -> None:
    changed: set[tuple[int, int]] = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, Pairing | PlaceAssignment | Record):
            changed.add((instance.school_id, instance.member_id))
        elif isinstance(instance, Member) and (instance in session.new or any(
                inspect(instance).attrs[name].history.has_changes() for name in MEMBER_FIELDS)):
            changed.add((instance.school_id, instance.id))
    if changed and _has_change_table(session.connection()):
        _insert_changes(session.connection(), changed)


async def last_change(session: AsyncSession, school_id: int) -> int:
    """The id of the school's last change (0 for none); every change up to it is committed and visible."""
    query = select(func.coalesce(func.max(SummaryChange.id), 0))
    if not _postgres(session):
        return int(await session.scalar(query) or 0)
    keys = {"lock_class": LOCK_CLASS, "school": school_id}
    await session.execute(text("SELECT pg_advisory_lock(:lock_class, :school)"), keys)
    try:
        return int(await session.scalar(query) or 0)
    finally:
        await session.execute(text("SELECT pg_advisory_unlock(:lock_class, :school)"), keys)


async def last_change_of_schools(session: AsyncSession, school_ids: Sequence[int]) -> int:
    """:func:`last_change` for many schools at once: every change of each of them up to it is visible."""
    query = select(func.coalesce(func.max(SummaryChange.id), 0))
    if not _postgres(session) or not school_ids:
        return int(await session.scalar(query) or 0)
    keys = {"lock_class": LOCK_CLASS, "schools": sorted(school_ids)}
    await session.execute(text("SELECT pg_advisory_lock(:lock_class, school) FROM unnest(CAST(:schools AS int[]))"
                               " AS school"), keys)
    try:
        return int(await session.scalar(query) or 0)
    finally:
        await session.execute(text("SELECT pg_advisory_unlock(:lock_class, school)"
                                   " FROM unnest(CAST(:schools AS int[])) AS school"), keys)


async def slot_states(session: AsyncSession, school_ids: Sequence[int], slot: str) -> dict[int, SlotState]:
    """:func:`slot_state` of one slot for many schools, in one statement."""
    rows = await session.execute(select(ReportSlot.school_id, ReportSlot.fingerprint, ReportSlot.seen_change)
                                 .where(ReportSlot.school_id.in_(school_ids), ReportSlot.slot == slot))
    return {school_id: SlotState(fingerprint, seen) for school_id, fingerprint, seen in rows}


async def changes_of_schools(session: AsyncSession, school_ids: Sequence[int], after: int,
                             up_to: int) -> dict[int, list[tuple[int, int]]]:
    """school → its (change id, member id) after change `after`, up to and including `up_to`."""
    found: dict[int, list[tuple[int, int]]] = {}
    if after >= up_to or not school_ids:
        return found
    rows = await session.execute(select(SummaryChange.school_id, SummaryChange.id, SummaryChange.member_id)
                                 .where(SummaryChange.school_id.in_(school_ids), SummaryChange.id > after,
                                        SummaryChange.id <= up_to))
    for school_id, change_id, member_id in rows:
        found.setdefault(school_id, []).append((change_id, member_id))
    return found


async def advance_slots(session: AsyncSession, school_ids: Sequence[int], slot: str, seen_change: int) -> None:
    """These schools' slot has taken in every change up to `seen_change` (none of them changed it)."""
    if school_ids:
        await session.execute(update(ReportSlot).where(ReportSlot.school_id.in_(school_ids), ReportSlot.slot == slot)
                              .values(seen_change=seen_change))


async def schools_with_slots(session: AsyncSession) -> list[int]:
    """The schools with a stored report window: someone has read their reports."""
    return list(await session.scalars(select(ReportSlot.school_id).distinct().order_by(ReportSlot.school_id)))


async def slot_state(session: AsyncSession, school_id: int, slot: str) -> SlotState | None:
    found = await session.get(ReportSlot, (school_id, slot))
    return SlotState(found.fingerprint, found.seen_change) if found else None


async def changed_members(session: AsyncSession, school_id: int, after: int, up_to: int) -> set[int]:
    """The members of the school changed after change `after`, up to and including `up_to`."""
    return set(await session.scalars(
        select(SummaryChange.member_id).distinct()
        .where(SummaryChange.school_id == school_id, SummaryChange.id > after, SummaryChange.id <= up_to)))


async def save_slot(session: AsyncSession, school_id: int, slot: str, fingerprint: str, seen_change: int) -> None:
    found = await session.get(ReportSlot, (school_id, slot))
    if found is None:
        session.add(ReportSlot(school_id=school_id, slot=slot, fingerprint=fingerprint, seen_change=seen_change))
    else:
        found.fingerprint, found.seen_change = fingerprint, seen_change
    await session.flush()


async def replace_rows(session: AsyncSession, school_id: int, slot: str, rows: Mapping[int, SummaryRow],
                       *, everyone: bool = False) -> None:
    """Store these members' rows (all of the slot's rows, with `everyone`)."""
    where = [ReportSummary.school_id == school_id, ReportSummary.slot == slot]
    if not everyone:
        where.append(ReportSummary.member_id.in_(list(rows)))
    await session.execute(delete(SUMMARIES).where(*where))
    if rows:
        await session.execute(SUMMARIES.insert(), [_stored(school_id, slot, member_id, row)
                                                   for member_id, row in rows.items()])


def _stored(school_id: int, slot: str, member_id: int, row: SummaryRow) -> dict[str, Any]:
    """A row as stored (the shape :func:`stored_rows_of_schools` decodes): counts as two flat objects, quotas as one
    flat list."""
    return {"school_id": school_id, "slot": slot, "member_id": member_id,
            "counts": {"all": dict(row.counts), "own": dict(row.own)},
            "quotas": [value for quota in row.quotas for value in quota]}


async def save_slots(session: AsyncSession, slot: str, fingerprints: Mapping[int, str], seen_change: int) -> None:
    """:func:`save_slot` for many schools (school → fingerprint), in two statements."""
    if not fingerprints:
        return
    await session.execute(delete(ReportSlot).where(ReportSlot.school_id.in_(list(fingerprints)),
                                                   ReportSlot.slot == slot))
    await session.execute(insert(ReportSlot), [
        {"school_id": school_id, "slot": slot, "fingerprint": fingerprint, "seen_change": seen_change}
        for school_id, fingerprint in fingerprints.items()])


async def replace_rows_of_schools(session: AsyncSession, slot: str,
                                  rows: Mapping[int, Mapping[int, SummaryRow]]) -> None:
    """Store all of the slot's rows of each of these schools (school → member → row): one delete and one
    insert for all of them."""
    await session.execute(delete(SUMMARIES).where(ReportSummary.school_id.in_(list(rows)),
                                                  ReportSummary.slot == slot))
    values = [_stored(school_id, slot, member_id, row)
              for school_id, of_school in rows.items() for member_id, row in of_school.items()]
    if values:
        await session.execute(SUMMARIES.insert(), values)


async def stored_rows(session: AsyncSession, school_id: int, slot: str) -> dict[int, SummaryRow]:
    """The slot's rows. Read as text, so that the many members with the same counts or the same quota
    results (nothing yet, or every target met) are decoded once and share one object.

    The stored shape is chosen for a district's thousands of rows: counts as two flat objects of numbers
    and quotas as one flat list, so that decoding makes few containers (and little work for the
    garbage collector)."""
    return (await stored_rows_of_schools(session, [school_id], slot)).get(school_id, {})


async def stored_rows_of_schools(session: AsyncSession, school_ids: Sequence[int],
                                 slot: str) -> dict[int, dict[int, SummaryRow]]:
    """:func:`stored_rows` of one slot for many schools, in one statement: school → member → row."""
    rows = await session.execute(
        select(ReportSummary.school_id, ReportSummary.member_id, cast_to(ReportSummary.counts, Text),
               cast_to(ReportSummary.quotas, Text))
        .where(ReportSummary.school_id.in_(school_ids), ReportSummary.slot == slot))
    counts_seen: dict[str, tuple[Mapping[str, int], Mapping[str, int]]] = {}
    quotas_seen: dict[str, tuple[tuple[str, int, int, int], ...]] = {}
    # Parts shared across rows that differ elsewhere: one rule's result, one set of counts (often a member's
    # own counts are all their counts). A county's cold report keeps 18,000 rows.
    quota_seen: dict[tuple[str, int, int, int], tuple[str, int, int, int]] = {}
    mapping_seen: dict[tuple, Mapping[str, int]] = {}
    found: dict[int, dict[int, SummaryRow]] = {}
    for school_id, member_id, counts, quotas in rows:
        if counts not in counts_seen:
            decoded = json.loads(counts)
            counts_seen[counts] = (mapping_seen.setdefault(tuple(decoded["all"].items()), decoded["all"]),
                                   mapping_seen.setdefault(tuple(decoded["own"].items()), decoded["own"]))
        if quotas not in quotas_seen:
            flat = json.loads(quotas)
            quotas_seen[quotas] = tuple(quota_seen.setdefault(quota, quota) for quota in
                                        zip(flat[::4], flat[1::4], flat[2::4], flat[3::4], strict=True))
        every, own = counts_seen[counts]
        found.setdefault(school_id, {})[member_id] = SummaryRow(every, own, quotas_seen[quotas])
    return found


async def prune_schools(session: AsyncSession, school_ids: Sequence[int], latest: int) -> None:
    """:func:`prune` for many schools, in two statements when none has a slot far behind."""
    behind = (await session.execute(select(ReportSlot.school_id).distinct().where(
        ReportSlot.school_id.in_(list(school_ids)), ReportSlot.seen_change < latest - MOST_CHANGES_KEPT))).scalars()
    for school_id in list(behind):
        await prune(session, school_id, latest)
    oldest_seen = (select(func.min(ReportSlot.seen_change)).where(ReportSlot.school_id == CHANGES.c.school_id)
                   .scalar_subquery())
    await session.execute(delete(CHANGES).where(CHANGES.c.school_id.in_(list(school_ids)),
                                                CHANGES.c.id <= oldest_seen))


async def prune(session: AsyncSession, school_id: int, latest: int) -> None:
    """Drop slots far behind `latest`, then the changes every remaining slot has taken in."""
    behind = list(await session.scalars(select(ReportSlot.slot).where(
        ReportSlot.school_id == school_id, ReportSlot.seen_change < latest - MOST_CHANGES_KEPT)))
    if behind:
        await session.execute(delete(SUMMARIES).where(ReportSummary.school_id == school_id,
                                                      ReportSummary.slot.in_(behind)))
        await session.execute(delete(ReportSlot).where(ReportSlot.school_id == school_id,
                                                      ReportSlot.slot.in_(behind)))
    oldest_seen = await session.scalar(select(func.min(ReportSlot.seen_change))
                                       .where(ReportSlot.school_id == school_id))
    if oldest_seen is not None:
        await session.execute(delete(CHANGES).where(SummaryChange.school_id == school_id,
                                                    SummaryChange.id <= oldest_seen))


async def forget_all(session: AsyncSession) -> int:
    """Drop every stored summary (each is recomputed when next read); how many slots there were."""
    slots = int(await session.scalar(select(func.count()).select_from(ReportSlot)) or 0)
    await session.execute(delete(SUMMARIES))
    await session.execute(delete(ReportSlot))
    await session.execute(delete(CHANGES))
    return slots
