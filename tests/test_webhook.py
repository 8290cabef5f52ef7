"""`teachlog run --webhook-url`: real processes that Telegram (here the test) posts updates to, one or two replicas.

Each test starts real processes against tests/support/http_bot_api.py, so they take a few seconds each.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import socket
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.database import app_database
from bot.people.schools import create_invite, create_school
from storage.migrate import upgrade
from storage.models import HandledUpdate, Member
from tests.conftest import PG_URL, postgres_reachable
from tests.support.cli import invoke
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.http_bot_api import serve
from tests.support.migrations import empty_postgres_url
from tests.support.processes import BotProcess
from tests.test_kill import LOG_STEPS, REPLY_TIMEOUT, answer, entries_in, school_with_teacher, tap_on_latest

SECRET = "s3cret-for-the-webhook_0"
PUBLIC_URL = "https://bot.school.example/telegram/hook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Replica:
    """One `teachlog run --webhook-url` process, and a way to post it an update as Telegram would."""

    def __init__(self, database_url: str, base_url: str, folder, name: str) -> None:
        self.port = free_port()
        self.process = BotProcess(database_url, base_url, folder, "--webhook-url", PUBLIC_URL,
                                  "--port", str(self.port), "--webhook-secret", SECRET, name=name)
        self.url = f"http://127.0.0.1:{self.port}/telegram/hook"

    async def post(self, update: dict, secret: str | None = SECRET) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with aiohttp.ClientSession() as session, session.post(self.url, json=update, headers=headers) as reply:
            return reply.status

    async def ready(self) -> None:
        """Wait until the process answers on its port (a request without the secret changes nothing)."""
        async def poll() -> None:
            while True:
                with contextlib.suppress(aiohttp.ClientError):
                    if await self.post({}, secret=None) == 401:
                        return
                await asyncio.sleep(0.1)
        try:
            await asyncio.wait_for(poll(), timeout=REPLY_TIMEOUT)
        except TimeoutError:
            raise AssertionError(f"the webhook never listened\n--- log:\n{self.process.log()}") from None


@contextlib.asynccontextmanager
async def replicas(database_url: str, fake: FakeTelegram, folder, count: int) -> AsyncIterator[list[Replica]]:
    async with serve(fake) as base_url:
        started = [Replica(database_url, base_url, folder, f"replica-{n}") for n in range(count)]
        try:
            for replica in started:
                await replica.process.start()
            for replica in started:
                await replica.ready()
            yield started
        finally:
            for replica in started:
                await replica.process.stop()
    for replica in started:
        assert "Traceback" not in replica.process.log()


async def counted(url: str, model) -> int:
    db = app_database(url)
    try:
        async with db.transaction() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        await db.dispose()


async def school_with_invite(url: str) -> str:
    now = dt.datetime.now(dt.UTC)
    db = app_database(url)
    await upgrade(db)
    school = await create_school(db, "Lakeside School", language="en", now=now)
    code = (await create_invite(db, school.school_id, "teacher", now=now)).code
    await db.dispose()
    return code


async def test_a_webhook_is_registered_with_its_secret_and_only_updates_with_the_secret_are_answered(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'teachlog.db'}"
    code = await school_with_invite(url)
    fake = FakeTelegram()
    li = fake.user(1002, "Li", "Lei", language_code="en")
    async with replicas(url, fake, tmp_path, 1) as [replica]:
        assert fake.webhook is not None
        assert (fake.webhook["url"], fake.webhook["secret_token"]) == (PUBLIC_URL, SECRET)
        assert fake.webhook.get("drop_pending_updates") in (None, False)
        join = fake.private_text(li, f"/start {code}")
        assert await replica.post(join, secret=None) == 401
        assert await replica.post(join, secret="not-the-secret") == 401
        await asyncio.sleep(0.5)  # had either been taken, its answer would have come by now
        assert fake.texts_to(li.id) == []
        assert (await counted(url, Member), await counted(url, HandledUpdate)) == (0, 0)
        assert await replica.post(join) == 200
        await fake.wait_until(lambda: any("Welcome, Li Lei" in (t or "") for t in fake.texts_to(li.id)),
                              timeout=REPLY_TIMEOUT)
    assert await counted(url, Member) == 1


@pytest.mark.parametrize("options", [["--webhook-url", PUBLIC_URL], ["--webhook-url", "bot.school.example/hook",
                                                                    "--webhook-secret", SECRET]],
                         ids=["without a secret", "not a URL"])
def test_a_webhook_without_a_secret_or_a_url_is_refused_in_one_line(cli_database, monkeypatch, options):
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    result = invoke("run", *options)
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert "webhook" in line


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL schema and role of its own, for processes that are given nothing but a URL."""
    if not postgres_reachable() and os.environ.get("CI") == "true":
        pytest.fail("PostgreSQL is not reachable at " + PG_URL + ": in CI its half of the suite must run")
    with empty_postgres_url("teachlog_replicas") as url:
        yield url


async def test_two_replicas_on_postgresql_take_a_log_conversation_in_turn_and_it_ends_in_one_entry(
        tmp_path, postgres_url):
    await school_with_teacher(postgres_url)
    fake = FakeTelegram()
    teacher: FakeUser = fake.user(5000, "Wang", "Fang", language_code="en")
    async with replicas(postgres_url, fake, tmp_path, 2) as pair:
        for step, (action, question) in enumerate(LOG_STEPS):
            replica = pair[step % 2]
            update = tap_on_latest(fake, teacher, action[4:]) if action.startswith("tap:") \
                else fake.private_text(teacher, action)
            assert await replica.post(update) == 200
            await answer(fake, teacher, replica.process, question)
        answered = len(fake.texts_to(teacher.id))
        assert await pair[0].post(update) == 200  # the Save, delivered again to the other replica
        await asyncio.sleep(1)
        assert len(fake.texts_to(teacher.id)) == answered, fake.texts_to(teacher.id)[answered - 2:]
    [entry] = await entries_in(postgres_url)
    assert (entry.student_name, entry.duration_minutes, entry.notes) == ("Wang Xiaoming", 45, "talked about homework")
