"""Storage: migrations match the models on both backends, SQLite runs in WAL, timestamps come back in UTC."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from storage.models import Base, School
from storage.types import utcnow


async def test_the_migrations_create_exactly_the_models(db):
    async with db.engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
    assert diff == []


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db):
    if db.dialect != "sqlite":
        return
    async with db.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() >= 5000


async def test_timestamps_are_stored_in_utc_and_read_back_aware(db):
    shanghai = dt.timezone(dt.timedelta(hours=8))
    created = dt.datetime(2026, 11, 18, 17, 30, tzinfo=shanghai)
    async with db.transaction() as session:
        session.add(School(name="x", created_at=created))
    async with db.transaction() as session:
        school = await session.get(School, 1)
    assert school.created_at == created and school.created_at.utcoffset() == dt.timedelta(0)
    assert utcnow().tzinfo is not None


async def test_postgresql_plans_each_progress_query_for_its_own_values(db):
    if db.dialect != "postgresql":
        return
    async with db.engine.connect() as connection:
        assert (await connection.execute(text("SHOW plan_cache_mode"))).scalar() == "force_custom_plan"



async def test_an_sqlite_connection_given_back_in_the_middle_of_a_write_is_rolled_back(db):
    if db.dialect != "sqlite":
        return
    async with db.engine.connect() as connection:  # written past SQLAlchemy, as a chat step's statements are
        driver = (await connection.get_raw_connection()).driver_connection
        await driver.execute_fetchall("INSERT INTO handled_updates (platform, update_id, handled_at) "
                                      "VALUES ('telegram', '1', '2026-11-18 09:30:00.000000')")
        assert driver.in_transaction
    async with db.engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM handled_updates"))).scalar_one() == 0
