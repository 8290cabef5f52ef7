"""`teachlog run --platform dingtalk` and `teachlog worker --platform dingtalk` as an operator runs them: real
processes against the local DingTalk (run answering on its Stream connection until SIGTERM)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from sqlalchemy import func, select

from bot.clock import SystemClock
from bot.database import app_database
from bot.notifications.sample_reminder import plan_sample_reminder
from bot.people.membership import join_with_invite
from bot.people.schools import create_invite, create_school
from bot.platform_names import DINGTALK
from storage.migrate import upgrade
from storage.models import Entry
from tests.support.dingtalk_chat import SENT_PATHS, buttons_of, shown_text
from tests.support.fake_dingtalk import PATH_BATCH, FakeDingTalk, serve


def environment(fake: FakeDingTalk, database_url: str, secret: str | None = None) -> dict[str, str]:
    env = {**os.environ, "DINGTALK_CLIENT_ID": fake.client_id, "DINGTALK_CLIENT_SECRET": secret or fake.client_secret,
           "DINGTALK_API_URL": fake.base_url, "DINGTALK_OAPI_URL": fake.base_url, "TEACHLOG_DATABASE_URL": database_url}
    return {name: value for name, value in env.items() if not name.startswith("DINGTALK_ROBOT")}


async def run_dingtalk(env: dict[str, str], folder) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--platform", "dingtalk", env=env, cwd=folder,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def test_run_on_dingtalk_logs_an_entry_by_the_button_texts_and_stops_cleanly_on_sigterm(tmp_path):
    # The process runs on the real clock, so the invite is made on it too, as `teachlog invite create` would.
    now = SystemClock().now()
    url = f"sqlite+aiosqlite:///{tmp_path / 'teachlog.db'}"
    db = app_database(url)
    await upgrade(db)
    school = await create_school(db, "Lakeside School", language="en", now=now)
    code = (await create_invite(db, school.school_id, "teacher", now=now)).code
    await db.dispose()

    fake = FakeDingTalk()
    async with serve(fake):
        process = await run_dingtalk(environment(fake, url), tmp_path)
        try:
            await fake.connected(timeout=30)

            def shown() -> list:
                return [r for r in fake.received if r.path in SENT_PATHS and not r.failed]

            async def send(text: str, answer: str) -> None:
                await fake.callback(fake.chatbot_message(f" {text}", sender="staffli", nick="Li Lei"))
                await fake.wait_until(lambda: any(answer in shown_text(r) for r in shown()), timeout=15)

            await send(f"加入 {code}", "Welcome, Li Lei")
            await send("/log visit Wang today 30 talked about homework", "Please check")
            save = next(text for r in reversed(shown()) for label, text in buttons_of(r).items() if "Save" in label)
            await send(save, "✅ Saved")
        finally:
            process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), timeout=10)
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    db = app_database(url)
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Entry)) == 1
    await db.dispose()


async def test_run_on_dingtalk_with_a_refused_secret_says_so_in_one_line_and_exits_non_zero(tmp_path):
    fake = FakeDingTalk()
    async with serve(fake):
        process = await run_dingtalk(environment(fake, f"sqlite+aiosqlite:///{tmp_path / 'teachlog.db'}",
                                                 secret="wrong"), tmp_path)
        _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode != 0
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "DINGTALK_CLIENT_SECRET" in lines[0], lines


async def test_worker_on_dingtalk_delivers_a_reminder_by_batch_send_with_its_buttons(tmp_path):
    now = SystemClock().now()
    url = f"sqlite+aiosqlite:///{tmp_path / 'teachlog.db'}"
    db = app_database(url)
    await upgrade(db)
    school = await create_school(db, "Lakeside School", language="en", now=now)
    code = (await create_invite(db, school.school_id, "teacher", now=now)).code
    await join_with_invite(db, code, platform=DINGTALK, external_id="staffli", display_name="Li Lei", now=now)
    await plan_sample_reminder(db, "Li Lei", now)
    await db.dispose()

    fake = FakeDingTalk()
    async with serve(fake):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "worker", "--platform", "dingtalk", "--once",
            env=environment(fake, url), cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    (sent,) = fake.of(PATH_BATCH)
    assert sent.body["userIds"] == ["staffli"] and "Sample reminder" in shown_text(sent)
    assert any("Remind me tomorrow" in label for label in buttons_of(sent))
