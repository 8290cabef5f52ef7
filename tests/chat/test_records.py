"""/record through the chat core: a written record typed or uploaded, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.chat.events import OtherMessage
from bot.logbook.records import MAX_RECORD_TEXT
from storage.models import Record


@pytest.fixture
async def school(chat):
    return await chat.create_school("合川中学", policy="seed-000")


@pytest.fixture
async def wang(chat, school):
    return await chat.add_member("王芳", language="zh")


@pytest.fixture
async def li(chat, school):
    return await chat.add_member("Li Lei", language="en")


async def stored_records(chat) -> list[Record]:
    async with chat.db.transaction() as session:
        return list(await session.scalars(select(Record).order_by(Record.id)))


def labels(driver) -> list[str]:
    return [choice.label for choice in driver.replies[-1].all_choices]


async def test_a_typed_reflection_is_stored_in_chinese(chat, wang):
    await wang.send("/record")
    assert wang.last_text == "是哪一份材料？"
    assert labels(wang) == ["家访记录", "家访心得体会", "民情日记", "党性分析材料"]
    await wang.tap_label("家访心得体会")
    assert wang.last_text == "请直接输入，或发送照片、文件（附言会一并保存）。"
    await wang.send("这学期家访让我更了解学生的家庭。")
    assert wang.last_text == "已保存：家访心得体会。"
    [record] = await stored_records(chat)
    assert (record.kind, record.text, record.written_on, record.file_id) == (
        "reflection", "这学期家访让我更了解学生的家庭。", dt.date(2026, 11, 18), None)


async def test_an_uploaded_file_keeps_its_name_and_caption_in_english(chat, li):
    await li.send("/record")
    assert labels(li)[1] == "Reflection on home visits"
    await li.tap(2)
    await li.deliver(OtherMessage())
    assert li.last_text == "Please type the text, or send a photo or file."
    await li.upload("reflection.pdf", b"%PDF", caption="my reflection")
    assert li.last_text == "Saved: Reflection on home visits."
    [record] = await stored_records(chat)
    assert (record.platform, record.file_name, record.text) == ("terminal", "reflection.pdf", "my reflection")


async def test_too_long_a_text_is_refused_and_the_question_stays_open(chat, li):
    await li.send("/record")
    await li.tap(1)
    await li.send("x" * (MAX_RECORD_TEXT + 1))
    assert li.last_text == f"That is too long (at most {MAX_RECORD_TEXT} characters). Send it as a file instead."
    await li.send("short")
    assert li.last_text == "Saved: Home-visit record."
    assert [r.text for r in await stored_records(chat)] == ["short"]


async def test_another_command_mid_record_says_how_to_go_on_and_cancel_stores_nothing(chat, wang):
    await wang.send("/record")
    await wang.send("随便写写")  # no kind chosen yet: the question again
    assert wang.last_text == "是哪一份材料？" and len(labels(wang)) == 4
    await wang.tap(1)
    await wang.send("/mine")
    assert wang.last_text == "你正在提交书面材料：请直接输入文字，或发送照片或文件。发送 /cancel 可取消。"
    await wang.send("/cancel")
    assert wang.last_text == "已取消，没有保存任何内容。"
    await wang.send("随便写写")
    assert await stored_records(chat) == []


async def test_a_kind_button_of_a_finished_record_is_out_of_date(chat, li):
    await li.send("/record")
    await li.tap(1)
    await li.send("visited the Wangs")
    outcome = await li.tap(2)
    assert outcome.popup == "This button is out of date." and outcome.replies == []
    assert len(await stored_records(chat)) == 1


async def test_a_school_without_records_says_so(chat):
    member = await chat.add_member("Li Lei", language="en")  # the `default` policy asks for none
    await member.send("/record")
    assert member.last_text == "Your school's plan asks for no written records."


async def test_an_unfinished_record_is_closed_after_idling_and_the_text_is_not_stored(chat, li):
    await li.send("/record")
    await li.tap(1)
    chat.clock.advance(minutes=16)
    await li.send("visited the Wangs")
    assert li.last_text == "Send /log to log an activity, /mine to see your progress, /help for everything."
    assert await stored_records(chat) == []
