"""Delivery through the in-process Bot API: faults, a crash mid-delivery, two senders — each message once."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.notifications.delivery import DeliveryPolicy, deliver_due
from bot.notifications.planning import Planner
from bot.people.groups import LinkOptions, link_group
from bot.platform_names import TELEGRAM
from storage.models import DeliveryAttempt, GroupLink, Member, OutboxMessage
from tests.conftest import postgres_database
from tests.support.accounts import member_of_account
from tests.support.bot import BotHarness, messenger_of
from tests.support.fake_telegram import FakeTelegram
from tests.support.notifications import FakeStanding, add_members, local

MONDAY = local("2026-11-16", "16:30")
POLICY = DeliveryPolicy(batch=5, concurrency=3, lease=dt.timedelta(minutes=2),
                        backoff_base=dt.timedelta(seconds=5), backoff_cap=dt.timedelta(seconds=40))


@pytest.fixture
def clock():
    return FixedClock(MONDAY)


@pytest.fixture
def school_options():
    return {"language": "en"}


async def outbox_rows(db) -> list[OutboxMessage]:
    async with db.transaction() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def unfinished(db) -> list[OutboxMessage]:
    return [r for r in await outbox_rows(db) if r.status in ("pending", "sending")]


class DyingSender:
    """A messenger that hangs on every send, like a process killed while its messages are on their way."""

    def __init__(self) -> None:
        self.hanging = asyncio.Event()

    async def send(self, chat_id, text, **kwargs) -> None:
        self.hanging.set()
        await asyncio.Event().wait()


async def crash_mid_delivery(db, clock) -> None:
    dying = DyingSender()
    task = asyncio.create_task(deliver_due(db, dying, clock, "doomed", platform=TELEGRAM, policy=POLICY))
    await dying.hanging.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_faults_and_a_crash_mid_delivery_lose_and_duplicate_nothing(bot, db, clock):
    school_id = bot.school.school_id
    await add_members(db, school_id, 1, first_user_id=4000, role="leader")
    teachers = await add_members(db, school_id, 12)
    await link_group(db, TELEGRAM, "4000", "-1001", LinkOptions(top_n=3), clock.now())
    await link_group(db, TELEGRAM, "4000", "-1002", LinkOptions(totals_only=True), clock.now())
    planned = await Planner(db, FakeStanding(db)).plan(clock.now())
    assert planned == Counter(reminder=13, leaderboard=2, leaderboard_chart=1)

    fake = bot.fake
    fake.fail_next("sendMessage", kind="retry_after", retry_after=1)
    fake.fail_next("sendMessage", kind="server_error", chat_id=5001)
    fake.fail_next("sendMessage", kind="timeout", chat_id=5002)
    fake.fail_next("sendMessage", kind="network", chat_id=5003, count=2)
    fake.block(5004)
    fake.migrate(-1002, -1009)

    messenger = messenger_of(bot.app.bot)
    report = await deliver_due(db, messenger, clock, "first", platform=TELEGRAM, policy=POLICY)
    assert report.retry_after == 1 and report.outcomes["retry_after"] >= 1
    clock.advance(seconds=2)
    await deliver_due(db, messenger, clock, "first", platform=TELEGRAM, policy=POLICY)

    await crash_mid_delivery(db, clock)
    hung = [r for r in await outbox_rows(db) if r.status == "sending"]
    assert hung and all(r.claimed_by == "doomed" for r in hung)
    await bot.restart()
    messenger = messenger_of(bot.app.bot)

    for _ in range(30):
        if not await unfinished(db):
            break
        clock.advance(seconds=61)
        await deliver_due(db, messenger, clock, "second", platform=TELEGRAM, policy=POLICY)
    rows = await outbox_rows(db)
    assert {r.status for r in rows if r.chat_id != "5004"} == {"sent"}
    assert [r.status for r in rows if r.chat_id == "5004"] == ["failed"]

    sent_per_chat = Counter(m.chat_id for m in fake.sent)
    assert sent_per_chat[4000] == 1
    for user_id in range(5000, 5000 + len(teachers)):
        assert sent_per_chat[user_id] == (0 if user_id == 5004 else 1)
    assert sent_per_chat[-1001] == 2 and sent_per_chat[-1009] == 1 and sent_per_chat[-1002] == 0
    assert [m.method for m in fake.messages_to(-1001)] == ["sendMessage", "sendPhoto"]
    assert fake.messages_to(-1001)[1].photo.startswith(b"\x89PNG")
    texts = {(int(r.chat_id), r.payload["reply"]["text"]) for r in rows if r.status == "sent" and r.attachment is None}
    assert texts == {(m.chat_id, m.text) for m in fake.sent if m.method == "sendMessage"}

    blocked = await member_of_account(db, 5004)
    async with db.transaction() as session:
        links = {link.chat_id: link.active for link in await session.scalars(select(GroupLink))}
        outcomes = Counter(await session.scalars(select(DeliveryAttempt.outcome)))
    assert not blocked.active and blocked.blocked_at is not None
    assert links == {"-1001": True, "-1009": True}
    assert {"retry_after", "transient", "blocked", "moved", "lease_lapsed", "sent"} <= set(outcomes)
    assert outcomes["sent"] == 15


async def test_a_message_that_keeps_failing_gives_up_after_the_last_attempt(bot, db, clock):
    await add_members(db, bot.school.school_id, 1)
    await Planner(db, FakeStanding(db)).plan(clock.now())
    bot.fake.fail_next("sendMessage", kind="server_error", count=100)
    policy = DeliveryPolicy(max_attempts=3, backoff_base=dt.timedelta(seconds=1))
    messenger = messenger_of(bot.app.bot)
    for _ in range(5):
        await deliver_due(db, messenger, clock, "w", platform=TELEGRAM, policy=policy)
        clock.advance(seconds=10)
    [row] = await outbox_rows(db)
    assert (row.status, row.attempts) == ("failed", 3) and "Bad Gateway" in row.last_error
    assert bot.fake.sent == []


async def test_a_bad_request_fails_at_once(bot, db, clock):
    await add_members(db, bot.school.school_id, 1)
    await Planner(db, FakeStanding(db)).plan(clock.now())
    bot.fake.fail_next("sendMessage", kind="bad_request")
    await deliver_due(db, messenger_of(bot.app.bot), clock, "w", platform=TELEGRAM)
    [row] = await outbox_rows(db)
    assert (row.status, row.attempts) == ("failed", 1)


async def test_a_reminder_for_someone_who_went_away_meanwhile_is_cancelled(bot, db, clock):
    [member] = await add_members(db, bot.school.school_id, 1)
    await Planner(db, FakeStanding(db)).plan(clock.now())
    async with db.transaction() as session:
        (await session.get(Member, member.id)).away_until = MONDAY.date()
    await deliver_due(db, messenger_of(bot.app.bot), clock, "w", platform=TELEGRAM)
    [row] = await outbox_rows(db)
    assert (row.status, row.last_error) == ("cancelled", "member away") and bot.fake.sent == []


async def test_unsent_messages_expire_when_quiet_hours_begin(bot, db, clock):
    await add_members(db, bot.school.school_id, 1)
    await Planner(db, FakeStanding(db)).plan(clock.now())
    clock.set(local("2026-11-16", "21:00"))
    await deliver_due(db, messenger_of(bot.app.bot), clock, "w", platform=TELEGRAM)
    [row] = await outbox_rows(db)
    assert row.status == "expired" and bot.fake.sent == []


async def deliver_until_done(db, fake: FakeTelegram, clock, worker_id: str) -> int:
    async with fake.application_builder().build() as app:
        messenger = messenger_of(app.bot)
        sent = 0
        for _ in range(200):
            report = await deliver_due(db, messenger, clock, worker_id, platform=TELEGRAM,
                                       policy=DeliveryPolicy(batch=7))
            sent += report.sent
            if report.claimed == 0 and not await unfinished(db):
                return sent
            await asyncio.sleep(0)
    raise AssertionError("the outbox did not drain")


async def test_two_workers_on_one_postgresql_outbox_send_each_message_once(db, clock, request):
    if db.dialect != "postgresql":
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite is covered by the claim test in test_outbox")
    clock.set(MONDAY)
    harness = BotHarness(db, clock)
    await harness.create_school(language="en")
    await add_members(db, harness.school.school_id, 120)
    await Planner(db, FakeStanding(db)).plan(clock.now())
    other = postgres_database(request.getfixturevalue("postgres_schema"))
    fake = FakeTelegram()
    try:
        first, second = await asyncio.gather(deliver_until_done(db, fake, clock, "one"),
                                             deliver_until_done(other, fake, clock, "two"))
    finally:
        await other.dispose()
    assert first + second == 120 and first > 0 and second > 0
    assert Counter(m.chat_id for m in fake.sent) == Counter(range(5000, 5120))
    async with db.transaction() as session:
        claimed_by = Counter(await session.scalars(select(DeliveryAttempt.outcome)))
    assert claimed_by == Counter(sent=120)


async def test_a_member_who_blocked_the_bot_is_tried_once_and_the_digest_says_so(bot, db, clock):
    clock.set(local("2026-11-20", "17:00"))   # Friday: a reminder and the digest for a leader
    await add_members(db, bot.school.school_id, 2, first_user_id=4000, role="leader")
    planned = await Planner(db, FakeStanding(db)).plan(clock.now())
    assert planned == Counter(reminder=2, digest=2)
    bot.fake.block(4000)
    await deliver_due(db, messenger_of(bot.app.bot), clock, "w", platform=TELEGRAM)
    assert len([c for c in bot.fake.calls_to("sendMessage") if c.params["chat_id"] == 4000]) == 1
    assert sorted(r.status for r in await outbox_rows(db) if r.chat_id == "4000") == ["cancelled", "failed"]
    clock.set(local("2026-11-27", "17:00"))   # next Friday: Zhao's digest lists Wang
    await Planner(db, FakeStanding(db)).plan(clock.now())
    await deliver_due(db, messenger_of(bot.app.bot), clock, "w", platform=TELEGRAM)
    digest = [m.text for m in bot.fake.messages_to(4001) if "digest" in m.text][-1]
    assert "Blocked me, so they get no reminders:\n• Teacher 000" in digest
