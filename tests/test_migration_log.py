"""Migrations report their steps in the debug log only: `teachlog run` and `db upgrade` keep the console quiet."""

from __future__ import annotations

import logging

from bot.database import app_database
from storage.migrate import upgrade


async def test_migrating_logs_nothing_at_the_default_level(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    db = app_database(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    try:
        await upgrade(db)
    finally:
        await db.dispose()
    assert [record for record in caplog.records if record.name.startswith("alembic")] == []
    assert logging.getLogger("alembic").level == logging.NOTSET  # the quiet lasts only while migrating


async def test_migrating_shows_its_steps_when_debugging(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="alembic")
    db = app_database(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    try:
        await upgrade(db)
    finally:
        await db.dispose()
    assert any(record.getMessage().startswith("Running upgrade") for record in caplog.records)
