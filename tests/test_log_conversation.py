"""The /log conversation end to end: buttons, typing, one-liners, refusals, cancel, timeout, double Save, restart."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.chat.commands import menu_commands
from bot.i18n import translator
from storage.models import Entry, EntryAudit
from tests.support.bot import BotHarness


@pytest.fixture
def li_role():
    return "head_teacher"


async def stored_entries(db) -> list[Entry]:
    async with db.transaction() as session:
        return list(await session.scalars(select(Entry).order_by(Entry.id)))


async def test_a_home_visit_logged_with_buttons_is_stored_after_save(bot, wang):
    await bot.say(wang, "/log")
    assert bot.buttons(wang) == ["家访", "电话", "作业辅导"]
    await bot.tap(wang, "家访")
    assert "学生或家庭" in bot.last_text(wang)
    await bot.say(wang, "王小明")
    assert "同事" in bot.last_text(wang) and bot.buttons(wang) == ["不，独自一人"]
    await bot.tap(wang, "不，独自一人")
    assert bot.buttons(wang) == ["今天", "昨天"]
    await bot.tap(wang, "今天")
    await bot.tap(wang, "45 分钟")
    assert "备注" in bot.last_text(wang)
    await bot.say(wang, "了解学习情况")
    summary = bot.last_text(wang)
    assert "家访" in summary and "王小明" in summary and "11月18日" in summary and "45 分钟" in summary
    assert await stored_entries(bot.db) == []  # nothing is stored before Save
    await bot.tap(wang, "✅ 保存")
    assert "已保存" in bot.last_text(wang) and "本周家访：1" in bot.last_text(wang)
    [entry] = await stored_entries(bot.db)
    assert (entry.activity_code, entry.student_name, entry.occurred_on, entry.occurred_time) == \
        ("home_visit", "王小明", dt.date(2026, 11, 18), None)
    assert (entry.duration_minutes, entry.notes, entry.source) == (45, "了解学习情况", "telegram")
    async with bot.db.transaction() as session:
        audit = await session.scalar(select(EntryAudit))
    assert audit.action == "create" and audit.after["student"] == "王小明"
    assert bot.errors() == []


async def test_a_call_typed_in_english_keeps_the_typed_time(bot, li):
    await bot.say(li, "📝 Log")
    await bot.tap(li, "Phone call")
    await bot.say(li, "Zhang Wei's mother")
    await bot.say(li, "yesterday 4pm")
    await bot.say(li, "1h")
    await bot.tap(li, "Skip")
    assert "Tue 17 Nov 16:00" in bot.last_text(li)
    await bot.tap(li, "✅ Save")
    [entry] = await stored_entries(bot.db)
    assert (entry.activity_code, entry.occurred_on, entry.occurred_time, entry.duration_minutes, entry.notes) == \
        ("phone_call", dt.date(2026, 11, 17), dt.time(16, 0), 60, None)


@pytest.mark.parametrize(("alone", "skip"), [
    ("不，独自一人", "跳过"), ("没有", "Skip"), ("没有。", " skip "), ("就我一个", "没有"), ("no", "None."),
    ("No, alone", "无"), ("alone!", "nothing"),
])
async def test_the_buttons_typed_instead_of_tapped_answer_as_the_taps(bot, wang, alone, skip):
    await bot.say(wang, "/log")
    await bot.tap(wang, "家访")
    await bot.say(wang, "王小明")
    assert "同事" in bot.last_text(wang)
    await bot.say(wang, alone)  # not looked up as a colleague's name
    assert "什么时候" in bot.last_text(wang)
    await bot.say(wang, "昨天下午4点")
    await bot.say(wang, "1h")
    assert "备注" in bot.last_text(wang)
    await bot.say(wang, skip)  # not saved as the note
    assert "请确认" in bot.last_text(wang) and "🗒" not in bot.last_text(wang)
    await bot.tap(wang, "✅ 保存")
    [entry] = await stored_entries(bot.db)
    assert (entry.covisitor_member_id, entry.notes, entry.duration_minutes) == (None, None, 60)


async def test_a_tutoring_session_offers_recent_names_as_buttons(bot, wang):
    await bot.say(wang, "/log 辅导 王小明 今天 30分钟")
    await bot.tap(wang, "✅ 保存")
    await bot.say(wang, "/log")
    await bot.tap(wang, "作业辅导")
    assert bot.buttons(wang) == ["王小明"]
    await bot.tap(wang, "王小明")
    await bot.say(wang, "上周五")
    await bot.say(wang, "半小时")
    await bot.tap(wang, "跳过")
    await bot.tap(wang, "✅ 保存")
    entries = await stored_entries(bot.db)
    assert [(e.activity_code, e.student_name, e.occurred_on, e.duration_minutes) for e in entries] == [
        ("tutoring", "王小明", dt.date(2026, 11, 18), 30),
        ("tutoring", "王小明", dt.date(2026, 11, 13), 30),
    ]


@pytest.mark.parametrize("text, expected", [
    ("/log 家访 王小明 昨天 40分钟 了解学习情况", ["家访", "王小明", "11月17日", "40 分钟", "了解学习情况"]),
    ("/log call Li Lei today 10min", ["电话", "Li Lei", "11月18日", "10 分钟"]),
])
async def test_a_one_liner_goes_straight_to_the_summary(bot, wang, text, expected):
    await bot.say(wang, text)
    summary = bot.last_text(wang)
    assert all(part in summary for part in expected), summary
    assert bot.buttons(wang) == ["✅ 保存", "✏️ 修改", "✖️ 取消"]


async def test_a_one_liner_asks_for_what_is_missing(bot, li):
    await bot.say(li, "/log visit Wang Xiaoming")
    assert "When was it" in bot.last_text(li)
    await bot.tap(li, "Yesterday")
    assert "How long" in bot.last_text(li)


async def test_a_one_liner_with_a_future_date_says_why_and_asks_again(bot, li):
    replies = await bot.say(li, "/log visit Wang Xiaoming tomorrow 30min")
    assert any("in the future" in m.text for m in replies)
    assert "When was it" in bot.last_text(li)


@pytest.mark.parametrize("typed, reason", [
    ("tomorrow", "in the future"),
    ("2026-08-01", "more than 60 days ago"),
    ("banana", "could not read that date"),
])
async def test_a_bad_date_is_refused_with_the_reason_and_asked_again(bot, li, typed, reason):
    await bot.say(li, "/log")
    await bot.tap(li, "Home visit")
    await bot.say(li, "Wang Xiaoming")
    await bot.tap(li, "No, alone")
    await bot.say(li, typed)
    assert reason in bot.last_text(li)
    await bot.say(li, "2 days ago")
    assert "How long" in bot.last_text(li)


@pytest.mark.parametrize("typed, reason", [
    ("13h", "more than 12 hours"),
    ("0", "more than zero"),
    ("forever", "could not read that duration"),
])
async def test_a_bad_duration_is_refused_with_the_reason_and_asked_again(bot, li, typed, reason):
    await bot.say(li, "/log visit Wang Xiaoming today")
    await bot.say(li, typed)
    assert reason in bot.last_text(li)
    await bot.say(li, "90")
    assert "Please check this entry" in bot.last_text(li) and "1 h 30 min" in bot.last_text(li)


async def test_over_long_notes_are_refused_and_nothing_is_lost(bot, li):
    await bot.say(li, "/log")
    await bot.tap(li, "Home visit")
    await bot.say(li, "Wang Xiaoming")
    await bot.tap(li, "No, alone")
    await bot.tap(li, "Today")
    await bot.tap(li, "30 min")
    await bot.say(li, "x" * 1001)
    assert "at most 1000 characters; yours has 1001" in bot.last_text(li)
    await bot.say(li, "Talked about homework.")
    assert "Wang Xiaoming" in bot.last_text(li) and "Talked about homework." in bot.last_text(li)


@pytest.mark.parametrize("steps", [
    [],
    ["tap:Home visit"],
    ["tap:Home visit", "Wang Xiaoming"],
    ["tap:Home visit", "Wang Xiaoming", "tap:No, alone"],
    ["tap:Home visit", "Wang Xiaoming", "tap:No, alone", "tap:Today"],
    ["tap:Home visit", "Wang Xiaoming", "tap:No, alone", "tap:Today", "tap:30 min"],
    ["tap:Home visit", "Wang Xiaoming", "tap:No, alone", "tap:Today", "tap:30 min", "tap:Skip"],
])
async def test_cancel_works_at_every_step(bot, li, steps):
    await bot.say(li, "/log")
    for step in steps:
        await (bot.tap(li, step[4:]) if step.startswith("tap:") else bot.say(li, step))
    await bot.say(li, "/cancel")
    assert "Cancelled" in bot.last_text(li)
    assert await stored_entries(bot.db) == []
    await bot.say(li, "Wang Xiaoming")  # the conversation is over: this is not taken as an answer
    await bot.say(li, "/cancel")
    assert "nothing to cancel" in bot.last_text(li)


async def test_cancel_button_on_the_summary(bot, li):
    await bot.say(li, "/log visit Wang Xiaoming today 30 notes")
    await bot.tap(li, "✖️ Cancel")
    assert "Cancelled" in bot.last_text(li)
    assert await stored_entries(bot.db) == []


async def test_other_commands_mid_conversation_get_an_answer_and_the_conversation_goes_on(bot, li):
    await bot.say(li, "/log")
    await bot.tap(li, "Home visit")
    await bot.say(li, "/mine")
    assert "middle of logging" in bot.last_text(li)
    await bot.say(li, "/frobnicate")
    assert "middle of logging" in bot.last_text(li)
    await bot.say(li, "Wang Xiaoming")
    assert "colleague" in bot.last_text(li)


async def test_a_double_tapped_save_stores_one_entry(bot, li):
    await bot.say(li, "/log visit Wang Xiaoming today 30")
    summary = bot.fake.last_to(li.id)
    save = next(data for text, data in summary.inline_buttons if text == "✅ Save")
    await bot.fake.send(bot.app, bot.fake.tap(li, summary, save))
    await bot.fake.send(bot.app, bot.fake.tap(li, summary, save))
    assert len(await stored_entries(bot.db)) == 1
    assert bot.fake.callback_answers[-1].text == "Already saved."


async def test_edit_changes_one_field_and_returns_to_the_summary(bot, li):
    await bot.say(li, "/log visit Wang Xiaoming today 30 first notes")
    await bot.tap(li, "✏️ Edit")
    await bot.tap(li, "When")
    await bot.say(li, "2 days ago")
    assert "Mon 16 Nov" in bot.last_text(li) and "Wang Xiaoming" in bot.last_text(li)
    await bot.tap(li, "✅ Save")
    [entry] = await stored_entries(bot.db)
    assert (entry.occurred_on, entry.notes) == (dt.date(2026, 11, 16), "first notes")


async def test_an_idle_conversation_ends_with_a_message(db, clock):
    harness = BotHarness(db, clock, conversation_timeout=0.3)
    await harness.create_school()
    await harness.start()
    try:
        li = harness.fake.user(1002, "Li", "Lei", language_code="en")
        await harness.join(li, "teacher")
        await harness.say(li, "/log")
        await harness.tap(li, "Home visit")
        await harness.fake.wait_until(lambda: "idle" in (harness.last_text(li) or ""), timeout=3)
        assert "Nothing was saved" in harness.last_text(li)
        state, user_data = await harness.saved_conversation("log", li)
        assert state is None and "draft" not in user_data  # a restart does not bring it back
        await harness.say(li, "Wang Xiaoming")
        # No longer in the conversation: the name is not taken as the student, only the hint answers.
        assert harness.last_text(li) == \
            "Send /log to log an activity, /mine to see your progress, /help for everything."
    finally:
        await harness.stop()


async def test_a_conversation_survives_a_graceful_restart(bot, wang):
    await bot.say(wang, "/log")
    await bot.tap(wang, "家访")
    await bot.say(wang, "王小明")
    await bot.restart()
    await bot.tap(wang, "不，独自一人")
    await bot.say(wang, "前天晚上")
    assert "多长时间" in bot.last_text(wang)
    await bot.say(wang, "40分钟")
    await bot.tap(wang, "跳过")
    await bot.tap(wang, "✅ 保存")
    [entry] = await stored_entries(bot.db)
    assert (entry.student_name, entry.occurred_on, entry.occurred_time) == ("王小明", dt.date(2026, 11, 16),
                                                                          dt.time(19, 0))


async def test_updates_sent_while_the_bot_was_down_are_processed(db, clock):
    harness = BotHarness(db, clock)
    await harness.create_school()
    li = harness.fake.user(1002, "Li", "Lei", language_code="en")
    code = await harness.invite("teacher")
    harness.fake.push(harness.fake.private_text(li, f"/start {code}"))
    harness.fake.push(harness.fake.private_text(li, "/log visit Wang Xiaoming today 30 notes"))
    await harness.start(polling=True)
    try:
        await harness.fake.wait_until(
            lambda: any("Please check" in (text or "") for text in harness.fake.texts_to(li.id)), timeout=5)
        assert any("Welcome" in text for text in harness.fake.texts_to(li.id))
    finally:
        await harness.stop()


async def test_the_command_menu_is_set_in_both_languages_from_the_command_catalogue(bot):
    languages = sorted(language for _scope, language in bot.fake.commands)
    assert languages == ["", "zh"]
    for (_scope, language), commands in bot.fake.commands.items():
        t = translator(language or "en")
        assert commands == [{"command": entry.name, "description": t(entry.description)} for entry in menu_commands()]
    zh_menu = next(commands for (_scope, language), commands in bot.fake.commands.items() if language == "zh")
    assert {"command": "log", "description": "记录一次活动"} in zh_menu


async def test_a_refused_command_menu_is_a_warning_and_the_bot_runs_on(db, clock, caplog):
    harness = BotHarness(db, clock)
    await harness.create_school()
    harness.fake.fail_next("setMyCommands", kind="server_error")
    await harness.start()
    try:
        assert "could not set the command menu" in caplog.text
        li = harness.fake.user(1002, "Li", "Lei", language_code="en")
        await harness.join(li, "teacher")
        assert "Welcome" in harness.last_text(li)
    finally:
        await harness.stop()


async def test_a_colleague_who_came_along_is_found_by_name_and_the_visit_counts_for_both(bot, wang, li):
    await bot.say(wang, "/log")
    await bot.tap(wang, "家访")
    await bot.say(wang, "王小明")
    await bot.say(wang, "张")
    assert "没有叫" in bot.last_text(wang)
    await bot.say(wang, "li lei")
    await bot.tap(wang, "今天")
    await bot.tap(wang, "30 分钟")
    await bot.tap(wang, "跳过")
    assert "与Li Lei同行" in bot.last_text(wang)
    await bot.tap(wang, "✅ 保存")
    [entry] = await stored_entries(bot.db)
    assert entry.covisitor_member_id is not None and entry.member_id != entry.covisitor_member_id
    await bot.say(li, "/history")
    assert "Wang Xiaoming" not in bot.last_text(li) and "王小明" in bot.last_text(li)
    assert "(co-visit)" in bot.last_text(li)
    await bot.say(li, "/mine")
    assert "At least 1 home visit a month\n▓▓▓▓▓▓▓▓▓▓ 1 of 1, done ✅" in bot.fake.last_to(li.id).plain_text
    await bot.say(wang, "/log")
    await bot.tap(wang, "家访")
    await bot.tap(wang, "王小明")
    assert bot.buttons(wang) == ["Li Lei", "不，独自一人"]  # recent co-visitors come first


async def test_paired_students_are_offered_before_recent_names(bot, wang):
    from bot.people.membership import profile_for_account
    from bot.platform_names import TELEGRAM
    from storage.models import Pairing

    profile = await profile_for_account(bot.db, TELEGRAM, str(wang.id))
    async with bot.db.transaction() as session:
        session.add(Pairing(school_id=profile.school_id, member_id=profile.member_id, student_name="李华",
                            student_key="李华"))
    await bot.say(wang, "/log 电话 赵六 今天 10分钟")
    await bot.tap(wang, "✅ 保存")
    await bot.say(wang, "/log")
    await bot.tap(wang, "电话")
    assert bot.buttons(wang) == ["李华", "赵六"]


async def test_a_backfilled_entry_reports_the_tally_it_counts_in(bot, li):
    await bot.say(li, "/log call Zhang Wei last fri 10min")
    await bot.tap(li, "✅ Save")
    assert "Phone call this month: 1." in bot.last_text(li)
    await bot.say(li, "/log call Zhang Wei 2026-09-30 10min")
    await bot.tap(li, "✅ Save")
    assert bot.last_text(li) == "✅ Saved: Phone call on Wed 30 Sep."  # last quarter: no running tally
