"""Schema migrations: bring a database to the newest Alembic revision."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from storage.db import Database


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def known_revisions() -> list[str]:
    """Every schema revision this teachlog knows, oldest first; the last is the head."""
    script = ScriptDirectory.from_config(alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


@contextmanager
def _alembic_progress_only_when_debugging() -> Iterator[None]:
    """Alembic reports each step at INFO; for teachlog that is debugging detail, not console output."""
    logger = logging.getLogger("alembic")
    if logger.isEnabledFor(logging.DEBUG):
        yield
        return
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _upgrade(connection: Connection, revision: str) -> None:
    with _alembic_progress_only_when_debugging():
        command.upgrade(alembic_config(connection), revision)


async def upgrade(db: Database, revision: str = "head") -> None:
    """Apply every migration up to `revision` (idempotent)."""
    async with db.engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            await connection.run_sync(_upgrade, revision)
            await connection.commit()
            return
        # SQLite alters a table by rebuilding it (batch mode), dropping the old one, which rows pointing at it
        # would refuse: foreign keys are off while migrating (a pragma that only works outside a transaction),
        # and checked before the commit.
        await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        await connection.commit()
        try:
            await connection.run_sync(_upgrade, revision)
            broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).fetchall()
            if broken:
                raise RuntimeError(f"migrating to {revision} left rows pointing nowhere: {broken[:5]}")
            await connection.commit()
        finally:
            await connection.rollback()
            await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            await connection.commit()


def _autogenerate(connection: Connection, message: str) -> None:
    command.revision(alembic_config(connection), message=message, autogenerate=True)


async def make_revision(db: Database, message: str) -> None:
    """Developer tool: write a new migration from the difference between models and `db`."""
    async with db.engine.begin() as connection:
        await connection.run_sync(_autogenerate, message)
