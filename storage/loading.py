"""Writing every table into an empty database, in one transaction: what a restore and a copy share.

The target is brought to the data's schema revision first and to the newest one after the commit; ids
are kept and each sequence continues after the last id the source handed out.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

from sqlalchemy import JSON, Table, func, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.errors import DatabaseFailure, explain, masked_url
from storage.migrate import known_revisions, upgrade
from storage.portable_values import JSON_NULL
from storage.table_rows import NOT_COPIED, Row, TableShape, TransferRefused, id_column, reflect_tables, schema_revision


class Loader:
    """Writes rows into the tables of an empty database, inside the one transaction of :func:`loading`.

    On PostgreSQL the rows go in by COPY (asyncpg's binary copy: no SQL parameters to build per row), on
    SQLite by one executemany INSERT per batch.
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
