"""`teachlog notify --dry-run`, `teachlog school reminders`, and the worker's loop against the in-process Bot API."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import select

import bot.cli.notify as notify_cli
from bot.app_context import AppContext
from bot.clock import FixedClock
from bot.database import app_database
from bot.notifications.delivery import DeliveryPolicy
from bot.notifications.notifier import Notifier
from bot.people.schools import create_school
from bot.platform_names import TELEGRAM
from bot.settings import Settings
from storage.migrate import upgrade
from storage.models import OutboxMessage
from tests.support.bot import messenger_of
from tests.support.cli import invoke
from tests.support.fake_telegram import FakeTelegram
from tests.support.notifications import FakeStanding, add_members, local


@pytest.fixture
def database(cli_database, monkeypatch) -> str:
    url = cli_database
    monkeypatch.setattr(notify_cli, "CLOCK", FixedClock(local("2026-11-19", "10:00")))

    async def fill() -> None:
        db = app_database(url)
        await upgrade(db)
        school = await create_school(db, "Lakeside School", language="en", now=local("2026-09-01", "09:00"))
        await add_members(db, school.school_id, 2)
        await db.dispose()

    asyncio.run(fill())
    return url



def test_dry_run_lists_who_would_be_reminded_and_writes_nothing(database):
    result = invoke("notify", "--dry-run", "--date", "2026-11-19", "--time", "16:30")
    assert result.exit_code == 0, result.output
    assert "2 message(s) would be planned at that moment" in result.output
    assert "Teacher 000" in result.output and "reminder:1:2026-11-19" in result.output
    assert "Tutoring" in result.output
    quiet = invoke("notify", "--dry-run", "--time", "21:30")
    assert "0 message(s) would be planned at that moment" in quiet.output
    morning = invoke("notify", "--dry-run")          # now: 10:00, before the reminder time
    assert "0 message(s) would be planned now" in morning.output

    async def outbox_rows() -> list:
        db = app_database(database)
        async with db.transaction() as session:
            rows = list(await session.scalars(select(OutboxMessage)))
        await db.dispose()
        return rows
    assert asyncio.run(outbox_rows()) == []


@pytest.mark.parametrize("args, message", [
    (["notify", "--dry-run", "--date", "19/11"], "cannot read --date '19/11'"),
    (["notify", "--dry-run", "--time", "4pm"], "cannot read --time '4pm'"),
    (["notify", "--date", "2026-11-19"], "only go with --dry-run"),
    (["school", "reminders", "1", "--time", "22:00"], "falls in the quiet hours"),
    (["school", "reminders", "7"], "no school with id 7"),
])
def test_bad_options_are_one_line_errors(database, args, message):
    result = invoke(*args)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_school_reminders_shows_and_sets_the_time_and_quiet_hours(database):
    assert "reminders at 16:30, quiet hours 21:00-08:00" in invoke("school", "reminders", "1").output
    result = invoke("school", "reminders", "1", "--time", "17:15", "--quiet", "22:00-07:30")
    assert "reminders at 17:15, quiet hours 22:00-07:30 (Asia/Shanghai)" in result.output
    assert "0 message(s)" in invoke("notify", "--dry-run", "--date", "2026-11-19", "--time", "17:10").output
    assert "2 message(s)" in invoke("notify", "--dry-run", "--date", "2026-11-19", "--time", "17:20").output


async def test_the_worker_loop_delivers_until_stopped(db, clock):
    clock.set(local("2026-11-19", "16:30"))
    school = await create_school(db, "Lakeside School", language="en", now=clock.now())
    await add_members(db, school.school_id, 3)
    notifier = Notifier(db, clock, FakeStanding(db), "worker-test", platform=TELEGRAM,
                        policy=DeliveryPolicy(batch=2))
    fake = FakeTelegram()
    stop = asyncio.Event()
    async with fake.application_builder().build() as application:
        task = asyncio.create_task(notifier.run(messenger_of(application.bot), stop, interval=0.05))
        await fake.wait_until(lambda: len(fake.sent) == 3)
        stop.set()
        await asyncio.wait_for(task, timeout=2)
    assert sorted(m.chat_id for m in fake.sent) == [5000, 5001, 5002]


class FakePlatform:
    """What `teachlog worker` needs of a platform: its name (whose outbox rows it delivers) and a messenger."""

    name = TELEGRAM

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake

    @contextlib.asynccontextmanager
    async def messenger(self):
        async with self.fake.application_builder().build() as application:
            yield messenger_of(application.bot)


async def test_worker_once_plans_and_delivers_one_round(tmp_path, clock):
    clock.set(local("2026-11-19", "16:30"))
    db = app_database(f"sqlite+aiosqlite:///{tmp_path / 'worker.db'}")
    await upgrade(db)
    school = await create_school(db, "Lakeside School", language="en", now=local("2026-09-01", "09:00"))
    await add_members(db, school.school_id, 2)
    fake = FakeTelegram()
    report = await notify_cli.run_worker(AppContext(db=db, settings=Settings(_env_file=None), clock=clock),
                                         FakePlatform(fake), interval=0, once=True)
    assert report.planned["reminder"] == 2 and report.delivered["sent"] == 2
    assert notify_cli.report_line(report) == "planned: reminder 2; delivered: sent 2"
    assert sorted(m.chat_id for m in fake.sent) == [5000, 5001]


async def test_a_sample_reminder_goes_to_the_member_now_marked_as_a_sample(tmp_path, clock):
    from bot.notifications.sample_reminder import plan_sample_reminder

    clock.set(local("2026-09-01", "10:00"))  # day one: nobody is behind pace yet, and it is not reminder time
    db = app_database(f"sqlite+aiosqlite:///{tmp_path / 'sample.db'}")
    await upgrade(db)
    school = await create_school(db, "Lakeside School", language="en", now=clock.now())
    await add_members(db, school.school_id, 2)
    planned = await plan_sample_reminder(db, "teacher 001", clock.now())
    assert (planned.address.platform, planned.address.chat_id) == (TELEGRAM, "5001")
    fake = FakeTelegram()
    report = await notify_cli.run_worker(AppContext(db=db, settings=Settings(_env_file=None), clock=clock),
                                         FakePlatform(fake), interval=0, once=True)
    assert report.delivered["sent"] == 1 and [m.chat_id for m in fake.sent] == [5001]
    text = fake.sent[0].text
    assert text.startswith("🧪 Sample reminder: this is what a member behind pace gets.\n⏰ You are behind pace")
    assert "Tutoring · Teachers tutor at least twice a week" in text and "pace asks for" in text


def test_sample_needs_a_member_who_has_joined(database):
    assert "--sample needs --member NAME" in invoke("notify", "--sample").output
    result = invoke("notify", "--sample", "--member", "Nobody Here")
    assert result.exit_code == 1 and "no member is called 'Nobody Here'" in result.output
