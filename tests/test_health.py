"""`/healthz` of `teachlog run|worker --metrics-port`: 200 while the database answers and delivery keeps up,
503 when the database goes away or a due message has waited past the threshold."""

from __future__ import annotations

import shutil
import uuid

import pytest
from sqlalchemy import text

from bot.database import app_database
from bot.notifications.planning import Planner
from bot.observability.metrics import set_platform_connected
from bot.people.schools import create_school
from bot.platform_names import SLACK, TELEGRAM
from storage.db import Database
from storage.migrate import upgrade
from tests.conftest import BACKENDS, PG_URL, postgres_database, postgres_reachable
from tests.support.notifications import FakeStanding, add_members, local
from tests.support.observability import Scraper, checker


@pytest.fixture
def schema(db, request) -> str | None:
    """The PostgreSQL schema the `db` fixture uses (None on SQLite)."""
    return None if db.dialect == "sqlite" else request.getfixturevalue("postgres_schema")


@pytest.fixture
def clock(clock):
    clock.set(local("2026-11-19", "16:30"))  # a Thursday at the default reminder time
    return clock


class GoneDatabase:
    """A database of the test's own that it can take away: a SQLite file's folder, or a PostgreSQL schema."""

    def __init__(self, backend: str, tmp_path, sqlite_template: str | None) -> None:
        self.backend, self.folder, self.template = backend, tmp_path / "data", sqlite_template
        self.schema = f"teachlog_gone_{uuid.uuid4().hex[:10]}"

    async def create(self) -> Database:
        if self.backend == "sqlite":
            self.folder.mkdir()
            assert self.template is not None
            shutil.copy(self.template, self.folder / "teachlog.db")
            return app_database(f"sqlite+aiosqlite:///{self.folder / 'teachlog.db'}")
        await self._admin(f'CREATE SCHEMA "{self.schema}"')
        db = postgres_database(self.schema)
        await upgrade(db)
        return db

    async def take_away(self) -> None:
        if self.backend == "sqlite":
            shutil.rmtree(self.folder)
        else:
            await self._admin(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    async def _admin(self, statement: str) -> None:
        admin = app_database(PG_URL)
        async with admin.engine.begin() as connection:
            await connection.execute(text(statement))
        await admin.dispose()


@pytest.fixture(params=BACKENDS)
async def gone(request, tmp_path):
    if request.param == "postgresql" and not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at " + PG_URL)
    template = request.getfixturevalue("sqlite_template") if request.param == "sqlite" else None
    database = GoneDatabase(request.param, tmp_path, template)
    yield database
    if request.param == "postgresql":
        await database.take_away()


async def test_healthz_is_200_while_the_database_answers_and_503_once_it_is_gone(gone, clock):
    db = await gone.create()
    with Scraper(checker(db, gone.schema, clock, TELEGRAM)) as scraper:
        status, health = await scraper.health()
        assert (status, health["database"], health["oldest_due_outbox_seconds"]) == (200, "reachable", 0)
        await db.dispose()
        await gone.take_away()
        status, health = await scraper.health()
        assert (status, health["status"], health["database"]) == (503, "unhealthy", "unreachable")
        assert health["oldest_due_outbox_seconds"] is None
        assert ("teachlog_database_reachable", frozenset()) in (metrics := await scraper.metrics())
        assert metrics[("teachlog_database_reachable", frozenset())] == 0


async def test_healthz_turns_503_when_a_due_message_waits_past_the_threshold(db, schema, clock):
    school = await create_school(db, "Lakeside School", language="en", now=local("2026-09-01", "09:00"))
    await add_members(db, school.school_id, 2)
    assert await Planner(db, FakeStanding(db)).plan(clock.now()) == {"reminder": 2}  # nobody delivers them
    with Scraper(checker(db, schema, clock, TELEGRAM, max_outbox_delay=900)) as scraper:
        assert await scraper.health() == (200, {
            "status": "ok", "database": "reachable", "platform": "not applicable",
            "oldest_due_outbox_seconds": 0.0, "max_outbox_delay_seconds": 900.0})
        clock.advance(seconds=900)
        status, health = await scraper.health()
        assert (status, health["oldest_due_outbox_seconds"]) == (200, 900)
        clock.advance(seconds=1)
        status, health = await scraper.health()
        assert (status, health["status"], health["database"], health["oldest_due_outbox_seconds"]) == \
            (503, "unhealthy", "reachable", 901)
    with Scraper(checker(db, schema, clock, SLACK, max_outbox_delay=900)) as scraper:
        status, health = await scraper.health()
        assert (status, health["oldest_due_outbox_seconds"]) == (200, 0), "Telegram's backlog is not Slack's"


async def test_healthz_says_whether_the_platform_is_connected(db, schema, clock):
    platform = f"platform-{uuid.uuid4().hex[:6]}"
    with Scraper(checker(db, schema, clock, platform, platform_connects=True)) as scraper:
        assert (await scraper.health())[1]["platform"] == "not connected"
        set_platform_connected(platform, True)
        status, health = await scraper.health()
        assert (status, health["platform"]) == (200, "connected")
        assert (await scraper.metrics())[("teachlog_platform_connected", frozenset({("platform", platform)}))] == 1
        set_platform_connected(platform, False)
        status, health = await scraper.health()
        assert (status, health["platform"]) == (200, "not connected"), "reconnecting is not unhealthy"
