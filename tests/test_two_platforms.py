"""One member, two platforms: one person's reminders, each sent once, to the account they used last; each
platform's sender delivers only its own chats; a blocked account makes its member inactive."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.notifications.delivery import deliver_due
from bot.notifications.messenger import Unreachable
from bot.notifications.planning import Planner
from bot.notifications.sample_reminder import plan_sample_reminder
from bot.people.membership import profile_for_account
from bot.people.schools import SchoolError, create_school
from bot.platform_names import SLACK, TELEGRAM
from storage.models import Member, OutboxMessage
from tests.support.accounts import give_account
from tests.support.notifications import FakeStanding, add_members, local

MONDAY = local("2026-11-16", "16:30")
SLACK_ID = "U05WANG"


class RecordingMessenger:
    """A platform's messenger that keeps what it was asked to send; chats in `refusing` blocked the bot."""

    def __init__(self, refusing: tuple[str, ...] = ()) -> None:
        self.sent: list[tuple[str, str]] = []
        self.refusing = refusing

    async def send(self, chat_id: str, text: str, **_options) -> None:
        if chat_id in self.refusing:
            raise Unreachable("the user blocked the app")
        self.sent.append((chat_id, text))


async def member_on_telegram_and_slack(db) -> Member:
    """Teacher 000: Telegram 5000 and Slack U05WANG, both used some time before the reminder is due."""
    school_id = (await create_school(db, "Lakeside School", language="en", now=MONDAY)).school_id
    [member] = await add_members(db, school_id, 1)
    async with db.transaction() as session:
        await give_account(session, member, SLACK_ID, platform=SLACK, used_at=MONDAY - dt.timedelta(days=3))
    await profile_for_account(db, TELEGRAM, "5000", used_at=MONDAY - dt.timedelta(days=2))
    return member


async def reminders(db) -> list[tuple[str, str, str]]:
    async with db.transaction() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")
                                     .order_by(OutboxMessage.id))
        return [(row.dedupe_key, row.platform, row.chat_id) for row in rows]


async def test_a_member_on_two_platforms_gets_one_reminder_at_the_account_used_last(db):
    member = await member_on_telegram_and_slack(db)
    await profile_for_account(db, SLACK, SLACK_ID, used_at=MONDAY - dt.timedelta(hours=1))
    planner = Planner(db, FakeStanding(db))
    await planner.plan(MONDAY)
    assert await reminders(db) == [(f"reminder:{member.id}:2026-11-16", SLACK, SLACK_ID)]

    # Using Telegram now moves the next reminder there; today's stays the one planned.
    await profile_for_account(db, TELEGRAM, "5000", used_at=MONDAY + dt.timedelta(minutes=5))
    await planner.plan(MONDAY + dt.timedelta(minutes=10))
    await Planner(db, FakeStanding(db)).plan(MONDAY + dt.timedelta(minutes=11))
    tuesday = MONDAY + dt.timedelta(days=1)
    await planner.plan(tuesday)
    assert await reminders(db) == [(f"reminder:{member.id}:2026-11-16", SLACK, SLACK_ID),
                                   (f"reminder:{member.id}:2026-11-17", TELEGRAM, "5000")]


async def test_accounts_used_at_the_same_moment_leave_the_reminder_with_the_older_account(db):
    member = await member_on_telegram_and_slack(db)
    moment = MONDAY - dt.timedelta(hours=1)
    for platform, external_id in ((SLACK, SLACK_ID), (TELEGRAM, "5000")):
        await profile_for_account(db, platform, external_id, used_at=moment)
    await Planner(db, FakeStanding(db)).plan(MONDAY)
    assert await reminders(db) == [(f"reminder:{member.id}:2026-11-16", TELEGRAM, "5000")]


async def test_each_platform_delivers_only_its_own_chats(db, clock):
    clock.set(MONDAY)
    await member_on_telegram_and_slack(db)
    await profile_for_account(db, SLACK, SLACK_ID, used_at=MONDAY - dt.timedelta(hours=1))
    await Planner(db, FakeStanding(db)).plan(MONDAY)
    telegram, slack = RecordingMessenger(), RecordingMessenger()

    by_telegram = await deliver_due(db, telegram, clock, "telegram-sender", platform=TELEGRAM)
    by_slack = await deliver_due(db, slack, clock, "slack-sender", platform=SLACK)

    assert (by_telegram.claimed, telegram.sent) == (0, [])
    assert by_slack.sent == 1 and [chat for chat, _text in slack.sent] == [SLACK_ID]
    async with db.transaction() as session:
        assert list(await session.scalars(select(OutboxMessage.status))) == ["sent"]


async def test_an_account_that_blocked_the_bot_makes_its_member_inactive(db, clock):
    clock.set(MONDAY)
    member = await member_on_telegram_and_slack(db)
    await profile_for_account(db, SLACK, SLACK_ID, used_at=MONDAY - dt.timedelta(hours=1))
    await Planner(db, FakeStanding(db)).plan(MONDAY)

    report = await deliver_due(db, RecordingMessenger(refusing=(SLACK_ID,)), clock, "slack-sender", platform=SLACK)

    assert report.outcomes["blocked"] == 1
    async with db.transaction() as session:
        stored = await session.get(Member, member.id)
        assert (stored.active, stored.blocked_at) == (False, MONDAY)
        assert list(await session.scalars(select(OutboxMessage.status))) == ["failed"]


async def test_a_sample_reminder_goes_to_the_account_used_last_and_not_to_someone_who_never_joined(db):
    member = await member_on_telegram_and_slack(db)
    await profile_for_account(db, SLACK, SLACK_ID, used_at=MONDAY - dt.timedelta(hours=1))
    async with db.transaction() as session:
        session.add(Member(school_id=member.school_id, role="teacher", display_name="Zhang Wei",
                           joined_on=dt.date(2026, 9, 1)))
    planned = await plan_sample_reminder(db, "teacher 000", MONDAY)
    assert (planned.address.platform, planned.address.chat_id) == (SLACK, SLACK_ID)
    with pytest.raises(SchoolError, match="Zhang Wei has not joined yet"):
        await plan_sample_reminder(db, "zhang wei", MONDAY)
