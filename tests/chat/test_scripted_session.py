"""The issue's scripted session through the in-memory driver `teachlog chat` uses: join, log a home visit by
buttons and by a one-liner in Chinese, look back with /mine and /history, and undo."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from storage import entry_imports
from storage import repository as repo
from storage.models import Entry, Member, MemberAccount


async def stored_entries(db) -> list[Entry]:
    async with db.transaction() as session:
        return list(await session.scalars(select(Entry).order_by(Entry.id)))


async def test_a_new_person_joins_with_an_invite_and_gets_a_terminal_account(chat):
    code = await chat.invite("head_teacher")
    wang = chat.person(language_code="zh-hans", display_name="王芳")
    await wang.send(f"/start {code}")
    assert "欢迎" in wang.last_text and "合川中学" in wang.last_text
    async with chat.db.transaction() as session:
        member = await session.scalar(select(Member))
        account = await session.scalar(select(MemberAccount))
    assert member.display_name == "王芳" and (account.platform, account.external_id) == ("terminal", wang.user_id)


async def test_a_home_visit_by_buttons_and_one_by_one_liner_then_mine_history_and_undo(chat):
    wang = await chat.add_member("王芳", role="head_teacher")
    await wang.send("/log")
    assert [c.label for c in wang.latest_choices()] == ["家访", "电话", "作业辅导"]
    await wang.send("#1")
    assert "学生或家庭" in wang.last_text
    await wang.send("王小明")
    await wang.send("#1")  # 不，独自一人
    await wang.send("#1")  # 今天
    await wang.tap_label("45 分钟")
    await wang.send("了解学习情况")
    assert "家访" in wang.last_text and "王小明" in wang.last_text and "45 分钟" in wang.last_text
    assert await stored_entries(chat.db) == []  # nothing is stored before Save
    await wang.tap_label("✅ 保存")
    assert "已保存" in wang.last_text

    await wang.send("/log 家访 刘小红 昨天 40分钟 谈了作息")
    assert "刘小红" in wang.last_text and "11月17日" in wang.last_text
    await wang.tap_label("✅ 保存")
    assert [(e.student_name, e.occurred_on, e.notes) for e in await stored_entries(chat.db)] == [
        ("王小明", dt.date(2026, 11, 18), "了解学习情况"), ("刘小红", dt.date(2026, 11, 17), "谈了作息")]

    await wang.send("/mine")
    assert "本周：家访 2" in wang.last_text
    await wang.send("/history")
    assert wang.last_text.splitlines()[0] == "你最近的 2 条记录：" and "王小明" in wang.last_text
    await wang.send("/undo")
    assert "刘小红" in wang.last_text
    await wang.tap_label("是，撤销")
    assert [e.deleted_at is None for e in await stored_entries(chat.db)] == [True, False]
    await wang.send("/history")
    assert "刘小红" not in wang.last_text and "王小明" in wang.last_text


async def logged(chat, driver, *entries: tuple[str, str, dt.date]) -> None:
    """Entries of the driver's member, logged just now (as Save would store them)."""
    async with chat.db.transaction() as session:
        member = await repo.member_by_account(session, "terminal", driver.user_id)
        rows = [{"school_id": member.school_id, "member_id": member.id, "activity_code": activity, "occurred_on": day,
                 "student_name": student, "student_key": student, "duration_minutes": 30, "notes": None,
                 "source": "terminal", "logged_at": chat.clock.now(), "client_token": f"t{n}"}
                for n, (activity, student, day) in enumerate(entries)]
        await entry_imports.insert_new_entries(session, rows)


@pytest.mark.parametrize("language, mine, history, question, yes, removed", [
    ("zh", "本周：家访 1 · 电话 1", "你最近的 2 条记录：", "要撤销这条记录吗？", "是，撤销", "已撤销"),
    ("en", "This week: Home visit 1 · Phone call 1", "Your last 2 entries:", "Remove this entry?",
     "Yes, remove it", "Removed"),
])
async def test_what_was_logged_shows_in_mine_and_history_and_undo_takes_the_last_back(
        chat, language, mine, history, question, yes, removed):
    driver = await chat.add_member("王芳", language=language)
    await logged(chat, driver, ("home_visit", "王小明", dt.date(2026, 11, 17)),
                 ("phone_call", "刘小红", dt.date(2026, 11, 18)))
    await driver.send("/mine")
    assert mine in driver.last_text
    await driver.send("/history")
    assert driver.last_text.splitlines()[0] == history and "王小明" in driver.last_text
    await driver.send("/undo")
    assert question in driver.last_text and "刘小红" in driver.last_text
    assert driver.latest_choices()[0].label == yes
    await driver.send("#1")
    assert removed in driver.last_text
    assert [e.deleted_at is None for e in await stored_entries(chat.db)] == [True, False]
    await driver.send("/history")
    assert "刘小红" not in driver.last_text and "王小明" in driver.last_text
