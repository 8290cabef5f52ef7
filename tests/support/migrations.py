"""An empty PostgreSQL database of its own (a fresh schema, dropped afterwards), for tests that migrate one."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.database import app_database
from storage.db import Database
from tests.conftest import PG_URL, postgres_database, postgres_reachable


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
