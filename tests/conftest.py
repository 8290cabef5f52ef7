"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, a fixed clock, and a running bot.

Every test that asks for `db` runs once per backend. PostgreSQL is used when it
answers at 127.0.0.1:5432 (override with TEACHLOG_TEST_PG_URL); each test run gets
its own schema there, so concurrent runs do not collide. TEACHLOG_TEST_BACKENDS=sqlite
limits a local run to one backend. In CI (CI=true) an unreachable PostgreSQL fails its
tests instead of skipping them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import socket
import uuid
import zoneinfo
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.clock import FixedClock
from bot.database import app_database
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Base

PG_URL = os.environ.get("TEACHLOG_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
BACKENDS = [b.strip() for b in os.environ.get("TEACHLOG_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Wednesday 18 November 2026, 17:30 in Shanghai: a working day, late afternoon.
DEFAULT_NOW = dt.datetime(2026, 11, 18, 17, 30, tzinfo=SHANGHAI)


# Modules whose tests start real processes or take seconds each: they run first. xdist hands out the rest as the
# workers free up, so the suite ends on short tests on both workers, not on one long test while the other idles.
SLOW_MODULES_FIRST = (
    "tests/test_kill.py", "tests/test_report_summaries.py", "tests/test_ci_postgres.py", "tests/slack/test_run.py",
    "tests/dingtalk/test_run_process.py", "tests/test_webhook.py", "tests/test_metrics_process.py",
    "tests/test_run.py", "tests/test_cli.py", "tests/test_cli_startup.py", "tests/test_db_copy.py",
    "tests/test_district_notifications.py", "tests/test_delivery.py", "tests/test_charts.py",
    "tests/test_daily_counts.py", "tests/test_actions.py", "tests/test_i18n.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow modules first, in their order above; every module otherwise in collection order (a stable sort)."""
    rank = {module: index for index, module in enumerate(SLOW_MODULES_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


def run_blocking(coroutine_function) -> None:
    """Run async setup from a sync session fixture, even when a test's event loop is running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine_function()).result()


def postgres_reachable() -> bool:
    url = make_url(PG_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "teachlog.db"

    async def migrate() -> None:
        db = app_database(f"sqlite+aiosqlite:///{path}")
        await upgrade(db)
        await db.dispose()

    run_blocking(migrate)
    return str(path)


@pytest.fixture(scope="session")
def postgres_schema():
    if not postgres_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not reachable at " + PG_URL + ": in CI its half of the suite must run")
        pytest.skip("PostgreSQL is not reachable at " + PG_URL)
    schema = f"teachlog_test_{uuid.uuid4().hex[:10]}"

    async def run(statement: str | None, migrate: bool) -> None:
        admin = app_database(PG_URL)
        async with admin.engine.begin() as connection:
            await connection.execute(text(statement))
        await admin.dispose()
        if migrate:
            db = postgres_database(schema)
            await upgrade(db)
            await db.dispose()

    run_blocking(lambda: run(f'CREATE SCHEMA "{schema}"', migrate=True))
    yield schema
    run_blocking(lambda: run(f'DROP SCHEMA "{schema}" CASCADE', migrate=False))


# A test's commits need not wait for the server's disk: nothing survives a crash of a test run anyway.
TEST_SERVER_SETTINGS = {"synchronous_commit": "off"}


def postgres_database(schema: str) -> Database:
    return app_database(PG_URL, connect_args={"server_settings": {"search_path": schema, **TEST_SERVER_SETTINGS}})


# Children before parents; then every sequence of the schema back to its start, as RESTART IDENTITY would.
_EMPTY_EVERY_TABLE = "DO $$ BEGIN {deletes} PERFORM setval(format('%I.%I', schemaname, sequencename), start_value, " \
    "false) FROM pg_sequences WHERE schemaname = current_schema(); END $$"


async def truncate_all(db: Database) -> None:
    """Every table of the current schema empty and its ids starting over, as just migrated.

    DELETE rather than TRUNCATE: TRUNCATE gives each table and index new files and waits for the disk at commit
    (0.5-0.8 s a test here), where deleting the few rows a test leaves takes milliseconds.
    """
    deletes = " ".join(f'DELETE FROM "{table.name}";' for table in reversed(Base.metadata.sorted_tables))
    async with db.engine.begin() as connection:
        await connection.exec_driver_sql(_EMPTY_EVERY_TABLE.format(deletes=deletes))


@pytest.fixture(params=BACKENDS)
async def db(request, tmp_path):
    """An empty, migrated database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "teachlog.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database = app_database(f"sqlite+aiosqlite:///{path}")
    else:
        database = postgres_database(request.getfixturevalue("postgres_schema"))
        await truncate_all(database)
    yield database
    await database.dispose()


@pytest.fixture(autouse=True)
def reports_answer_while_the_machine_is_busy(monkeypatch) -> None:
    """A small school's cold report is the answer (not "it follows") however loaded the test machine is; the
    tests of a report that follows set `ANSWER_SECONDS` to 0 themselves."""
    monkeypatch.setattr("bot.chat.flows.reports_to_follow.ANSWER_SECONDS", 30.0)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


@pytest.fixture
def school_options() -> dict:
    """How the `bot` fixture's school is created; a test module overrides it, e.g. {"policy": "seed-001"}."""
    return {}


@pytest.fixture
async def bot(db, clock, school_options):
    """A running bot for a school called 合川中学 (Chinese by default, the `default` policy)."""
    from tests.support.bot import BotHarness

    harness = BotHarness(db, clock)
    await harness.create_school(**school_options)
    await harness.start()
    yield harness
    await harness.stop()


@pytest.fixture
def li_role() -> str:
    return "teacher"


@pytest.fixture
async def li(bot, li_role):
    """A member who writes English; a teacher unless the module's `li_role` says otherwise."""
    user = bot.fake.user(1002, "Li", "Lei", language_code="en")
    await bot.join(user, li_role)
    return user


@pytest.fixture
async def wang(bot):
    """A teacher who writes Chinese."""
    user = bot.fake.user(1001, "王芳", language_code="zh-hans")
    await bot.join(user, "teacher")
    return user


@pytest.fixture
def no_cli_database(tmp_path, monkeypatch) -> str:
    """Where `teachlog` commands find no database yet: TEACHLOG_DATABASE_URL names a SQLite file not there, in
    the folder that is the cwd (the first command that opens it creates and migrates it)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TEACHLOG_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url


@pytest.fixture
def cli_database(no_cli_database, tmp_path, sqlite_template) -> str:
    """A migrated, empty SQLite file for `teachlog` commands: TEACHLOG_DATABASE_URL points at it, its folder is
    the cwd. A copy of the session's migrated template (commands still bring it up to date, finding it there)."""
    shutil.copy(sqlite_template, tmp_path / "cli.db")
    return no_cli_database


@pytest.fixture
async def chat(db, clock):
    """The chat core for a school called 合川中学 (Chinese, the `default` policy), driven in memory."""
    from tests.support.chat import ChatHarness

    harness = ChatHarness(db, clock)
    await harness.create_school()
    return harness
