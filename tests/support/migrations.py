"""Empty databases for tests that migrate, restore or copy into one: PostgreSQL schemas and databases of their own
(dropped afterwards), and SQLite files."""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.database import app_database
from storage.db import Database
from tests.conftest import (
    PG_URL,
    TEST_SERVER_SETTINGS,
    postgres_database,
    postgres_reachable,
    run_blocking,
    truncate_all,
)


@contextlib.asynccontextmanager
async def empty_postgres_database(prefix: str) -> AsyncIterator[Database]:
    """Skips the test when PostgreSQL does not answer (the CI run fails such skips itself)."""
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at " + PG_URL)
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = app_database(PG_URL)
    async with admin.engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = postgres_database(schema)
    try:
        yield db
    finally:
        await db.dispose()
        async with admin.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@contextlib.asynccontextmanager
async def empty_database(backend: str, folder: Path) -> AsyncIterator[Database]:
    """An empty database (no tables): a new SQLite file in `folder`, or a new PostgreSQL schema."""
    if backend == "postgresql":
        async with empty_postgres_database("teachlog_empty") as db:
            yield db
        return
    db = Database(f"sqlite+aiosqlite:///{folder / f'empty-{uuid.uuid4().hex[:6]}.db'}")
    try:
        yield db
    finally:
        await db.dispose()


@contextlib.contextmanager
def empty_postgres_url(prefix: str) -> Iterator[str]:
    """A URL for commands (which take nothing but a URL) at an empty PostgreSQL schema of its own.

    The URL logs in as a new role whose search path is its own schema; both are dropped afterwards.
    (Not a database of its own: dropping one waits for a checkpoint, which on a busy server takes a minute.)
    """
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at " + PG_URL)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"

    def admin(*statements: str) -> None:
        async def run() -> None:
            db = Database(PG_URL)
            try:
                async with db.engine.begin() as connection:
                    for statement in statements:
                        await connection.execute(text(statement))
            finally:
                await db.dispose()
        run_blocking(run)

    admin(f'CREATE ROLE "{name}" LOGIN', f'CREATE SCHEMA "{name}" AUTHORIZATION "{name}"',
          f'ALTER ROLE "{name}" SET search_path = "{name}"',
          *(f'ALTER ROLE "{name}" SET {setting} = {value}' for setting, value in TEST_SERVER_SETTINGS.items()))
    try:
        yield make_url(PG_URL).set(username=name, password=None).render_as_string(hide_password=False)
    finally:
        admin(f'DROP SCHEMA "{name}" CASCADE', f'DROP ROLE "{name}"')


@pytest.fixture(name="other_db")
async def other_db_fixture(db: Database, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with teachlog's tables and no rows, on the backend the test's `db` is not on (import this
    into a test module to use `other_db`). Migrated once per session, like `db`: restores and copies accept it."""
    if db.dialect == "postgresql":
        path = tmp_path / "other.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        other = Database(f"sqlite+aiosqlite:///{path}")
    else:
        other = postgres_database(request.getfixturevalue("postgres_schema"))
        await truncate_all(other)
    yield other
    await other.dispose()
