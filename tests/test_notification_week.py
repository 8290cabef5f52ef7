"""A fake clock drives the bot's notification job through the National Day week of 2026.

Monday 28 September to Wednesday 30 September are working days; Thursday 1 and
Friday 2 October are public holidays. The cast: a leader (Wang, on pace), Li
(daily reminders, behind), Zhao (away until Tuesday), Sun (reminders off),
Zhou (weekly reminders, taps "Remind me tomorrow" on Monday) and Qian (on pace).
On Tuesday the bot is down from noon until 20:30.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from sqlalchemy import select

from storage.models import Member
from tests.support.bot import BotHarness, NotificationRounds
from tests.support.notifications import FakeStanding, local

GROUP = -100777
TICKS = ("07:00", "08:00", "12:00", "16:30", "17:00", "20:30", "21:30", "23:00")
DOWN = {("2026-09-29", "16:30"), ("2026-09-29", "17:00")}   # Tuesday afternoon: the bot is down


@pytest.fixture
async def week(db, clock):
    clock.set(local("2026-09-27", "20:00"))   # the Sunday before
    harness = BotHarness(db, clock)
    await harness.create_school(language="en")
    await harness.start()
    fake = harness.fake
    cast = {name: fake.user(uid, name, "Teacher", language_code="en") for uid, name in
            [(1001, "Wang"), (1002, "Li"), (1003, "Zhao"), (1004, "Sun"), (1005, "Zhou"), (1006, "Qian")]}
    await harness.join(cast["Wang"], "leader")
    for name in ("Li", "Zhao", "Sun", "Zhou", "Qian"):
        await harness.join(cast[name], "teacher")
    await harness.say(cast["Zhao"], "/away until 2026-09-29")
    await harness.say(cast["Sun"], "/settings")
    await harness.tap(cast["Sun"], "Off")
    await harness.say(cast["Zhou"], "/settings")
    await harness.tap(cast["Zhou"], "Weekly")
    await fake.send(harness.app, fake.group_text(cast["Wang"], GROUP, "/link top 2"))
    await harness.say(cast["Li"], "/log tutoring Wang Xiaoming 2026-09-25 30 worried about maths")
    await harness.tap(cast["Li"], "✅ Save")
    standing = FakeStanding(db)
    async with db.transaction() as session:
        ids = {m.display_name.split()[0]: m.id for m in await session.scalars(select(Member))}
    standing.on_pace = {ids["Wang"], ids["Qian"]}
    yield harness, cast, NotificationRounds(harness.core, standing)
    await harness.stop()


async def test_a_week_of_reminders_leaderboards_and_digests(week, clock):
    bot, cast, job = week
    fake = bot.fake
    fake.assert_no_errors()
    received: dict[int, list[tuple[str, str]]] = defaultdict(list)   # chat → [(local moment, text)]
    for offset in range(7):
        day = (dt.date(2026, 9, 28) + dt.timedelta(days=offset)).isoformat()
        for at in TICKS:
            if (day, at) in DOWN:
                continue
            clock.set(local(day, at))
            before = len(fake.sent)
            await job.tick(bot.runtime)
            for message in fake.sent[before:]:
                received[message.chat_id].append((f"{day} {at}", message.content))
            if (day, at) == ("2026-09-28", "16:30"):
                await bot.tap(cast["Zhou"], "⏰ Remind me tomorrow")
                assert "remind you on Tue 29 Sep" in bot.last_text(cast["Zhou"])

    def moments(name: str) -> list[str]:
        return [moment for moment, _ in received[cast[name].id]]

    assert moments("Li") == ["2026-09-28 16:30", "2026-09-29 20:30", "2026-09-30 16:30"]   # not on the holidays
    assert moments("Zhao") == ["2026-09-30 16:30"]                                          # away until Tuesday
    assert moments("Sun") == [] and moments("Qian") == []                                    # off; on pace
    assert moments("Zhou") == ["2026-09-28 16:30", "2026-09-29 20:30"]                       # weekly + snooze
    assert moments("Wang") == ["2026-10-02 17:00"]                                           # the digest
    assert [moment for moment, _ in received[GROUP]] == ["2026-09-28 08:00"] * 2             # text and chart
    every_moment = [moment for chat in received.values() for moment, _ in chat]
    assert not [m for m in every_moment if m.endswith(("21:30", "23:00", "07:00"))]        # quiet hours

    reminder = received[cast["Li"].id][0][1]
    assert "behind pace" in reminder and "Tutoring" in reminder and "0 of 2 done; pace asks for 1 by now" in reminder
    board = received[GROUP][0][1]
    assert "(21 Sep – 27 Sep)" in board and "1. Qian Teacher — 100%\n1. Wang Teacher — 100%\n… and 4 more" in board
    assert "Most improved: Li Teacher (+1)" in board and "Tutoring 1 (+1)" in board               # top 2 only
    assert "Xiaoming" not in board and "maths" not in board                                 # never in a group
    digest = received[cast["Wang"].id][0][1]
    assert "Weekly digest (28 Sep – 4 Oct)" in digest and "Li Teacher" in digest and "Sun Teacher" in digest
    assert "Tutoring 0 (last week 1)" in digest
    fake.assert_no_errors()


async def test_log_now_on_a_reminder_opens_the_log_with_the_activity_chosen(week, clock):
    bot, cast, job = week
    clock.set(local("2026-09-28", "16:45"))
    await job.tick(bot.runtime)
    assert [text for text, _ in bot.fake.last_to(cast["Li"].id).inline_buttons] == \
        ["📝 Log now", "⏰ Remind me tomorrow"]
    await bot.tap(cast["Li"], "📝 Log now")
    assert "Which student or family?" in bot.last_text(cast["Li"])


async def tick_at(job, bot, clock, moment: dt.datetime) -> list:
    clock.set(moment)
    before = len(bot.fake.sent)
    await job.tick(bot.runtime)
    return bot.fake.sent[before:]


async def test_a_bot_down_until_quiet_hours_never_sends_that_days_reminders(week, clock):
    bot, cast, job = week
    assert await tick_at(job, bot, clock, local("2026-09-28", "21:05")) == []
    assert await tick_at(job, bot, clock, local("2026-09-29", "07:30")) == []
    sent = await tick_at(job, bot, clock, local("2026-09-29", "16:30"))
    # Tuesday's reminder for Li (Zhao is away, Zhou is weekly), and Monday's leaderboard, late but in the week.
    assert [(m.chat_id, m.method) for m in sent] in (
        [(cast["Li"].id, "sendMessage"), (GROUP, "sendMessage"), (GROUP, "sendPhoto")],
        [(GROUP, "sendMessage"), (cast["Li"].id, "sendMessage"), (GROUP, "sendPhoto")],
        [(GROUP, "sendMessage"), (GROUP, "sendPhoto"), (cast["Li"].id, "sendMessage")])
    assert await tick_at(job, bot, clock, local("2026-09-29", "17:30")) == []
