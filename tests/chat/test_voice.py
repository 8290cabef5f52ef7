"""Logging in one sentence through the chat core: by voice (the words the platform recognised) and by `/log`."""

from __future__ import annotations

import datetime as dt

from bot.logbook import entries
from bot.people.membership import profile_for_account
from tests.support.chat import PLATFORM

TODAY = dt.date(2026, 11, 18)  # the clock fixture's day in the school's zone
SPOKEN = "昨天下午去王小明家家访了四十分钟，主要了解学习情况"


async def stored(chat, driver) -> list[entries.EntryView]:
    profile = await profile_for_account(chat.db, PLATFORM, driver.user_id)
    assert profile is not None
    return await entries.history(chat.db, profile)


def fields(entry: entries.EntryView) -> tuple:
    return entry.activity, entry.student, entry.day, entry.time, entry.duration_minutes, entry.notes


def labels(driver) -> list[str]:
    return [choice.label for choice in driver.latest_choices()]


async def test_a_voice_message_is_quoted_and_read_into_an_entry_that_only_save_stores(chat, wang):
    outcome = await wang.voice(SPOKEN, 6.5)
    heard, summary = [reply.text for reply in outcome.replies]
    assert heard == f"我听到：“{SPOKEN}”"
    assert all(part in summary for part in ("家访", "王小明", "11月17日", "15:00", "40 分钟", "了解学习情况"))
    assert labels(wang) == ["✅ 保存", "✏️ 修改", "✖️ 取消"]
    assert await stored(chat, wang) == []  # nothing is stored before Save
    await wang.tap_label("✅ 保存")
    assert wang.last_text.startswith("✅ 已保存")
    [entry] = await stored(chat, wang)
    assert fields(entry) == ("home_visit", "王小明", dt.date(2026, 11, 17), dt.time(15, 0), 40, "了解学习情况")


async def test_an_english_voice_message_gets_the_same_confirmation(chat, li):
    outcome = await li.voice("Called Zhang Wei's mother yesterday evening for half an hour")
    assert outcome.replies[0].text == "I heard: “Called Zhang Wei's mother yesterday evening for half an hour”"
    assert "Please check this entry" in li.last_text and labels(li) == ["✅ Save", "✏️ Edit", "✖️ Cancel"]
    await li.tap_label("✖️ Cancel")
    assert li.last_text == "Cancelled. Nothing was saved."
    assert await stored(chat, li) == []


async def test_a_voice_message_without_words_gets_a_hint_to_type_it_in_either_language(chat, wang, li):
    await wang.voice(None)
    assert wang.last_text == "这条语音没有识别出文字，请改为打字，例如：/log 家访 王小明 昨天 40分钟"
    await li.voice("  ")
    assert li.last_text == ("I could not make out any words in that voice message. Please type it instead, "
                            "e.g. /log home visit Wang Xiaoming yesterday 40min.")
    await li.send("hello")  # no conversation was opened
    assert li.last_text == "Send /log to log an activity, /mine to see your progress, /help for everything."


async def test_a_sentence_typed_after_log_is_read_the_same_way(chat, wang):
    await wang.send("/log 前天晚上辅导吴小龙作业一个小时")
    assert all(part in wang.last_text for part in ("作业辅导", "吴小龙", "11月16日", "19:00", "1 小时"))
    await wang.tap_label("✅ 保存")
    [entry] = await stored(chat, wang)
    assert fields(entry) == ("tutoring", "吴小龙", dt.date(2026, 11, 16), dt.time(19, 0), 60, None)


async def test_a_sentence_without_the_student_asks_for_them_and_goes_on(chat, li):
    outcome = await li.voice("Did a home visit yesterday afternoon, forty minutes")
    assert outcome.replies[-1].text.startswith("Which student or family?")
    await li.send("Wang Xiaoming")
    assert "Please check this entry" in li.last_text
    await li.tap_label("✅ Save")
    [entry] = await stored(chat, li)
    assert fields(entry) == ("home_visit", "Wang Xiaoming", dt.date(2026, 11, 17), dt.time(15, 0), 40, None)


async def test_inside_the_log_conversation_a_voice_message_answers_the_question_like_typed_text(chat, wang):
    await wang.send("/log")
    await wang.tap_label("电话")
    outcome = await wang.voice("李华。")
    assert outcome.replies[0].text == "我听到：“李华。”"
    assert outcome.replies[-1].text.startswith("什么时候")
    outcome = await wang.voice("。")
    assert outcome.replies[-1].text.startswith("这条语音没有识别出文字")
    await wang.voice("昨天晚上。")
    await wang.voice("半个钟头。")  # speech recognition ends with a full stop
    await wang.tap_label("跳过")
    await wang.tap_label("✅ 保存")
    [entry] = await stored(chat, wang)
    assert fields(entry) == ("phone_call", "李华", dt.date(2026, 11, 17), dt.time(19, 0), 30, None)


async def test_a_student_logged_before_is_found_by_the_given_name_alone(chat, wang):
    await wang.send("/log 家访 王小明 今天 30分钟")
    await wang.tap_label("✅ 保存")
    await wang.voice("昨天去小明家家访了两个小时")
    await wang.tap_label("✅ 保存")
    assert sorted((e.student, e.day, e.duration_minutes) for e in await stored(chat, wang)) == [
        ("王小明", dt.date(2026, 11, 17), 120), ("王小明", TODAY, 30)]


async def test_a_voice_message_from_someone_not_in_a_school_is_told_how_to_join(chat):
    stranger = chat.person(language_code="en")
    await stranger.voice("visited Li Lei yesterday")
    assert "not a member of a school yet" in stranger.last_text


async def test_a_sentence_said_where_the_activity_is_asked_fills_the_entry(chat, wang):
    await wang.send("/log 王小明 昨天")
    assert wang.last_text == "你做了什么？"
    outcome = await wang.voice("打了个电话，半个钟头。")
    assert outcome.replies[0].text == "我听到：“打了个电话，半个钟头。”"
    await wang.tap_label("✅ 保存")
    [entry] = await stored(chat, wang)  # what the first line said stays
    assert fields(entry) == ("phone_call", "王小明", dt.date(2026, 11, 17), None, 30, None)


async def test_words_that_name_no_activity_where_it_is_asked_get_the_activities_again(chat, li):
    await li.send("/log")
    await li.send("Wang Xiaoming yesterday")
    assert li.last_text == "What did you do?"
    assert await stored(chat, li) == []
