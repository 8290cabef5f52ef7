"""/log through the chat core: by buttons, by `#N` taps and by one line, in Chinese and English."""

from __future__ import annotations

import datetime as dt

from bot.chat.actions import LogNow
from bot.chat.events import Tap
from bot.chat.keyboard import main_keyboard
from bot.chat.replies import Choice
from bot.i18n import translator
from bot.logbook import entries
from bot.people.membership import profile_for_account
from tests.support.chat import PLATFORM

TODAY = dt.date(2026, 11, 18)  # the clock fixture's day in the school's zone


async def stored(chat, driver) -> list[entries.EntryView]:
    profile = await profile_for_account(chat.db, PLATFORM, driver.user_id)
    assert profile is not None
    return await entries.history(chat.db, profile)


def labels(driver) -> list[str]:
    return [choice.label for choice in driver.latest_choices()]


async def test_a_home_visit_logged_with_buttons_in_chinese_is_stored_once_saved(chat, wang):
    await wang.send("/log")
    assert wang.last_text == "你做了什么？" and labels(wang) == ["家访", "电话", "作业辅导"]
    await wang.tap_label("家访")
    assert "学生或家庭" in wang.last_text
    await wang.send("王小明")
    assert labels(wang) == ["不，独自一人"]
    await wang.tap_label("不，独自一人")
    await wang.tap_label("今天")
    await wang.tap_label("45 分钟")
    await wang.send("了解学习情况")
    summary = wang.last_text
    assert all(part in summary for part in ("家访", "王小明", "11月18日", "45 分钟", "了解学习情况"))
    assert labels(wang) == ["✅ 保存", "✏️ 修改", "✖️ 取消"]
    assert await stored(chat, wang) == []  # nothing is stored before Save
    saved = await wang.tap_label("✅ 保存")
    assert (saved.popup, saved.clear_tapped) == ("已保存", True)
    [reply] = saved.replies
    assert "已保存" in reply.text and "本周家访：1" in reply.text
    assert reply.keyboard == main_keyboard(translator("zh"))
    [entry] = await stored(chat, wang)
    assert (entry.activity, entry.student, entry.day, entry.time, entry.duration_minutes, entry.notes) == \
        ("home_visit", "王小明", TODAY, None, 45, "了解学习情况")


async def test_buttons_tapped_by_number_log_a_call_in_english(chat, li):
    for line in ["/log", "#2", "Zhang Wei's mother", "yesterday 4pm", "#4", "#1"]:
        await li.send(line)
    assert "Please check this entry" in li.last_text and "Tue 17 Nov 16:00" in li.last_text
    assert "1 h" in li.last_text
    await li.send("#1")
    assert li.last_text == "✅ Saved: Phone call on Tue 17 Nov 16:00.\nPhone call this week: 1."
    [entry] = await stored(chat, li)
    assert (entry.activity, entry.student, entry.day, entry.time, entry.duration_minutes, entry.notes) == \
        ("phone_call", "Zhang Wei's mother", dt.date(2026, 11, 17), dt.time(16, 0), 60, None)


async def test_a_chinese_one_liner_goes_straight_to_the_summary_and_saves(chat, wang):
    await wang.send("/log 家访 王小明 昨天 40分钟 了解学习情况")
    assert all(part in wang.last_text for part in ("家访", "王小明", "11月17日", "40 分钟", "了解学习情况"))
    await wang.tap_label("✅ 保存")
    assert wang.last_text.startswith("✅ 已保存")
    [entry] = await stored(chat, wang)
    assert (entry.student, entry.day, entry.duration_minutes, entry.notes) == \
        ("王小明", dt.date(2026, 11, 17), 40, "了解学习情况")


async def test_an_english_one_liner_says_what_is_wrong_and_asks_for_it(chat, li):
    outcome = await li.send("/log visit Wang Xiaoming tomorrow 30min")
    texts = [reply.text for reply in outcome.replies]
    assert texts[0] == "That is in the future. Log activities that have already happened."
    assert texts[-1].startswith("When was it?")
    await li.tap_label("Yesterday")
    await li.tap_label("✅ Save")
    [entry] = await stored(chat, li)
    assert (entry.activity, entry.student, entry.day, entry.duration_minutes) == \
        ("home_visit", "Wang Xiaoming", dt.date(2026, 11, 17), 30)


async def test_a_bad_date_is_refused_with_the_reason_and_the_question_stays(chat, li):
    await li.send("/log visit Wang Xiaoming")
    await li.send("2026-08-01")
    assert li.last_text == "That is more than 60 days ago. Ask a leader to record older activities."
    await li.send("2 days ago")
    assert li.last_text.startswith("How long did it take?")


async def test_a_double_tapped_save_stores_one_entry(chat, li):
    await li.send("/log visit Wang Xiaoming today 30")
    [save] = [choice for choice in li.latest_choices() if choice.label == "✅ Save"]
    await li.deliver(Tap(save.data))
    again = await li.deliver(Tap(save.data))
    assert (again.popup, again.replies) == ("Already saved.", [])
    assert len(await stored(chat, li)) == 1


async def test_a_button_of_a_cancelled_draft_is_out_of_date_and_the_open_question_is_asked_again(chat, wang):
    await wang.send("/log")
    old_choices = wang.latest_choices()
    await wang.send("/cancel")
    assert wang.last_text == "已取消，没有保存任何内容。"
    await wang.send("/log")
    old_call: Choice = next(choice for choice in old_choices if choice.label == "电话")
    outcome = await wang.deliver(Tap(old_call.data))
    assert outcome.popup == "这个按钮已过时。请回答下面的问题。"
    assert [reply.text for reply in outcome.replies] == ["你做了什么？"]
    await wang.tap_label("家访")
    assert "学生或家庭" in wang.last_text


async def test_other_commands_mid_conversation_get_an_answer_and_the_conversation_goes_on(chat, li):
    await li.send("/log")
    await li.tap_label("Home visit")
    await li.send("/mine")
    assert "middle of logging" in li.last_text
    await li.send("📊 My progress")
    assert "middle of logging" in li.last_text
    await li.send("Wang Xiaoming")
    assert "colleague" in li.last_text


async def test_an_idle_conversation_is_closed_with_a_message_before_the_next_answer(chat, clock, li):
    await li.send("/log")
    await li.tap_label("Home visit")
    clock.advance(minutes=15)
    outcome = await li.send("Wang Xiaoming")  # no longer an answer: the conversation is closed first
    assert [reply.text for reply in outcome.replies] == [
        "This entry was idle for 15 minutes, so I closed it. Nothing was saved. Send /log to start again.",
        "Send /log to log an activity, /mine to see your progress, /help for everything."]


async def test_an_idle_conversation_is_closed_by_the_periodic_check_in_the_members_language(chat, clock, wang):
    await wang.send("/log")
    clock.advance(minutes=16)
    [(address, outcome)] = await chat.engine.expire_idle()
    assert address.chat_id == wang.user_id
    [closed] = outcome.replies
    assert closed.text == "这条记录 15 分钟没有操作，已自动关闭，没有保存。发送 /log 重新开始。"
    await wang.send("/cancel")
    assert wang.last_text == "当前没有可以取消的操作。"


async def test_a_reminders_log_now_starts_with_the_activity_chosen(chat, li):
    outcome = await li.deliver(Tap(Choice("Log now", LogNow("tutoring")).data))
    assert outcome.replies[-1].text.startswith("Which student or family?")
    await li.send("Zhang Wei")
    await li.tap_label("Today")
    await li.tap_label("30 min")
    await li.tap_label("Skip")
    await li.tap_label("✅ Save")
    [entry] = await stored(chat, li)
    assert (entry.activity, entry.student, entry.duration_minutes) == ("tutoring", "Zhang Wei", 30)


async def test_the_log_button_starts_logging_and_a_stranger_is_told_how_to_join(chat, li):
    await li.send("📝 Log")
    assert li.last_text == "What did you do?"
    stranger = chat.person(language_code="en")
    await stranger.send("/log")
    assert "not a member of a school yet" in stranger.last_text


async def test_a_step_of_an_open_conversation_reads_its_row_once_under_the_lock_and_writes_it(chat, li):
    await li.send("/log")
    with chat.db.recording_statements() as statements:
        await li.send("#1")
    state_reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "chat_state" in s]
    state_writes = [s for s in statements if "chat_state" in s and not s.lstrip().upper().startswith("SELECT")]
    assert len(state_reads) == 1 and state_writes
    if chat.db.dialect == "postgresql":  # on SQLite the lock is a file lock, outside the SQL
        lock = next(i for i, s in enumerate(statements) if "pg_advisory_xact_lock" in s)
        assert lock < statements.index(state_reads[0])


async def test_a_conversation_goes_on_after_the_engine_is_built_again(chat, li):
    from bot.chat.engine_builder import build_engine

    await li.send("/log")
    li.engine = build_engine(chat.core)  # a restarted bot reads the saved step from the database
    await li.send("#1")
    assert "Which student or family?" in li.last_text
