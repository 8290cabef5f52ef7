"""Dates typed in the /log conversation: new kinds of phrases are stored as read, a contradiction is refused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from storage.models import Entry


async def stored_entries(db) -> list[Entry]:
    async with db.transaction() as session:
        return list(await session.scalars(select(Entry).order_by(Entry.id)))


async def test_a_date_with_its_weekday_is_stored_on_that_day(bot, wang):
    await bot.say(wang, "/log 家访 王小明 11月14日（周六） 40分钟")
    await bot.tap(wang, "✅ 保存")
    [entry] = await stored_entries(bot.db)
    assert (entry.occurred_on, entry.occurred_time) == (dt.date(2026, 11, 14), None)
    assert bot.errors() == []


async def test_a_colloquial_time_is_stored_with_its_time(bot, wang):
    await bot.say(wang, "/log 家访 王小明 昨儿下午 40分钟")
    await bot.tap(wang, "✅ 保存")
    [entry] = await stored_entries(bot.db)
    assert (entry.occurred_on, entry.occurred_time) == (dt.date(2026, 11, 17), dt.time(15, 0))


async def test_a_weekday_that_contradicts_the_date_is_refused_and_asked_again(bot, wang):
    await bot.say(wang, "/log")
    await bot.tap(wang, "家访")
    await bot.say(wang, "王小明")
    await bot.tap(wang, "不，独自一人")
    await bot.say(wang, "11月13日周六")  # the 13th was a Friday
    assert "星期几对不上" in bot.last_text(wang)
    await bot.say(wang, "11月13日周五")
    assert "多长时间" in bot.last_text(wang)
    assert await stored_entries(bot.db) == []


async def test_a_one_liner_with_a_contradicting_weekday_says_why_in_english(bot, li):
    replies = await bot.say(li, "/log visit Wang Xiaoming Fri 14 Nov 30min")
    assert any("not on the weekday you wrote" in m.text for m in replies)
    assert "When was it" in bot.last_text(li)
    assert await stored_entries(bot.db) == []


async def test_a_one_liner_reads_a_moment_counted_back_from_now(bot, li):
    await bot.say(li, "/log visit Wang Xiaoming 2 hours ago 40min")
    await bot.tap(li, "✅ Save")
    [entry] = await stored_entries(bot.db)
    assert (entry.student_name, entry.occurred_on, entry.occurred_time, entry.duration_minutes) == \
        ("Wang Xiaoming", dt.date(2026, 11, 18), dt.time(15, 30), 40)
