"""One consistent read of every table: what a backup writes and a copy reads from.

Ids: where a table's ids come from a sequence (PostgreSQL) or AUTOINCREMENT (SQLite), the snapshot
names the last id the database handed out, which may be above the largest id left: the change log behind
the stored report summaries (``summary_changes``) is pruned, and the report windows remember the last
change id they took in. A restore or copy continues after it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import String, Table, Text, func, select, text
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.errors import DatabaseFailure, masked_url, missing_sqlite_folder
from storage.portable_values import JSON_NULL
from storage.table_rows import Row, TransferRefused, id_column, json_columns, reflect_tables, schema_revision


def _document(stored: str | None) -> Any:
    """A JSON column read as text: SQL NULL, the document `null`, or the parsed document."""
    if stored is None:
        return None
    return JSON_NULL if stored == "null" else json.loads(stored)


@dataclass
class Snapshot:
    """The database as it was when the read transaction began: its revision and its tables."""

    connection: AsyncConnection
    revision: str
    tables: list[Table]

    async def rows(self, table: Table, batch_rows: int) -> AsyncIterator[Sequence[Row]]:
        """The table's rows in key order (byte order for text on both backends), `batch_rows` at a time,
        in the order of ``table.columns``; a JSON column's value is its parsed document."""
        documents = json_columns(table)
        postgres = self.connection.dialect.name == "postgresql"
        columns = [sql_cast(column, Text) if column.name in documents else column for column in table.columns]
        order = [column.collate("C") if postgres and isinstance(column.type, String) else column
                 for column in table.primary_key.columns]
        positions = [index for index, column in enumerate(table.columns) if column.name in documents]
        result = await self.connection.stream(select(*columns).order_by(*order))
        async for part in result.partitions(batch_rows):
            if not positions:
                yield [tuple(row) for row in part]
                continue
            rows: list[Row] = []
            for row in part:
                values = list(row)
                for index in positions:
                    values[index] = _document(values[index])
                rows.append(values)
            yield rows

    async def last_ids(self) -> dict[str, int]:
        """Per table with a sequence of ids, the last id handed out (at least the largest id there)."""
        found = {}
        for table in self.tables:
            column = id_column(table)
            if column is None:
                continue
            largest = await self.connection.scalar(select(func.max(table.c[column])))
            handed_out = await _sequence_position(self.connection, table.name, column)
            found[table.name] = max(int(largest or 0), handed_out or 0)
        return found


async def _sequence_position(connection: AsyncConnection, table: str, column: str) -> int | None:
    if connection.dialect.name == "postgresql":
        return await connection.scalar(
            text("SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence(:table, :column) AS regclass))"),
            {"table": f'"{table}"', "column": column})
    if not await _has_sqlite_sequence(connection):
        return None
    return await connection.scalar(text("SELECT seq FROM sqlite_sequence WHERE name = :table"), {"table": table})


async def _has_sqlite_sequence(connection: AsyncConnection) -> bool:
    return bool(await connection.scalar(
        text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")))


@asynccontextmanager
async def snapshot(db: Database) -> AsyncIterator[Snapshot]:
    """One read transaction over the whole database: REPEATABLE READ on PostgreSQL; on SQLite a read
    transaction begun at once, which in WAL mode keeps its view while writers go on committing."""
    _refuse_a_missing_sqlite_file(db)
    async with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = await connection.execution_options(isolation_level="REPEATABLE READ",
                                                            postgresql_readonly=True)
        else:
            # pysqlite begins transactions only before writes: a SELECT alone would see each commit.
            await connection.exec_driver_sql("BEGIN")
        try:
            revision = await schema_revision(connection)
            if revision is None:
                raise TransferRefused(f"the database at {masked_url(db.url)} has no teachlog schema: "
                                      f"nothing to read (is TEACHLOG_DATABASE_URL right?)")
            tables = await connection.run_sync(reflect_tables)
            yield Snapshot(connection, revision, tables)
        finally:
            await connection.rollback()


def _refuse_a_missing_sqlite_file(db: Database) -> None:
    """Opening a SQLite file that is not there would create it, empty."""
    database = make_url(db.url).database
    if db.dialect != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return
    missing_folder = missing_sqlite_folder(db.url)
    if missing_folder is not None:
        raise DatabaseFailure(missing_folder)
    if not Path(database).exists():
        raise TransferRefused(f"there is no database at {masked_url(db.url)} (is TEACHLOG_DATABASE_URL right?)")
