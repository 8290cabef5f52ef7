"""Report summaries kept fresh: each member's part of a report window, stored, and recomputed only where it changed.

A school report reads one stored row per member (:mod:`storage.report_summaries`) instead of scanning
the window's entries. Before reading, :func:`fresh_rows` brings the slot up to date:

* **Nothing stored yet, or stored for something else** — another policy, the school's `counts_from`,
  or another window or as-of day (the running term counted to yesterday): every member is computed
  again, in batches of :data:`BATCH` members so that a district's school never holds all its
  entries' tallies at once.
* **Changes since** — every write to a member's entries, pairings, role or dates logs a change in its
  own transaction: only those members are computed again.
* **A member with no row** (say, one added by a roster import outside the write paths) is computed too.

The computation itself is the report's own (:func:`bot.reporting.reports.school_report` passes it in),
so a stored row is always what a full recomputation gives.

The last few slots read are also kept decoded in memory (:class:`KeptSlots`), with the fingerprint and the
change id they were read at: while the slot's stored state says the same, its rows are what is stored,
so an unchanged report reads none of them again, and a changed one reads only what it recomputes.
"""

from __future__ import annotations

import hashlib
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass

from bot.parts import in_parts
from storage import report_summaries as store
from storage import repository as repo
from storage.db import Transaction, engine_of
from storage.models import Member, School
from storage.report_summaries import SummaryRow

#: Members computed together when a whole slot is rebuilt.
BATCH = 1_000
#: Members of many schools on one policy and window computed together when their slots are rebuilt whole (a
#: district's cold report, the day's first computation): one scan serves them all, instead of one per school.
TOGETHER = 3_000
#: Bumped when what a row holds, or how it is computed, changes: every slot is rebuilt once.
FORMAT = "2"

Compute = Callable[[Transaction, Sequence[Member]], Awaitable[Mapping[int, SummaryRow]]]
#: The same for the members of many schools on one policy and window: (schools, their members) → rows.
ComputeSchools = Callable[[Transaction, Sequence[School], Sequence[Member]], Awaitable[Mapping[int, SummaryRow]]]


def fingerprint(school: School, window_basis: str) -> str:
    """What a slot's rows were computed for: the format, the school's policy and start, the window."""
    basis = "\x1f".join((FORMAT, school.policy_name, school.policy_text, str(school.counts_from), window_basis))
    return hashlib.sha256(basis.encode()).hexdigest()


@dataclass(frozen=True)
class _Kept:
    fingerprint: str
    seen_change: int
    rows: Mapping[int, SummaryRow]


class KeptSlots:
    """The decoded rows of the slots read last, per database engine (a test's databases never share them): at
    least :data:`KEPT_SLOTS` slots, more while they hold no more than :data:`KEPT_ROWS` rows in all (a district's
    hundreds of schools). Rows are a function of the data up to a change id and the fingerprint, so a kept slot
    whose fingerprint and change id match the stored state holds exactly the stored rows."""

    def __init__(self, most: int, most_rows: int = 0) -> None:
        self.most, self.most_rows = most, most_rows
        self._by_engine: weakref.WeakKeyDictionary[object, OrderedDict[tuple[int, str], _Kept]] = \
            weakref.WeakKeyDictionary()
        # Rows kept per engine, counted as slots come and go: summing them on every put costs a district's
        # report a pass over its hundreds of slots per school.
        self._rows: weakref.WeakKeyDictionary[object, int] = weakref.WeakKeyDictionary()

    def _slots(self, session: Transaction) -> OrderedDict[tuple[int, str], _Kept]:
        return self._by_engine.setdefault(engine_of(session), OrderedDict())

    def get(self, session: Transaction, school_id: int, slot: str, fingerprint: str,
            seen_change: int) -> Mapping[int, SummaryRow] | None:
        slots = self._slots(session)
        kept = slots.get((school_id, slot))
        if kept is None or kept.fingerprint != fingerprint or kept.seen_change != seen_change:
            return None
        slots.move_to_end((school_id, slot))
        return kept.rows

    def put(self, session: Transaction, school_id: int, slot: str, fingerprint: str, seen_change: int,
            rows: Mapping[int, SummaryRow]) -> None:
        slots, engine = self._slots(session), engine_of(session)
        replaced = slots.get((school_id, slot))
        kept_rows = self._rows.get(engine, 0) + len(rows) - (len(replaced.rows) if replaced else 0)
        slots[(school_id, slot)] = _Kept(fingerprint, seen_change, rows)
        slots.move_to_end((school_id, slot))
        while len(slots) > self.most and kept_rows > self.most_rows:
            kept_rows -= len(slots.popitem(last=False)[1].rows)
        self._rows[engine] = kept_rows


#: Slots kept decoded per engine: a school of 5,000 members' rows take a few MiB.
KEPT_SLOTS = 4
#: Rows kept decoded per engine beyond those slots: a county's 300 schools' slots of one window.
KEPT_ROWS = 40_000
kept_slots = KeptSlots(KEPT_SLOTS, KEPT_ROWS)


@dataclass(frozen=True)
class SlotRequest:
    """One school's slot a caller of :func:`fresh_rows_of_schools` wants, with what :func:`fresh_rows` takes."""

    school: School
    slot: str
    window_basis: str
    active: Collection[int]
    compute: Compute
    together: Hashable = None
    """Requests with the same key (not None) share a policy and a window: those whose slots are rebuilt whole
    are computed together by `compute_schools`, :data:`TOGETHER` members at a time."""
    compute_schools: ComputeSchools | None = None


async def which_stale(session: Transaction, wanted: Sequence[tuple[School, str, str]]) -> list[bool]:
    """For each of these (school, slot, window basis), whether it has nothing stored for what it asks (nothing
    stored, or stored for another policy, format or day): one statement per slot name."""
    stale = [False] * len(wanted)
    for slot in {slot for _, slot, _ in wanted}:
        of_slot = [(index, school, basis) for index, (school, name, basis) in enumerate(wanted) if name == slot]
        states = await store.slot_states(session, [school.id for _, school, _ in of_slot], slot)
        for index, school, basis in of_slot:
            state = states.get(school.id)
            stale[index] = state is None or state.fingerprint != fingerprint(school, basis)
    return stale


async def fresh_rows_of_schools(session: Transaction,
                                requests: Sequence[SlotRequest]) -> dict[int, dict[int, SummaryRow]]:
    """:func:`fresh_rows` of many schools (a district's), each school once: the schools whose stored slot is
    current are read together in a few statements, whatever their number — the last change, the slots' states,
    the changes since, the rows not kept in memory — and their slots advanced to the last change in one more;
    the others go through :func:`fresh_rows` one by one."""
    found: dict[int, dict[int, SummaryRow]] = {}
    if not requests:
        return found
    ids = [request.school.id for request in requests]
    latest = await store.last_change_of_schools(session, ids)
    slots = {request.slot for request in requests}
    states: dict[tuple[int, str], store.SlotState] = {}
    for slot in slots:
        states.update({(school_id, slot): state
                       for school_id, state in (await store.slot_states(session, ids, slot)).items()})
    wanted = {request.school.id: fingerprint(request.school, request.window_basis) for request in requests}
    current = [request for request in requests
               if (state := states.get((request.school.id, request.slot))) is not None
               and state.fingerprint == wanted[request.school.id]]
    current_ids = {id(request) for request in current}
    # Rebuilt before the quiet slots are advanced, a write that on SQLite would hold the database's write lock
    # through all the computing (each part is written once computed; the warmer gives each part its own transaction).
    found.update(await _rebuild_together(session, [r for r in requests if id(r) not in current_ids
                                                   and r.together is not None and r.compute_schools is not None],
                                         wanted, latest))
    oldest = min((states[(r.school.id, r.slot)].seen_change for r in current), default=latest)
    changes = await store.changes_of_schools(session, [r.school.id for r in current], oldest, latest)
    unread: dict[str, list[int]] = {}
    quiet: list[SlotRequest] = []
    for request in current:
        school_id, state = request.school.id, states[(request.school.id, request.slot)]
        if any(change_id > state.seen_change for change_id, _ in changes.get(school_id, ())):
            continue
        rows = kept_slots.get(session, school_id, request.slot, wanted[school_id], state.seen_change)
        if rows is None:
            unread.setdefault(request.slot, []).append(school_id)
        else:
            found[school_id] = dict(rows)
        quiet.append(request)
    for slot, school_ids in unread.items():
        stored = await store.stored_rows_of_schools(session, school_ids, slot)
        for school_id in school_ids:
            found[school_id] = stored.get(school_id, {})
    for slot in slots:
        behind = [r.school.id for r in quiet if r.slot == slot and states[(r.school.id, slot)].seen_change < latest]
        await store.advance_slots(session, behind, slot, latest)
    for request in requests:
        school_id = request.school.id
        rows = found.get(school_id)
        if rows is not None and all(member_id in rows for member_id in request.active):
            kept_slots.put(session, school_id, request.slot, wanted[school_id], latest, rows)
            continue
        found[school_id] = await fresh_rows(session, request.school, request.slot, request.window_basis,
                                            request.active, request.compute)
    return found


async def _rebuild_together(session: Transaction, requests: Sequence[SlotRequest], wanted: Mapping[int, str],
                            latest: int) -> dict[int, dict[int, SummaryRow]]:
    """The slots of these schools rebuilt whole, those with the same key together (`wanted`: each school's
    fingerprint): what :func:`fresh_rows` does for a slot with nothing current stored, in a few statements for
    :data:`TOGETHER` members instead of a few per school."""
    groups: dict[tuple[str, Hashable], list[SlotRequest]] = {}
    for request in requests:
        groups.setdefault((request.slot, request.together), []).append(request)
    found: dict[int, dict[int, SummaryRow]] = {}
    for (slot, _), group in groups.items():
        for part in in_parts(group, lambda request: len(request.active), TOGETHER):
            compute = part[0].compute_schools
            assert compute is not None
            schools = [request.school for request in part]
            everyone = await repo.all_school_members(session, [school.id for school in schools])
            computed = dict(await compute(session, schools, everyone))
            by_school: dict[int, dict[int, SummaryRow]] = {school.id: {} for school in schools}
            for member in everyone:
                # A member with nothing to count still gets a row: it says "computed, all zero".
                by_school[member.school_id][member.id] = computed.get(member.id) or SummaryRow({}, {}, ())
            del computed
            await store.replace_rows_of_schools(session, slot, by_school)
            del by_school
            ids = [school.id for school in schools]
            await store.save_slots(session, slot, {school_id: wanted[school_id] for school_id in ids}, latest)
            await store.prune_schools(session, ids, latest)
            stored = await store.stored_rows_of_schools(session, ids, slot)
            for school_id in ids:
                rows = stored.get(school_id, {})
                kept_slots.put(session, school_id, slot, wanted[school_id], latest, rows)
                found[school_id] = dict(rows)
    return found


async def fresh_rows(session: Transaction, school: School, slot: str, window_basis: str,
                     active: Collection[int], compute: Compute) -> dict[int, SummaryRow]:
    """Every member's row of the slot, brought up to date first (see the module docstring)."""
    latest = await store.last_change(session, school.id)
    wanted = fingerprint(school, window_basis)
    state = await store.slot_state(session, school.id, slot)
    if state is None or state.fingerprint != wanted:
        everyone = await repo.all_school_members(session, school.id)
        await _compute_in_batches(session, school.id, slot, everyone, compute, everyone_at_once=True)
        rows = await store.stored_rows(session, school.id, slot)
    else:
        # Pruned changes leave no row behind: the ids still only grow, so a slot never goes back.
        latest = max(latest, state.seen_change)
        kept = kept_slots.get(session, school.id, slot, wanted, state.seen_change)
        changed = await store.changed_members(session, school.id, state.seen_change, latest) \
            if latest > state.seen_change else set()
        computed = {}
        if changed:
            members = await repo.school_members_by_id(session, school.id, changed)
            computed = await _compute_in_batches(session, school.id, slot, members, compute)
        if kept is None:
            rows = await store.stored_rows(session, school.id, slot)
        else:
            rows = {**kept, **computed}
    missing = [member_id for member_id in active if member_id not in rows]
    if missing:
        newcomers = await repo.school_members_by_id(session, school.id, missing)
        rows.update(await _compute_in_batches(session, school.id, slot, newcomers, compute))
    # A slot that had taken in every change already, with no member missing, is stored as it was: saving it
    # would write the same values, and pruning would find what the last save left (a report's usual case).
    if state is None or state.fingerprint != wanted or latest != state.seen_change or missing:
        await store.save_slot(session, school.id, slot, wanted, latest)
        await store.prune(session, school.id, latest)
    kept_slots.put(session, school.id, slot, wanted, latest, rows)
    return dict(rows)


async def _compute_in_batches(session: Transaction, school_id: int, slot: str, members: Sequence[Member],
                              compute: Compute, *, everyone_at_once: bool = False) -> dict[int, SummaryRow]:
    """Compute these members' rows, BATCH at a time, then store them and return them; with `everyone_at_once` the
    slot's old rows go. Nothing is written until every batch is computed: on SQLite the first write takes the
    database's one write lock until the commit, and a school of thousands takes seconds to compute, in which
    every other write — a chat's conversation step, a saved entry — would wait."""
    computed: dict[int, SummaryRow] = {}
    for start in range(0, len(members), BATCH):
        batch = members[start:start + BATCH]
        rows = dict(await compute(session, batch))
        # A member with nothing to count still gets a row: it says "computed, all zero".
        for member in batch:
            rows.setdefault(member.id, SummaryRow({}, {}, ()))
        computed.update(rows)
    if computed or everyone_at_once:
        await store.replace_rows(session, school_id, slot, computed, everyone=everyone_at_once)
    return computed
