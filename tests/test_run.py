"""`teachlog run` as an operator runs it: a real process, long polling a Bot API server at TELEGRAM_BASE_URL."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bot.clock import SystemClock
from bot.database import app_database
from bot.people.schools import create_invite, create_school
from storage.migrate import upgrade
from tests.support.fake_telegram import FakeTelegram
from tests.support.http_bot_api import serve

TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


async def test_run_processes_what_was_sent_while_it_was_down_and_stops_cleanly_on_sigterm(tmp_path):
    # The process runs on the real clock, so its data is made on the real clock too, as
    # `teachlog invite create` would make it: the invite is valid whatever day the suite runs.
    now = SystemClock().now()
    url = f"sqlite+aiosqlite:///{tmp_path / 'teachlog.db'}"
    db = app_database(url)
    await upgrade(db)
    school = await create_school(db, "Lakeside School", language="en", now=now)
    code = (await create_invite(db, school.school_id, "teacher", now=now)).code
    await db.dispose()

    fake = FakeTelegram()
    li = fake.user(1002, "Li", "Lei", language_code="en")
    fake.push(fake.private_text(li, f"/start {code}"))  # sent while the bot was down
    async with serve(fake) as base_url:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base_url,
               "TEACHLOG_DATABASE_URL": url}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            await fake.wait_until(lambda: any("Welcome, Li Lei" in (t or "") for t in fake.texts_to(li.id)),
                                  timeout=30)
            fake.push(fake.private_text(li, "/log visit Wang today 30 notes"))
            await fake.wait_until(lambda: any("Please check" in (t or "") for t in fake.texts_to(li.id)),
                                  timeout=10)
        finally:
            process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    assert fake.commands, "the command menu was set"
