"""Every table of a teachlog database as `db backup`, `db restore` and `db copy` see it.

The tables are those the database has (reflected, not taken from the models), so a database at an older
schema revision is read as it is, and a table a later migration adds is carried without a change here.
Timestamps are read and written as :class:`~storage.types.UTCDateTime` and a JSON column's document as
parsed JSON (its JSON ``null`` apart from SQL NULL), so rows move between SQLite and PostgreSQL unchanged.
Reading is :mod:`storage.snapshot`, writing :mod:`storage.loading`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, MetaData, Table, event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

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


@dataclass(frozen=True)
class TableShape:
    """A table as a backup or a source has it: its name and its columns in row order."""

    name: str
    columns: tuple[str, ...]


def count_mismatches(expected: Mapping[str, int], found: Mapping[str, int]) -> list[str]:
    """The tables whose row count is not the expected one, as 'entries: 5 of 6 rows'."""
    return [f"{name}: {found.get(name, 0)} of {count} rows" for name, count in expected.items()
            if found.get(name, 0) != count]
