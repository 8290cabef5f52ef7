"""Notifications on Slack end to end: planned into the outbox, delivered by the Slack platform's notifier through
the local Web API, and the buttons of a reminder tapped through the real Bolt app. Each message goes out once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.chat.pacing import Pacer
from bot.chat.reply_path import ReplyPath
from bot.notifications.notifier import Notifier
from bot.platform_names import SLACK
from handlers.slack.port import SlackPort
from storage import repository as repo
from storage.models import GroupLink
from tests.support.fake_slack import buttons_of
from tests.support.notifications import FakeStanding, local
from tests.support.stored import add_entry

LI, BOSS = "U0LI", "U0BOSS"
STAFF = "C0STAFF"
STUDENT, NOTES = "Zhao Xiaoyu", "mother worried about fees"
MONDAY_REMINDERS = local("2026-11-23", "16:30")
MONDAY_LEADERBOARD = local("2026-11-23", "08:00")
FRIDAY_DIGEST = local("2026-11-27", "17:00")


@pytest.fixture
async def school(slack) -> dict[str, int]:
    """Li (a teacher, behind pace) and the principal (a leader, on pace), both on Slack; a linked staff channel."""
    ids = {LI: await slack.add_member(LI, "Li Lei", language="en"),
           BOSS: await slack.add_member(BOSS, "Principal Zhang", role="leader", language="en")}
    await slack.command(BOSS, "link", channel_id=STAFF, channel_name="staff")
    await add_entry(slack.db, slack.school.school_id, ids[LI], "home_visit", dt.date(2026, 11, 17), STUDENT, NOTES)
    slack.fake.calls.clear()
    return ids


@pytest.fixture
def notifier(slack, school) -> Notifier:
    standing = FakeStanding(slack.db)
    standing.on_pace = {school[BOSS]}
    return Notifier(slack.db, slack.clock, standing, "slack-test", platform=SLACK)


async def tick(slack, notifier: Notifier, moment: dt.datetime):
    slack.clock.set(moment)
    return await notifier.tick(ReplyPath(SlackPort(slack.client), pacer=Pacer(0.0)))


async def test_a_reminder_is_a_dm_with_log_now_and_remind_me_tomorrow_and_both_taps_work(slack, notifier):
    await tick(slack, notifier, MONDAY_REMINDERS)
    [reminder] = slack.fake.posts_to(LI)
    assert "behind pace" in slack.fake.texts_to(LI)[0]
    assert [label for label, _ in buttons_of(reminder)] == ["📝 Log now", "⏰ Remind me tomorrow"]
    assert slack.fake.posts_to(BOSS) == [], "on pace: no reminder"

    await slack.tap_label(LI, "⏰ Remind me tomorrow")
    assert "remind you on Tue 24 Nov" in "\n".join(slack.fake.texts_to(LI)[1:])
    await slack.tap_label(LI, "📝 Log now")
    assert "Which student or family?" in slack.fake.texts_to(LI)[-1]

    sent = len(slack.fake.posts_to(LI))
    await tick(slack, notifier, MONDAY_REMINDERS + dt.timedelta(minutes=5))
    other_instance = Notifier(slack.db, slack.clock, FakeStanding(slack.db), "slack-other", platform=SLACK)
    await tick(slack, other_instance, MONDAY_REMINDERS + dt.timedelta(minutes=6))
    assert len(slack.fake.posts_to(LI)) == sent, "the reminder went out once"


async def test_a_429_holds_the_reminder_back_until_slacks_retry_after_and_it_is_then_sent_once(slack, notifier):
    slack.fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=20)
    report = await tick(slack, notifier, MONDAY_REMINDERS)
    assert report.retry_after == 20 and report.delivered["retry_after"] == 1
    await tick(slack, notifier, MONDAY_REMINDERS + dt.timedelta(seconds=10))
    assert len(slack.fake.posts_to(LI)) == 1, "not before Retry-After"
    report = await tick(slack, notifier, MONDAY_REMINDERS + dt.timedelta(seconds=25))
    assert report.delivered["sent"] == 1 and len(slack.fake.posts_to(LI)) == 2


async def test_the_linked_channel_gets_the_weekly_leaderboard_with_its_chart_and_no_student_or_note(slack, notifier):
    await tick(slack, notifier, MONDAY_LEADERBOARD)
    [board] = slack.fake.texts_to(STAFF)
    assert "(16 Nov – 22 Nov)" in board and "Li Lei" in board
    [upload] = [args for args in slack.fake.of("files.completeUploadExternal") if args["channel_id"] == STAFF]
    [asked] = slack.fake.of("files.getUploadURLExternal")
    assert asked["filename"].endswith(".png")
    assert [data[:4] for data in slack.fake.uploads.values()] == [b"\x89PNG"]
    assert upload["files"][0]["title"].endswith(".png")
    for text in slack.fake.channel_texts():
        assert STUDENT not in text and NOTES not in text
    await tick(slack, notifier, MONDAY_LEADERBOARD + dt.timedelta(hours=1))
    assert len(slack.fake.texts_to(STAFF)) == 1 and len(slack.fake.of("files.completeUploadExternal")) == 1


async def test_an_inactive_slack_account_makes_its_member_inactive_and_the_friday_digest_says_so(slack, notifier,
                                                                                                 school):
    slack.fake.fail("chat.postMessage", "account_inactive")
    report = await tick(slack, notifier, MONDAY_REMINDERS)
    assert report.delivered["blocked"] == 1
    async with slack.db.transaction() as session:
        li = await repo.member_by_account(session, SLACK, LI)
        assert li is not None and li.active is False

    await tick(slack, notifier, FRIDAY_DIGEST)
    [digest] = slack.fake.texts_to(BOSS)
    assert "Weekly digest (23 Nov – 29 Nov)" in digest
    assert "Blocked me, so they get no reminders:" in digest and "Li Lei" in digest.split("Blocked me")[1]
    assert len(slack.fake.posts_to(LI)) == 1, "the unreachable member was not tried again"
    await tick(slack, notifier, FRIDAY_DIGEST + dt.timedelta(minutes=30))
    assert len(slack.fake.texts_to(BOSS)) == 1, "the digest went out once"


async def test_a_channel_the_app_was_removed_from_loses_its_link_and_its_chart_is_not_tried(slack, notifier):
    slack.fake.fail("chat.postMessage", "not_in_channel")
    report = await tick(slack, notifier, MONDAY_LEADERBOARD)
    assert report.delivered["blocked"] == 1
    assert slack.fake.of("files.getUploadURLExternal") == []
    async with slack.db.transaction() as session:
        [link] = await session.scalars(select(GroupLink))
        assert (link.chat_id, link.active) == (STAFF, False)
    await tick(slack, notifier, MONDAY_LEADERBOARD + dt.timedelta(hours=1))
    assert len(slack.fake.posts_to(STAFF)) == 1
