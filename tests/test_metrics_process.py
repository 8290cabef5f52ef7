"""`teachlog worker|run --metrics-port N [--log-format json]` as an operator runs them: real processes that answer
/healthz and /metrics over HTTP on 127.0.0.1 while they work, write JSON lines, and stop on SIGTERM; bad
options are one line."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
from collections.abc import Callable

import aiohttp
import pytest

from bot.clock import SystemClock
from bot.database import app_database
from bot.notifications.sample_reminder import plan_sample_reminder
from bot.people.schools import create_school
from storage.migrate import upgrade
from tests.support.cli import invoke
from tests.support.fake_telegram import FakeTelegram
from tests.support.http_bot_api import serve
from tests.support.notifications import add_members
from tests.support.observability import health_over_http, metrics_over_http, value
from tests.support.processes import TOKEN


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def health_when_listening(url: str, timeout: float = 30) -> tuple[int, dict]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            return await health_over_http(url)
        except aiohttp.ClientConnectionError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)


async def metrics_once(url: str, shown: Callable[[dict], bool], timeout: float = 30) -> dict:
    """/metrics as soon as it shows what `shown` waits for."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not shown(samples := await metrics_over_http(url)):
        assert asyncio.get_running_loop().time() < deadline, "/metrics never showed it"
        await asyncio.sleep(0.1)
    return samples


async def test_the_worker_answers_healthz_and_metrics_over_http_while_it_delivers(tmp_path):
    # The process runs on the real clock, so its data is made on the real clock too.
    now = SystemClock().now()
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'teachlog.db'}"
    db = app_database(database_url)
    await upgrade(db)
    school = await create_school(db, "Lakeside School", language="en", now=now)
    [teacher] = await add_members(db, school.school_id, 1, reminder_frequency="off")
    await plan_sample_reminder(db, teacher.display_name, now)
    await db.dispose()
    fake, port = FakeTelegram(), free_port()
    async with serve(fake) as base_url:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base_url,
               "TEACHLOG_DATABASE_URL": database_url}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "worker", "--interval", "0.2", "--metrics-port", str(port),
            "--log-format", "json", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            url = f"http://127.0.0.1:{port}"
            status, health = await health_when_listening(url)
            assert (status, health["database"], health["platform"]) == (200, "reachable", "not applicable")
            metrics = await metrics_once(url, lambda samples: value(samples, "teachlog_deliveries_total",
                                                                    result="sent") > 0
                                         and value(samples, "teachlog_outbox_pending_rows", platform="telegram") == 0)
            assert len(fake.sent) == 1
            assert await health_over_http(url) == (200, {
                "status": "ok", "database": "reachable", "platform": "not applicable",
                "oldest_due_outbox_seconds": 0.0, "max_outbox_delay_seconds": 900.0})
        finally:
            err = await stopped(process)
    assert process.returncode == 0, err.decode()
    assert value(metrics, "teachlog_deliveries_total", result="sent") == 1
    assert value(metrics, "teachlog_database_reachable") == 1
    lines = [json.loads(line) for line in err.decode().splitlines()]
    assert any(line["message"] == f"serving /healthz and /metrics at http://127.0.0.1:{port}" for line in lines)
    assert all(set(line) >= {"time", "level", "logger", "message"} for line in lines)
    assert teacher.display_name not in err.decode()


async def test_the_bot_reports_its_platform_connected_and_counts_the_updates_it_answers(tmp_path):
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'teachlog.db'}"
    db = app_database(database_url)
    await upgrade(db)
    await db.dispose()
    fake, port = FakeTelegram(), free_port()
    stranger = fake.user(1002, "Li", "Lei", language_code="en")
    async with serve(fake) as base_url:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base_url,
               "TEACHLOG_DATABASE_URL": database_url}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--metrics-port", str(port), env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            url = f"http://127.0.0.1:{port}"
            await health_when_listening(url)
            fake.push(fake.private_text(stranger, "/help"))
            metrics = await metrics_once(url, lambda samples: value(
                samples, "teachlog_updates_handled_total", platform="telegram", kind="command") == 1)
            status, health = await health_over_http(url)
        finally:
            err = await stopped(process)
    assert process.returncode == 0, err.decode()
    assert (status, health["platform"], health["database"]) == (200, "connected", "reachable")
    assert value(metrics, "teachlog_platform_connected", platform="telegram") == 1
    assert value(metrics, "teachlog_step_seconds_count", platform="telegram") == 1


@pytest.mark.parametrize("command", ["run", "worker"])
def test_an_unknown_log_format_or_a_port_taken_is_one_line(command, cli_database, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:9/bot")  # nothing answers: it is never asked
    result = invoke(command, "--log-format", "xml")
    assert (result.exit_code, result.output.strip()) == (1, "teachlog: unknown --log-format 'xml': use text or json")
    result = invoke(command, "--metrics-port", "70000")
    assert (result.exit_code, result.output.strip()) == (1, "teachlog: --metrics-port 70000 is not a port: use 1-65535")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke(command, "--metrics-port", str(port))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"teachlog: cannot listen on 127.0.0.1:{port} for --metrics-port: Address already in use"]


async def stopped(process: asyncio.subprocess.Process) -> bytes:
    """SIGTERM, then what the process wrote to stderr once it ended (killed after 20 s)."""
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        _out, err = await asyncio.wait_for(process.communicate(), timeout=20)
    except TimeoutError:
        process.kill()
        raise
    return err
