"""A member's say over reminders — /away, /back, /settings, "Remind me tomorrow", blocking the bot —
and reminders from the real standings, end to end."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.models import Member
from tests.support.accounts import member_of_account
from tests.support.bot import NotificationRounds
from tests.support.notifications import local


@pytest.fixture
def school_options():
    return {"language": "en"}


async def member(db, telegram_user_id: int) -> Member:
    found = await member_of_account(db, telegram_user_id)
    assert found is not None
    return found


async def test_away_until_a_day_and_back(bot, li):
    await bot.say(li, "/away until dec 3")
    assert "no reminders up to and including Thu 3 Dec" in bot.last_text(li)
    assert (await member(bot.db, li.id)).away_until == dt.date(2026, 12, 3)
    await bot.say(li, "/settings")
    assert "You are away until Thu 3 Dec" in bot.last_text(li)
    await bot.say(li, "/back")
    assert "Welcome back" in bot.last_text(li)
    assert (await member(bot.db, li.id)).away_until is None
    await bot.say(li, "/back")
    assert "You were not away" in bot.last_text(li)


async def test_away_says_what_is_wrong(bot, li):
    for text, answer in [("/away", "Tell me your last day away"),
                         ("/away until someday", "could not read that day"),
                         ("/away until yesterday", "already passed"),
                         ("/away 2026-11-01", "already passed"),
                         ("/away 2028-01-01", "more than 366 days ahead")]:
        await bot.say(li, text)
        assert answer in bot.last_text(li), text
    assert (await member(bot.db, li.id)).away_until is None


async def test_away_in_a_group_points_to_the_private_chat(bot, li):
    await bot.fake.send(bot.app, bot.fake.group_text(li, -100123, "/away 3 days"))
    assert "private chat" in bot.fake.last_to(-100123).text


async def test_settings_offers_reminder_frequency_and_time(bot, li):
    await bot.say(li, "/settings")
    assert "Reminders: every working day at 16:30" in bot.last_text(li)
    assert bot.buttons(li) == ["中文", "English", "✓ Daily", "Weekly", "Off"]
    await bot.tap(li, "Weekly")
    assert "first working day of each week at 16:30" in bot.last_text(li)
    await bot.say(li, "/settings 17:45")
    assert "each week at 17:45" in bot.last_text(li)
    await bot.say(li, "/settings 22:00")
    assert "quiet hours (21:00–08:00)" in bot.last_text(li)
    await bot.say(li, "/settings later")
    assert "/settings 17:30" in bot.last_text(li)
    await bot.say(li, "/settings")
    await bot.tap(li, "Off")
    assert bot.last_text(li) == "Reminders: off."
    stored = await member(bot.db, li.id)
    assert (stored.reminder_frequency, stored.reminder_time) == ("off", "17:45")


async def test_blocking_the_bot_makes_a_member_inactive_until_they_unblock_it(bot, li):
    await bot.fake.send(bot.app, bot.fake.blocked(li))
    stored = await member(bot.db, li.id)
    assert not stored.active and stored.blocked_at == bot.clock.now()
    await bot.fake.send(bot.app, bot.fake.unblocked(li))
    stored = await member(bot.db, li.id)
    assert stored.active and stored.blocked_at is None
    await bot.say(li, "/mine")
    assert "not a member" not in bot.last_text(li)


async def test_reminders_from_the_real_standings_reach_only_who_is_behind(bot, li, clock):
    """Friday 20 November, members since Wednesday: two tutoring sessions a week, prorated, ask for one by now."""
    zhao = bot.fake.user(1003, "Zhao", "Min", language_code="en")
    await bot.join(zhao, "teacher")
    clock.set(local("2026-11-20", "10:00"))
    await bot.say(zhao, "/log tutoring Sun Wu yesterday 30 fractions")
    await bot.tap(zhao, "✅ Save")
    job = NotificationRounds(bot.core)
    clock.set(local("2026-11-20", "16:30"))
    before = len(bot.fake.sent)
    report = await job.tick(bot.runtime)
    sent = bot.fake.sent[before:]
    assert [m.chat_id for m in sent] == [li.id] and report.delivered["sent"] == 1
    assert "Tutoring · Teachers tutor at least twice a week" in sent[0].text and "0 of 2" in sent[0].text
    await bot.tap(li, "⏰ Remind me tomorrow")
    assert "remind you on Mon 23 Nov" in bot.last_text(li)
    assert (await member(bot.db, li.id)).snoozed_until == dt.date(2026, 11, 23)
    clock.advance(minutes=30)
    assert (await job.tick(bot.runtime)).delivered["sent"] == 0
