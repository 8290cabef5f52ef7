"""`teachlog db copy --to URL`: every table of one database into an empty other, e.g. SQLite to PostgreSQL.

The source is read in one snapshot (the bot may go on writing to it; what it writes after the snapshot
began is not copied), the target written in one transaction, in batches, so neither side holds more than
a batch in memory. Ids are kept and sequences continue after the source's; the row counts are checked
before the commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database
from storage.loading import loading
from storage.snapshot import snapshot
from storage.table_rows import TableShape, TransferRefused, count_mismatches

BATCH_ROWS = 5_000


@dataclass(frozen=True)
class Copied:
    revision: str
    counts: dict[str, int]


async def copy_database(source: Database, target: Database, *, batch_rows: int = BATCH_ROWS) -> Copied:
    """Copy `source` into the empty `target` (brought to the source's schema, then to the newest)."""
    async with snapshot(source) as snap:
        shapes = [TableShape(table.name, tuple(table.columns.keys())) for table in snap.tables]
        async with loading(target, snap.revision, shapes) as loader:
            read: dict[str, int] = {}
            for table, shape in zip(snap.tables, shapes, strict=True):
                read[table.name] = 0
                async for rows in snap.rows(table, batch_rows):
                    await loader.insert(shape, rows)
                    read[table.name] += len(rows)
            counts = await loader.counts()
            mismatches = count_mismatches(read, counts)
            if mismatches:
                raise TransferRefused(f"the copied row counts differ from the source's ({'; '.join(mismatches)}): "
                                      f"nothing was written")
            await loader.continue_ids_after(await snap.last_ids())
        return Copied(snap.revision, counts)
