"""/away, /back and "Remind me tomorrow" through the chat core, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.chat.actions import Snooze, encode
from bot.chat.events import Tap
from storage import repository as repo


async def stored(chat, driver):
    async with chat.db.transaction() as session:
        return await repo.member_by_account(session, driver.platform, driver.user_id)


async def test_away_until_a_day_then_back_in_english(chat, li):
    await li.send("/away until dec 3")
    assert li.last_text == "Got it: no reminders up to and including Thu 3 Dec. Send /back if you return earlier."
    assert (await stored(chat, li)).away_until == dt.date(2026, 12, 3)
    await li.send("/settings")
    assert "You are away until Thu 3 Dec" in li.last_text
    await li.send("/back")
    assert li.last_text == "Welcome back! Your reminders are on again."
    await li.send("/back")
    assert li.last_text == "You were not away. Your reminders are on as usual."
    assert (await stored(chat, li)).away_until is None


async def test_away_with_a_chinese_date_and_what_is_wrong_in_chinese(chat, wang):
    await wang.send("/away 11月30号")
    assert wang.last_text.startswith("好的：") and "/back" in wang.last_text
    assert (await stored(chat, wang)).away_until == dt.date(2026, 11, 30)
    await wang.send("/away 哪天")
    assert wang.last_text.startswith("我没看懂这个日期。")
    assert (await stored(chat, wang)).away_until == dt.date(2026, 11, 30)


@pytest.mark.parametrize("text, answer", [
    ("/away", "Tell me your last day away"),
    ("/away until yesterday", "already passed"),
    ("/away 2028-01-01", "more than 366 days ahead"),
])
async def test_away_says_what_is_wrong(chat, li, text, answer):
    await li.send(text)
    assert answer in li.last_text
    assert (await stored(chat, li)).away_until is None


async def test_away_in_a_group_points_to_the_private_chat(chat, li):
    group = chat.in_group(li, "-100123")
    await group.send("/away 3 days")
    assert "private chat" in group.last_text


async def test_remind_me_tomorrow_snoozes_to_the_next_working_day(chat, wang, li):
    outcome = await wang.deliver(Tap(encode(Snooze())))  # the button under a reminder
    assert outcome.clear_tapped
    assert wang.last_text == "好的，我会在11月19日 周四提醒你。"
    assert (await stored(chat, wang)).snoozed_until == dt.date(2026, 11, 19)
    await li.deliver(Tap(encode(Snooze())))
    assert li.last_text == "OK, I will remind you on Thu 19 Nov."


async def test_a_stranger_tapping_remind_me_tomorrow_is_told_how_to_join(chat):
    stranger = chat.person(language_code="en")
    await stranger.deliver(Tap(encode(Snooze())))
    assert "not a member of a school yet" in stranger.last_text
