"""Every table of a database, read in one consistent snapshot and written into an empty database.

What `teachlog db backup`, `db restore` and `db copy` share. The tables are those the database has
(reflected, not taken from the models), so a database at an older schema revision is read as it is, and
a table a later migration adds is carried without a change here. Timestamps are read and written as
:class:`~storage.types.UTCDateTime` and a JSON column's document as parsed JSON (its JSON ``null`` apart
from SQL NULL), so rows move between SQLite and PostgreSQL unchanged.

Ids are kept. Where a table's ids come from a sequence (PostgreSQL) or AUTOINCREMENT (SQLite), the target
continues after the last id the source handed out, which may be above the largest id left: the change
log behind the stored report summaries (``summary_changes``) is pruned, and the report windows remember
the last change id they took in.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, MetaData, String, Table, Text, event, func, inspect, select, text
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.errors import DatabaseFailure, explain, masked_url, missing_sqlite_folder
from storage.migrate import known_revisions, upgrade
from storage.portable_values import JSON_NULL
from storage.types import UTCDateTime

#: Alembic's own table: the revision travels on its own, and the target gets it from its migrations.
NOT_COPIED = frozenset({"alembic_version"})
#: A row's values in the order of its table's columns.
Row = Sequence[Any]


class TransferRefused(Exception):
    """A backup, restore or copy that cannot go ahead; the message is one line for the operator."""


def _portable_column(_inspector: Any, _table: Table, column: dict[str, Any]) -> None:
    if isinstance(column["type"], DateTime):
        column["type"] = UTCDateTime()
    elif isinstance(column["type"], JSON):
        # None is SQL NULL; JSON_NULL the stored document `null`.
        column["type"] = JSON(none_as_null=True)


def reflect_tables(connection: Connection) -> list[Table]:
    """The database's tables with portable column types, each after the tables it refers to."""
    metadata = MetaData()
    event.listen(metadata, "column_reflect", _portable_column)
    metadata.reflect(connection)
    return [table for table in metadata.sorted_tables if table.name not in NOT_COPIED]


def json_columns(table: Table) -> frozenset[str]:
    return frozenset(column.name for column in table.columns if isinstance(column.type, JSON))


def id_column(table: Table) -> str | None:
    """The table's integer id, when its key is one integer column (whose values a sequence hands out)."""
    key = list(table.primary_key.columns)
    if len(key) == 1 and isinstance(key[0].type, Integer):
        return key[0].name
    return None


async def schema_revision(connection: AsyncConnection) -> str | None:
    """The Alembic revision the database is at; None for a database without teachlog's schema."""
    names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    if "alembic_version" not in names:
        return None
    versions = list((await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars())
    return versions[0] if len(versions) == 1 else None


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


@dataclass(frozen=True)
class TableShape:
    """A table as a backup or a source has it: its name and its columns in row order."""

    name: str
    columns: tuple[str, ...]


class Loader:
    """Writes rows into the tables of an empty database, inside the one transaction of :func:`loading`.

    On PostgreSQL the rows go in by COPY (asyncpg's binary copy, some ten times faster than INSERTs of
    a batch), on SQLite by one executemany INSERT per batch.
    """

    def __init__(self, connection: AsyncConnection, tables: Mapping[str, Table], url: str,
                 postgres_schema: str | None) -> None:
        self.connection = connection
        self.tables = tables
        self.url = url
        self.postgres_schema = postgres_schema

    async def insert(self, shape: TableShape, rows: Sequence[Row]) -> None:
        if not rows:
            return
        table, columns = self.tables[shape.name], shape.columns
        with target_errors(self.url):
            if self.postgres_schema is None:
                await self.connection.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
                return
            documents = [index for index, name in enumerate(columns) if isinstance(table.c[name].type, JSON)]
            raw = await self.connection.get_raw_connection()
            try:
                await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                    shape.name, schema_name=self.postgres_schema, columns=list(columns),
                    records=[_json_as_text(row, documents) for row in rows] if documents else rows)
            except Exception as error:
                if getattr(error, "sqlstate", None) is None:  # not one of PostgreSQL's own errors
                    raise
                raise DatabaseFailure(explain(error, self.url)) from error

    async def counts(self) -> dict[str, int]:
        """Rows per table as the target now has them."""
        with target_errors(self.url):
            return {name: int(await self.connection.scalar(select(func.count()).select_from(table)) or 0)
                    for name, table in self.tables.items()}

    async def continue_ids_after(self, last_ids: Mapping[str, int]) -> None:
        """Make each table's next id follow the last one the source handed out."""
        with target_errors(self.url):
            for name, last in last_ids.items():
                table = self.tables.get(name)
                column = id_column(table) if table is not None else None
                if column is None:
                    continue
                if self.connection.dialect.name == "postgresql":
                    await self.connection.execute(
                        text("SELECT setval(pg_get_serial_sequence(:table, :column), :value, :called)"),
                        {"table": f'"{name}"', "column": column, "value": max(last, 1), "called": last > 0})
                elif last > 0 and await self._autoincrement(name):
                    await self._continue_sqlite_sequence(name, last)

    async def _autoincrement(self, table: str) -> bool:
        sql = await self.connection.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :table"), {"table": table})
        return "AUTOINCREMENT" in (sql or "").upper()

    async def _continue_sqlite_sequence(self, table: str, last: int) -> None:
        updated = await self.connection.execute(
            text("UPDATE sqlite_sequence SET seq = max(seq, :last) WHERE name = :table"),
            {"table": table, "last": last})
        if not updated.rowcount:
            await self.connection.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :last)"),
                                          {"table": table, "last": last})


def _json_as_text(row: Row, documents: list[int]) -> Row:
    """A row for COPY: its JSON documents as the text SQLAlchemy would write (asyncpg takes JSON as text)."""
    values = list(row)
    for index in documents:
        value = values[index]
        if value is not None:
            values[index] = "null" if value is JSON_NULL else json.dumps(value)
    return values


@dataclass(frozen=True)
class TargetState:
    revision: str | None
    tables: frozenset[str]
    with_rows: tuple[str, ...]


async def target_state(db: Database) -> TargetState:
    """The target's schema revision, its tables, and those that hold rows."""
    async with db.engine.connect() as connection:
        names = frozenset(await connection.run_sync(lambda sync: inspect(sync).get_table_names())) - NOT_COPIED
        revision = await schema_revision(connection)
        with_rows = [name for name in sorted(names)
                     if await connection.scalar(text(f'SELECT 1 FROM "{name}" LIMIT 1')) is not None]
        await connection.rollback()
    return TargetState(revision, names, tuple(with_rows))


def refuse_unless_ready(state: TargetState, revision: str, url: str) -> None:
    """Refuse a target that holds rows, or whose schema is not teachlog's or is newer than `revision`."""
    where = masked_url(url)
    if state.with_rows:
        shown = ", ".join(state.with_rows[:3]) + (" …" if len(state.with_rows) > 3 else "")
        raise TransferRefused(f"the database at {where} is not empty ({shown} have rows): give an empty database; "
                              f"nothing was written")
    known = known_revisions()
    if revision not in known:
        raise TransferRefused(f"the data is at schema revision {revision}, which this teachlog does not know "
                              f"(its newest is {known[-1]}): update teachlog first; nothing was written")
    if state.tables and state.revision is None:
        raise TransferRefused(f"the database at {where} has tables but no teachlog schema revision: "
                              f"give an empty database; nothing was written")
    if state.revision is not None and (state.revision not in known
                                       or known.index(state.revision) > known.index(revision)):
        raise TransferRefused(f"the database at {where} has the schema of revision {state.revision}, newer than "
                              f"the data's {revision}: give a database without tables; nothing was written")


@contextmanager
def target_errors(url: str) -> Iterator[None]:
    """The target's own failures named with the target's URL (a copy has two databases)."""
    try:
        yield
    except DBAPIError as error:
        raise DatabaseFailure(explain(error, url)) from error


@asynccontextmanager
async def loading(db: Database, revision: str, shapes: Sequence[TableShape]) -> AsyncIterator[Loader]:
    """An empty database brought to `revision`, written in one transaction, then upgraded to the head.

    Refuses (before writing any row) a target with rows, one at a newer revision, or one whose tables
    at `revision` are not those of `shapes`.
    """
    with target_errors(db.url):
        refuse_unless_ready(await target_state(db), revision, db.url)
        await upgrade(db, revision)
    async with db.engine.connect() as connection:
        with target_errors(db.url):
            tables = {table.name: table for table in await connection.run_sync(reflect_tables)}
            await connection.rollback()
            _refuse_other_tables(tables, shapes, revision)
            transaction = await connection.begin()
            postgres_schema = None
            if connection.dialect.name == "postgresql":
                # Also begins the transaction on asyncpg's connection before COPY uses it directly.
                postgres_schema = await connection.scalar(text("SELECT current_schema()"))
        try:
            yield Loader(connection, tables, db.url, postgres_schema)
        except BaseException:
            await transaction.rollback()
            raise
        with target_errors(db.url):
            await transaction.commit()
    with target_errors(db.url):
        await upgrade(db)


def _refuse_other_tables(tables: Mapping[str, Table], shapes: Sequence[TableShape], revision: str) -> None:
    expected = {shape.name: set(shape.columns) for shape in shapes}
    found = {name: set(table.columns.keys()) for name, table in tables.items()}
    if expected != found:
        differing = sorted(name for name in expected.keys() | found.keys() if expected.get(name) != found.get(name))
        raise TransferRefused(f"the tables to write differ from those of schema revision {revision} "
                              f"({', '.join(differing)}): nothing was written")


def count_mismatches(expected: Mapping[str, int], found: Mapping[str, int]) -> list[str]:
    """The tables whose row count is not the expected one, as 'entries: 5 of 6 rows'."""
    return [f"{name}: {found.get(name, 0)} of {count} rows" for name, count in expected.items()
            if found.get(name, 0) != count]
