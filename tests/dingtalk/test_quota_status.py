"""What an operator sees while DingTalk's monthly quota holds delivery: `teachlog notify --dry-run` names the hold
and `--resume` lifts it; `/healthz` reports it without turning 503 (a restart would not bring the quota back)."""

from __future__ import annotations

import asyncio

import pytest

import bot.cli.notify as notify_cli
from bot.clock import FixedClock
from bot.database import app_database
from bot.notifications.planning import Planner
from bot.people.schools import create_school
from bot.platform_names import DINGTALK
from storage import delivery_holds
from storage.migrate import upgrade
from tests.support.cli import invoke
from tests.support.notifications import FakeStanding, add_members, local
from tests.support.observability import Scraper, checker

RAN_OUT = local("2026-11-18", "16:30")
HOLD = delivery_holds.Hold(DINGTALK, RAN_OUT, local("2026-12-01", "00:00"),
                           "DingTalk: Forbidden.AccessDenied.ApiCountLimitForOrg")


async def place(db) -> None:
    async with db.transaction() as session:
        assert await delivery_holds.place_hold(session, HOLD)


@pytest.fixture
def database(cli_database, monkeypatch) -> str:
    monkeypatch.setattr(notify_cli, "CLOCK", FixedClock(local("2026-11-19", "10:00")))

    async def fill() -> None:
        db = app_database(cli_database)
        await upgrade(db)
        await place(db)
        await db.dispose()

    asyncio.run(fill())
    return cli_database


def test_the_dry_run_names_the_hold_and_resume_lifts_it(database):
    held = invoke("notify", "--dry-run")
    assert held.exit_code == 0, held.output
    assert "dingtalk is held: its monthly quota of calls ran out at 2026-11-18 08:30 UTC" in held.output
    assert "messages wait until 2026-11-30 16:00 UTC, or `teachlog notify --resume dingtalk`" in held.output
    resumed = invoke("notify", "--resume", "dingtalk")
    assert resumed.exit_code == 0 and "the hold placed at 2026-11-18 08:30 UTC is lifted" in resumed.output
    assert "is held" not in invoke("notify", "--dry-run").output
    assert "dingtalk is not held: nothing to resume" in invoke("notify", "--resume", "dingtalk").output


@pytest.fixture
def schema(db, request) -> str | None:
    return None if db.dialect == "sqlite" else request.getfixturevalue("postgres_schema")


async def test_healthz_reports_the_hold_and_stays_200_while_held_messages_wait(db, schema, clock):
    clock.set(local("2026-11-19", "16:30"))
    school = await create_school(db, "合川中学", now=local("2026-09-01", "09:00"))
    await add_members(db, school.school_id, 2)
    await Planner(db, FakeStanding(db)).plan(clock.now())
    async with db.transaction() as session:  # the reminders wait for DingTalk
        from sqlalchemy import update

        from storage.models import OutboxMessage
        await session.execute(update(OutboxMessage).values(platform=DINGTALK))
    await place(db)
    clock.advance(hours=2)
    with Scraper(checker(db, schema, clock, DINGTALK, max_outbox_delay=900)) as scraper:
        status, health = await scraper.health()
    assert (status, health["status"], health["oldest_due_outbox_seconds"]) == (200, "ok", 7200)
    assert health["delivery"].startswith("held until 2026-11-30T16:00:00+00:00: the monthly quota of calls is used up")


def test_the_digest_line_names_the_platform_the_day_and_the_reminders_in_english_and_chinese():
    import datetime as dt

    from bot.i18n import translator
    from bot.notifications.digest import QuotaOutage, outage_line

    one = QuotaOutage(DINGTALK, dt.date(2026, 11, 18), 1)
    assert outage_line(one, translator("en")) == \
        "⚠️ DingTalk's monthly API quota for your organisation ran out on 18 Nov; 1 reminder was not sent."
    assert outage_line(QuotaOutage(DINGTALK, dt.date(2026, 11, 18), 12), translator("zh")) == \
        "⚠️ 本单位钉钉开放接口的月度调用额度已于11月18日用完；12 条提醒未能发出。"
