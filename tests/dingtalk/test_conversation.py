"""A DingTalk member's conversation through the real pieces: the Stream connection, inbound, the chat core,
rendering with dtmd:// buttons, and the answer on the session webhook."""

from __future__ import annotations

import datetime as dt

from bot.logbook import entries
from bot.people.membership import profile_for_account
from bot.people.schools import create_invite, create_school
from tests.support.dingtalk_chat import DingTalkChat, buttons_of, shown_text
from tests.support.fake_dingtalk import PATH_BATCH, PATH_GROUP, PATH_TOKEN, PATH_WEBHOOK

TODAY = dt.date(2026, 11, 18)


async def join(dingtalk: DingTalkChat, staff_id: str, role: str = "teacher") -> None:
    school = await create_school(dingtalk.db, "合川中学", language="zh", policy="default", now=dingtalk.clock.now())
    invite = await create_invite(dingtalk.db, school.school_id, role, now=dingtalk.clock.now())
    await dingtalk.say(staff_id, f"加入 {invite.code}")


async def stored(dingtalk: DingTalkChat, staff_id: str) -> list[entries.EntryView]:
    profile = await profile_for_account(dingtalk.db, "dingtalk", staff_id)
    assert profile is not None
    return await entries.history(dingtalk.db, profile)


async def test_joining_with_the_chinese_word_and_logging_by_tapping_buttons(dingtalk, fake):
    await join(dingtalk, "staff1")
    assert await profile_for_account(dingtalk.db, "dingtalk", "staff1") is not None
    (asked,) = await dingtalk.say("staff1", "/log")
    assert shown_text(asked).startswith("你做了什么？")
    assert list(buttons_of(asked)) == ["家访", "电话", "作业辅导"]
    await dingtalk.tap("staff1", "家访")
    await dingtalk.say("staff1", "王小明")
    await dingtalk.tap("staff1", "不，独自一人")
    await dingtalk.tap("staff1", "今天")
    await dingtalk.tap("staff1", "45 分钟")
    (summary,) = await dingtalk.say("staff1", "了解学习情况")
    assert all(part in shown_text(summary) for part in ("家访", "王小明", "45 分钟"))
    assert await stored(dingtalk, "staff1") == []
    saved = await dingtalk.tap("staff1", "保存")
    assert any("已保存" in shown_text(r) for r in saved)
    [entry] = await stored(dingtalk, "staff1")
    assert (entry.activity, entry.student, entry.day, entry.duration_minutes) == ("home_visit", "王小明", TODAY, 45)
    # Every answer went on the session webhook: no OpenAPI call, nothing counted against the monthly quota.
    assert fake.of(PATH_WEBHOOK) and not fake.of(PATH_BATCH) and not fake.of(PATH_TOKEN)


async def test_a_voice_message_is_confirmed_with_what_was_heard_and_saved_only_on_save(dingtalk):
    await join(dingtalk, "staff1")
    answers = await dingtalk.speak("staff1", "昨天下午去王小明家家访了四十分钟，主要了解学习情况。")
    shown = "\n".join(shown_text(a) for a in answers)
    assert "我听到" in shown and "王小明" in shown and "40 分钟" in shown
    assert await stored(dingtalk, "staff1") == []
    await dingtalk.tap("staff1", "保存")
    [entry] = await stored(dingtalk, "staff1")
    assert (entry.activity, entry.student, entry.day, entry.duration_minutes) == \
        ("home_visit", "王小明", TODAY - dt.timedelta(days=1), 40)


async def test_a_voice_message_without_recognised_text_gets_a_hint_to_type_it(dingtalk):
    await join(dingtalk, "staff1")
    (answer,) = await dingtalk.speak("staff1", None)
    assert "打字" in shown_text(answer) or "输入" in shown_text(answer)
    assert await stored(dingtalk, "staff1") == []


async def test_a_second_tap_on_save_saves_once(dingtalk):
    await join(dingtalk, "staff1")
    await dingtalk.say("staff1", "/log 家访 王小明 昨天 40分钟 了解学习情况")
    save = dingtalk.button_text("保存")
    await dingtalk.say("staff1", save)
    again = await dingtalk.say("staff1", save)
    assert again and len(await stored(dingtalk, "staff1")) == 1


async def test_a_forged_button_text_changes_nothing_and_says_so(dingtalk):
    await join(dingtalk, "staff1")
    await dingtalk.say("staff1", "/log 家访 王小明 昨天 40分钟 了解学习情况")
    (answer,) = await dingtalk.say("staff1", "✅ 保存 [zzzzz]")
    assert "按钮" in shown_text(answer)
    assert await stored(dingtalk, "staff1") == []


async def test_in_a_group_the_mention_is_stripped_and_the_answer_has_no_buttons(dingtalk):
    await join(dingtalk, "lead1", role="leader")
    answers = await dingtalk.say("lead1", "/link top 5", group="cidGroupA")
    assert answers and all(r.path in (PATH_WEBHOOK, PATH_GROUP) for r in answers)
    assert "合川中学" in shown_text(answers[0])
    assert all(buttons_of(r) == {} for r in answers)
