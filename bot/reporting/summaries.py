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
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from storage import report_summaries as store
from storage import repository as repo
from storage.models import Member, School
from storage.report_summaries import SummaryRow

#: Members computed together when a whole slot is rebuilt.
BATCH = 1_000
#: Bumped when what a row holds, or how it is computed, changes: every slot is rebuilt once.
FORMAT = "1"

Compute = Callable[[AsyncSession, Sequence[Member]], Awaitable[Mapping[int, SummaryRow]]]


def fingerprint(school: School, window_basis: str) -> str:
    """What a slot's rows were computed for: the format, the school's policy and start, the window."""
    basis = "\x1f".join((FORMAT, school.policy_name, school.policy_text, str(school.counts_from), window_basis))
    return hashlib.sha256(basis.encode()).hexdigest()


async def fresh_rows(session: AsyncSession, school: School, slot: str, window_basis: str,
                     active: Collection[int], compute: Compute) -> dict[int, SummaryRow]:
    """Every member's row of the slot, brought up to date first (see the module docstring)."""
    latest = await store.last_change(session, school.id)
    wanted = fingerprint(school, window_basis)
    state = await store.slot_state(session, school.id, slot)
    if state is None or state.fingerprint != wanted:
        everyone = await repo.all_school_members(session, school.id)
        await _compute_in_batches(session, school.id, slot, everyone, compute, everyone_at_once=True)
    else:
        # Pruned changes leave no row behind: the ids still only grow, so a slot never goes back.
        latest = max(latest, state.seen_change)
        changed = await store.changed_members(session, school.id, state.seen_change, latest)
        if changed:
            members = await repo.school_members_by_id(session, school.id, changed)
            await _compute_in_batches(session, school.id, slot, members, compute)
    rows = await store.stored_rows(session, school.id, slot)
    missing = [member_id for member_id in active if member_id not in rows]
    if missing:
        newcomers = await repo.school_members_by_id(session, school.id, missing)
        rows.update(await _compute_in_batches(session, school.id, slot, newcomers, compute))
    await store.save_slot(session, school.id, slot, wanted, latest)
    await store.prune(session, school.id, latest)
    return rows


async def _compute_in_batches(session: AsyncSession, school_id: int, slot: str, members: Sequence[Member],
                              compute: Compute, *, everyone_at_once: bool = False) -> dict[int, SummaryRow]:
    """Compute and store these members' rows, BATCH at a time, and return them; with `everyone_at_once` the
    slot's old rows go."""
    if everyone_at_once:
        await store.replace_rows(session, school_id, slot, {}, everyone=True)
    computed: dict[int, SummaryRow] = {}
    for start in range(0, len(members), BATCH):
        batch = members[start:start + BATCH]
        rows = dict(await compute(session, batch))
        # A member with nothing to count still gets a row: it says "computed, all zero".
        for member in batch:
            rows.setdefault(member.id, SummaryRow({}, ()))
        await store.replace_rows(session, school_id, slot, rows)
        computed.update(rows)
    return computed
