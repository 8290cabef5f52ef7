"""Storing entries brought in from a spreadsheet: many rows in few statements, each stored once.

An imported entry's ``client_token`` is derived from its content (see
:mod:`bot.logbook.entries_import`), so importing the same file again inserts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import daily_counts
from storage.models import Entry
from storage.outbox import _dialect_insert

CHUNK = 5000


async def insert_new_entries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert the entries whose client_token is not stored yet; how many were inserted.

    Multi-row INSERTs ("insertmanyvalues"); ON CONFLICT DO NOTHING keeps a concurrent import of the
    same file from failing, and RETURNING names the rows this import stored, which alone are added to
    the daily counts.
    """
    inserted = 0
    statement = (_dialect_insert(session)(Entry.__table__).on_conflict_do_nothing(index_elements=["client_token"])
                 .returning(Entry.client_token))
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        stored = set(await session.scalars(
            select(Entry.client_token).where(Entry.client_token.in_([row["client_token"] for row in chunk]))))
        new = [row for row in chunk if row["client_token"] not in stored]
        if not new:
            continue
        tokens = set((await session.execute(statement, new)).scalars())
        mine = [row for row in new if row["client_token"] in tokens]
        await daily_counts.count_entries(session, mine)
        inserted += len(mine)
    return inserted
