"""Every command that opens the database says in one line what is wrong with it: no traceback, no SQL, no password."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.database import app_database
from bot.people.schools import create_school
from storage.errors import explain, masked_url
from storage.migrate import upgrade
from tests.conftest import DEFAULT_NOW, postgres_reachable, run_blocking
from tests.support.cli import invoke
from tests.support.migrations import empty_postgres_url

WELL_FORMED_TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
#: What must never reach the operator: a traceback, SQL, the policy's YAML, a password.
LEAKS = re.compile(r"Traceback|\b(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER)\b|\[SQL|parameters:|rules:|label_zh|s3cret")

needs_postgres = pytest.mark.skipif(not postgres_reachable(), reason="PostgreSQL is not reachable")


def wrong_port(_tmp: Path) -> str:
    return "postgresql+asyncpg://teachlog:s3cret@127.0.0.1:5499/test"


def missing_database(_tmp: Path) -> str:
    return "postgresql+asyncpg://postgres@127.0.0.1:5432/nope"


def missing_folder(tmp: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp / 'no-such-folder' / 'teachlog.db'}"


def read_only(tmp: Path) -> str:
    """A SQLite file opened read-only (as a chmod 444 file is for anyone but root)."""
    path = tmp / "read-only.db"
    path.touch()
    return read_only_url(path)


def read_only_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"


UNUSABLE = {
    "wrong port": (wrong_port, "nothing answers at 127.0.0.1:5499"),
    "missing database": (missing_database, "the database 'nope' does not exist"),
    "missing folder": (missing_folder, "the folder"),
    "read-only": (read_only, "it is read-only"),
}
CASES = [pytest.param(name, marks=[needs_postgres] if name == "missing database" else [], id=name)
         for name in UNUSABLE]

#: Every `teachlog` command that opens the database, with arguments it would otherwise accept.
DATABASE_COMMANDS = [
    ["db", "upgrade"],
    ["school", "create", "合川中学"],
    ["school", "reminders", "1", "--time", "16:00"],
    ["invite", "create", "--school", "1", "--role", "teacher"],
    ["pair", "add", "--school", "1", "--member", "王芳", "--student", "王小明"],
    ["pair", "list", "--school", "1"],
    ["pair", "remove", "--school", "1", "--member", "王芳", "--student", "王小明"],
    ["roster", "import", "--school", "1", "roster.csv"],
    ["policy", "set", "--school", "1", "seed-000"],
    ["progress", "--school", "1"],
    ["export", "--school", "1", "--format", "csv", "-o", "out.csv"],
    ["notify", "--dry-run"],
]
WRITING_COMMANDS = [args for args in DATABASE_COMMANDS
                    if args[:2] in (["school", "create"], ["school", "reminders"], ["invite", "create"],
                                    ["policy", "set"])]


def assert_one_line(stderr: str, expected: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("teachlog: ") and expected in lines[0], stderr
    assert not LEAKS.search(stderr), stderr


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "roster.csv").write_text("member,student\n王芳,王小明\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("args", DATABASE_COMMANDS, ids=" ".join)
def test_each_database_command_reports_an_unusable_database_in_one_line(in_tmp, monkeypatch, case, args):
    make_url, expected = UNUSABLE[case]
    monkeypatch.setenv("TEACHLOG_DATABASE_URL", make_url(in_tmp))
    result = invoke(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert_one_line(result.stderr, expected)


@pytest.fixture
def read_only_school(cli_database, tmp_path, monkeypatch) -> str:
    """A migrated database with one school, then opened read-only."""
    assert invoke("school", "create", "合川中学").exit_code == 0
    (tmp_path / "roster.csv").write_text("member,student\n王芳,王小明\n", encoding="utf-8")
    url = read_only_url(tmp_path / "cli.db")
    monkeypatch.setenv("TEACHLOG_DATABASE_URL", url)
    return url


@pytest.mark.parametrize("args", WRITING_COMMANDS, ids=" ".join)
def test_a_command_that_writes_to_a_read_only_database_says_so_in_one_line(read_only_school, args):
    result = invoke(*args)
    assert result.exit_code == 1
    assert_one_line(result.stderr, f"cannot write to the database at {read_only_school}: it is read-only")


@pytest.fixture(scope="module")
def read_only_postgres() -> Iterator[str]:
    """A PostgreSQL schema with one school whose new sessions are read-only (as on a hot standby).

    Its own role and schema rather than a database of its own: dropping a database waits for a checkpoint.
    """
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable")
    with empty_postgres_url("teachlog_read_only") as url:
        name = make_url(url).username

        async def prepare() -> None:
            db = app_database(url)
            try:
                await upgrade(db)
                await create_school(db, "合川中学", now=DEFAULT_NOW)
                async with db.engine.begin() as connection:
                    await connection.execute(text(f'ALTER ROLE "{name}" SET default_transaction_read_only = on'))
            finally:
                await db.dispose()

        run_blocking(prepare)
        yield url


@pytest.mark.parametrize("args", WRITING_COMMANDS, ids=" ".join)
def test_a_command_that_writes_to_a_read_only_postgresql_database_says_so_in_one_line(read_only_postgres, in_tmp,
                                                                                      monkeypatch, args):
    monkeypatch.setenv("TEACHLOG_DATABASE_URL", read_only_postgres)
    result = invoke(*args)
    assert result.exit_code == 1
    assert_one_line(result.stderr, f"cannot write to the database at {read_only_postgres}: it is read-only")


def test_reading_from_a_read_only_database_still_works(read_only_school):
    result = invoke("pair", "list", "--school", "1")
    assert result.exit_code == 0 and result.stderr == ""


RUN_AND_WORKER = [["run"], ["worker", "--once"]]


@pytest.fixture
def telegram_nowhere(monkeypatch) -> dict[str, str]:
    """A well-formed token and a Bot API where nothing answers: a Telegram error would say so."""
    env = {"TELEGRAM_BOT_TOKEN": WELL_FORMED_TOKEN, "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.mark.parametrize("command", RUN_AND_WORKER, ids=" ".join)
@pytest.mark.parametrize("case", CASES)
def test_run_and_worker_report_an_unusable_database_in_one_line_before_contacting_telegram(
        telegram_nowhere, tmp_path, monkeypatch, caplog, command, case):
    make_url, expected = UNUSABLE[case]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEACHLOG_DATABASE_URL", make_url(tmp_path))
    caplog.set_level(logging.INFO)
    result = invoke(*command)
    assert result.exit_code == 1
    assert_one_line(result.stderr, expected)
    # A real process logs to stderr from INFO up (configure_logging): any record would be a second line there.
    assert [record.getMessage() for record in caplog.records] == []


@pytest.mark.parametrize("command", RUN_AND_WORKER, ids=" ".join)
def test_run_and_worker_as_processes_print_nothing_but_the_one_line_for_an_unusable_database(
        telegram_nowhere, tmp_path, command):
    """The processes themselves: exit code 1 and nothing else on stderr (what the in-process test above cannot
    see, e.g. a warning printed by the interpreter); the other unusable databases take the same path."""
    make_url, expected = UNUSABLE["missing folder"]
    env = {**os.environ, **telegram_nowhere, "TEACHLOG_DATABASE_URL": make_url(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "bot", *command], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert_one_line(result.stderr, expected)


def test_a_password_in_the_database_url_is_masked():
    assert masked_url("postgresql+asyncpg://teachlog:s3cret@db.example:5432/teachlog") == \
        "postgresql+asyncpg://teachlog:***@db.example:5432/teachlog"
    assert masked_url("sqlite+aiosqlite:///teachlog.db") == "sqlite+aiosqlite:///teachlog.db"


async def test_any_other_database_error_is_one_line_without_the_statement(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
    db = app_database(url)
    try:
        async with db.engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x TEXT UNIQUE)"))
            await connection.execute(text("INSERT INTO t VALUES (:x)"), {"x": "rules:\n  - secret"})
            with pytest.raises(Exception) as raised:
                await connection.execute(text("INSERT INTO t VALUES (:x)"), {"x": "rules:\n  - secret"})
    finally:
        await db.dispose()
    assert explain(raised.value, url) == f"the database at {url} failed: UNIQUE constraint failed: t.x"


@pytest.mark.parametrize("url", ["teachlog.db", "postgresql://teachlog:s3cret@127.0.0.1/test", "mysql://x@db/teachlog"])
@pytest.mark.parametrize("args", [["db", "upgrade"], ["school", "create", "合川中学"]], ids=" ".join)
def test_a_database_url_teachlog_cannot_open_is_one_line_naming_the_two_it_can(in_tmp, monkeypatch, url, args):
    monkeypatch.setenv("TEACHLOG_DATABASE_URL", url)
    result = invoke(*args)
    assert result.exit_code == 1
    assert_one_line(result.stderr, "teachlog opens sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DATABASE")
