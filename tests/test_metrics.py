"""`/metrics` of `teachlog run|worker --metrics-port`: its counters rise with conversations, deliveries,
planning, reports and apologies, and its outbox gauges follow the database."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.chat.events import OtherMessage
from bot.notifications.delivery import deliver_due
from bot.notifications.planning import Planner
from bot.people.schools import create_school, policy_of
from bot.platform_names import TELEGRAM
from bot.reporting.reports import report_window, school_report
from storage import repository as repo
from tests.support.bot import messenger_of
from tests.support.chat import PLATFORM
from tests.support.fake_telegram import FakeTelegram
from tests.support.notifications import FakeStanding, add_members, local
from tests.support.observability import Scraper, checker, rise, value


@pytest.fixture
def schema(db, request) -> str | None:
    """The PostgreSQL schema the `db` fixture uses (None on SQLite)."""
    return None if db.dialect == "sqlite" else request.getfixturevalue("postgres_schema")


async def test_each_update_of_a_logged_conversation_is_counted_by_kind_and_timed(chat, schema, clock):
    li = await chat.add_member("Li Lei", language="en")
    with Scraper(checker(chat.db, schema, clock, PLATFORM)) as scraper:
        before = await scraper.metrics()
        for line in ["/log", "#2", "Zhang Wei's mother", "yesterday 4pm", "#4", "#1", "#1"]:
            await li.send(line)
        assert li.last_text.startswith("✅ Saved: Phone call")
        await li.upload("visit.jpg", b"\xff\xd8 not much of a photo")
        await li.deliver(OtherMessage())
        after = await scraper.metrics()
    counted = {kind: rise(before, after, "teachlog_updates_handled_total", platform=PLATFORM, kind=kind)
               for kind in ("command", "text", "tap", "upload", "other")}
    assert counted == {"command": 1, "text": 2, "tap": 4, "upload": 1, "other": 1}
    assert rise(before, after, "teachlog_step_seconds_count", platform=PLATFORM) == 9
    assert rise(before, after, "teachlog_step_seconds_bucket", platform=PLATFORM, le="+Inf") == 9


@pytest.fixture
def clock(clock):
    clock.set(local("2026-11-19", "16:30"))  # a Thursday at the default reminder time
    return clock


async def test_planned_reminders_wait_in_the_outbox_gauges_until_delivered_and_count_by_result(db, schema, clock):
    school = await create_school(db, "Lakeside School", language="en", now=local("2026-09-01", "09:00"))
    members = await add_members(db, school.school_id, 3)
    fake = FakeTelegram()
    fake.fail_next("sendMessage", kind="forbidden", chat_id=5001)  # this teacher blocked the bot
    fake.fail_next("sendMessage", kind="bad_request", chat_id=5002)
    with Scraper(checker(db, schema, clock, TELEGRAM)) as scraper:
        before = await scraper.metrics()
        planned = await Planner(db, FakeStanding(db)).plan(clock.now())
        assert planned == {"reminder": 3}
        clock.advance(minutes=2)
        waiting = await scraper.metrics()
        async with fake.application_builder().build() as application:
            report = await deliver_due(db, messenger_of(application.bot), clock, "worker-test",
                                       platform=TELEGRAM)
        after = await scraper.metrics()
    assert (report.sent, len(fake.sent)) == (1, 1) and len(members) == 3
    assert rise(before, after, "teachlog_notifications_planned_total", kind="reminder") == 3
    assert value(waiting, "teachlog_outbox_pending_rows", platform=TELEGRAM) == 3
    assert value(waiting, "teachlog_outbox_oldest_due_seconds", platform=TELEGRAM) == 120
    results = {result: rise(before, after, "teachlog_deliveries_total", result=result)
               for result in ("sent", "retried", "unreachable", "failed")}
    assert results == {"sent": 1, "retried": 0, "unreachable": 1, "failed": 1}
    assert value(after, "teachlog_outbox_pending_rows", platform=TELEGRAM) == 0
    assert value(after, "teachlog_outbox_oldest_due_seconds", platform=TELEGRAM) == 0
    assert value(after, "teachlog_database_reachable") == 1


async def test_a_transient_failure_counts_as_retried_and_the_row_waits(db, schema, clock):
    school = await create_school(db, "Lakeside School", language="en", now=local("2026-09-01", "09:00"))
    await add_members(db, school.school_id, 1)
    fake = FakeTelegram()
    fake.fail_next("sendMessage", kind="server_error")
    with Scraper(checker(db, schema, clock, TELEGRAM)) as scraper:
        before = await scraper.metrics()
        await Planner(db, FakeStanding(db)).plan(clock.now())
        async with fake.application_builder().build() as application:
            await deliver_due(db, messenger_of(application.bot), clock, "worker-test", platform=TELEGRAM)
        after = await scraper.metrics()
    assert rise(before, after, "teachlog_deliveries_total", result="retried") == 1
    assert value(after, "teachlog_outbox_pending_rows", platform=TELEGRAM) == 1


async def test_computing_a_school_report_is_timed(db, schema, clock):
    school = await create_school(db, "Lakeside School", language="en", now=local("2026-09-01", "09:00"))
    async with db.transaction() as session:
        policy = policy_of(await repo.require_school(session, school.school_id))
    window = report_window("week", False, dt.date(2026, 11, 19), policy)
    with Scraper(checker(db, schema, clock, TELEGRAM)) as scraper:
        before = await scraper.metrics()
        await school_report(db, school.school_id, window)
        await school_report(db, school.school_id, window)
        after = await scraper.metrics()
    assert rise(before, after, "teachlog_school_report_seconds_count") == 2


async def test_an_apology_for_a_crashed_update_is_counted(bot, li, monkeypatch, schema, clock):
    async def boom(*args, **kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr("bot.logbook.entries.history", boom)
    with Scraper(checker(bot.db, schema, clock, TELEGRAM)) as scraper:
        before = await scraper.metrics()
        [apology] = await bot.fake.send(bot.app, bot.fake.private_text(li, "/history"))
        after = await scraper.metrics()
    assert apology.text.startswith("Sorry, something went wrong on my side.")
    assert rise(before, after, "teachlog_apologies_sent_total", platform=TELEGRAM) == 1
    assert rise(before, after, "teachlog_updates_handled_total", platform=TELEGRAM, kind="command") == 1
