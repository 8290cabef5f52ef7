"""The outbox on DingTalk, against the local DingTalk over HTTP: reminders alike go 20 people a batchSend, each row
recorded once; the organisation's monthly quota holds delivery once, logged once, named in the leaders' digest."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

import pytest
from sqlalchemy import select

from bot.chat.reply_path import ReplyPath
from bot.chat.text_buttons import TextButtons
from bot.notifications.notifier import Notifier
from bot.people.schools import create_school
from bot.platform_names import DINGTALK
from bot.settings import DingTalkConfig
from handlers.dingtalk.port import DingTalkPort
from storage import delivery_holds
from storage.models import DeliveryAttempt, Member, OutboxMessage
from tests.support.accounts import give_account
from tests.support.fake_dingtalk import PATH_BATCH, PATH_WEBHOOK, FakeDingTalk
from tests.support.notifications import BEHIND_RULE, FakeStanding, local, progress

WEDNESDAY = local("2026-11-18", "16:30")
NOW_MS = 1_800_000_000_000


@pytest.fixture
def port(fake, api, db, clock):
    config = DingTalkConfig(fake.client_id, fake.client_secret, fake.client_id, fake.base_url, fake.base_url)
    return DingTalkPort(config, api, TextButtons(db, clock), now_ms=lambda: NOW_MS)


@pytest.fixture
async def school(db, clock):
    clock.set(WEDNESDAY)
    return (await create_school(db, "合川中学", now=WEDNESDAY)).school_id


@pytest.fixture
def standing(db) -> FakeStanding:
    return FakeStanding(db)


async def teachers(db, school_id: int, count: int, *, role: str = "teacher", first: int = 0) -> list[Member]:
    """Members on DingTalk with staff ids staff<first>…, all behind pace alike (see FakeStanding)."""
    async with db.transaction() as session:
        members = [Member(school_id=school_id, role=role, display_name=f"老师{first + i:02d}",
                          joined_on=dt.date(2026, 9, 1)) for i in range(count)]
        session.add_all(members)
        for i, member in enumerate(members):
            await give_account(session, member, f"staff{first + i}", platform=DINGTALK)
        return members


def delivered(fake: FakeDingTalk) -> Counter:
    """How often each staff id was sent a message that batchSend accepted for them."""
    reached: Counter = Counter()
    for call in fake.of(PATH_BATCH):
        if not call.failed:
            reached.update(u for u in call.body["userIds"]
                           if u not in fake.invalid_users and u not in fake.flow_controlled_users)
    return reached


async def statuses(db) -> Counter:
    async with db.transaction() as session:
        return Counter(row.status for row in await session.scalars(select(OutboxMessage)))


async def outcomes(db) -> Counter:
    async with db.transaction() as session:
        return Counter(a.outcome for a in await session.scalars(select(DeliveryAttempt)))


def notifier(db, clock, standing) -> Notifier:
    return Notifier(db, clock, standing, "worker-1", platform=DINGTALK)


async def test_forty_five_teachers_behind_alike_get_their_reminder_in_three_calls(db, clock, fake, port, school,
                                                                                   standing):
    await teachers(db, school, 45)
    report = await notifier(db, clock, standing).tick(ReplyPath(port))
    calls = fake.of(PATH_BATCH)
    assert sorted(len(call.body["userIds"]) for call in calls) == [5, 20, 20]
    assert delivered(fake) == Counter({f"staff{n}": 1 for n in range(45)})
    assert report.delivered["sent"] == 45 and await statuses(db) == Counter(sent=45)
    assert "⏰" in calls[0].body["msgParam"]


async def test_a_teacher_in_another_situation_gets_a_message_of_their_own(db, clock, fake, port, school, standing):
    members = await teachers(db, school, 5)
    standing.extra[members[0].id] = [progress(BEHIND_RULE, done=0, target=3, expected=2)]
    await notifier(db, clock, standing).tick(ReplyPath(port))
    assert sorted(call.body["userIds"] for call in fake.of(PATH_BATCH)) == [
        ["staff0"], ["staff1", "staff2", "staff3", "staff4"]]
    assert await statuses(db) == Counter(sent=5)


async def test_in_a_batch_one_person_gone_fails_alone_and_one_held_is_retried_alone(db, clock, fake, port, school,
                                                                                    standing):
    await teachers(db, school, 6)
    fake.invalid_users.add("staff2")
    fake.flow_controlled_users.add("staff4")
    job = notifier(db, clock, standing)
    await job.tick(ReplyPath(port))
    assert await outcomes(db) == Counter(sent=4, blocked=1, retry_after=1)
    fake.flow_controlled_users.clear()
    clock.advance(minutes=2)
    await job.tick(ReplyPath(port))
    first, second = (sorted(call.body["userIds"]) for call in fake.of(PATH_BATCH))
    assert first == [f"staff{n}" for n in range(6)] and second == ["staff4"]  # held back the first time
    assert await statuses(db) == Counter(sent=5, failed=1)


async def test_a_throttled_batch_is_retried_as_one_batch_and_nobody_gets_it_twice(db, clock, fake, port, school,
                                                                                  standing):
    await teachers(db, school, 20)
    fake.throttle(PATH_BATCH)
    job = notifier(db, clock, standing)
    report = await job.tick(ReplyPath(port))
    assert report.retry_after is not None and await statuses(db) == Counter(pending=20)
    clock.advance(minutes=2)
    await job.tick(ReplyPath(port))
    first, second = fake.of(PATH_BATCH)
    assert first.failed and len(second.body["userIds"]) == 20
    assert delivered(fake) == Counter({f"staff{n}": 1 for n in range(20)})
    assert await outcomes(db) == Counter(retry_after=20, sent=20)


async def test_the_monthly_quota_holds_delivery_until_the_month_turns_logged_once(db, clock, fake, port, school,
                                                                                  standing, caplog):
    await teachers(db, school, 25)
    fake.quota_exhausted(PATH_BATCH, times=2)
    job = notifier(db, clock, standing)
    with caplog.at_level(logging.ERROR):
        await job.tick(ReplyPath(port))
        calls = len(fake.of(PATH_BATCH))
        for _ in range(3):  # later rounds the same day call nothing
            clock.advance(minutes=10)
            await job.tick(ReplyPath(port))
    assert calls == 2 and len(fake.of(PATH_BATCH)) == 2
    assert len([r for r in caplog.records if "monthly quota" in r.getMessage()]) == 1
    assert await statuses(db) == Counter(pending=25)
    async with db.transaction() as session:
        hold = await delivery_holds.hold_of(session, DINGTALK)
    assert hold is not None and hold.until == local("2026-12-01", "00:00")
    clock.set(local("2026-12-01", "08:00"))  # the reminders of 18 November expired meanwhile, unsent
    await job.tick(ReplyPath(port))
    assert await statuses(db) == Counter(expired=25)
    async with db.transaction() as session:  # ended, and kept for the digest of its week
        assert not (await delivery_holds.hold_of(session, DINGTALK)).active(clock.now())


async def test_while_held_a_leader_who_just_wrote_gets_the_digest_naming_the_quota_over_the_webhook(
        db, clock, fake, port, school, standing):
    await teachers(db, school, 3)
    (leader,) = await teachers(db, school, 1, role="leader", first=3)
    standing.on_pace = {leader.id}
    fake.quota_exhausted(PATH_BATCH)
    job = notifier(db, clock, standing)
    await job.tick(ReplyPath(port))  # Wednesday's reminders hit the quota
    clock.set(local("2026-11-20", "17:00"))  # Friday: the digest is due
    await job.tick(ReplyPath(port))
    assert len(fake.of(PATH_BATCH)) == 1 and fake.of(PATH_WEBHOOK) == []
    raw = fake.chatbot_message(" /mine", sender="staff3")
    raw["sessionWebhookExpiredTime"] = NOW_MS + 3_600_000
    await port.event_of(raw)  # the leader writes to the robot: its session webhook is open
    clock.advance(minutes=1)
    await job.tick(ReplyPath(port))
    (answer,) = fake.of(PATH_WEBHOOK)
    text = str(answer.body)
    assert "每周简报" in text and "钉钉开放接口的月度调用额度已于11月18日用完；3 条提醒未能发出" in text
    assert len(fake.of(PATH_BATCH)) == 1  # still nothing through the OpenAPI
