"""Forged or garbled button data, on any button: a short popup in the member's language, and nothing changes."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Entry
from tests.support.accounts import member_of_account
from tests.support.bot import BotHarness
from tests.support.fake_telegram import FakeUser, SentMessage

POPUP_EN = "This button does not work. Use the buttons of my latest message, or send /help."
POPUP_ZH = "这个按钮用不了。请用我最新一条消息里的按钮，或发送 /help。"


async def forge(bot: BotHarness, user: FakeUser, data: str) -> tuple[list[SentMessage], str | None]:
    """Tap the latest inline keyboard with `data` instead of what its buttons carry: (new messages, popup)."""
    message = next(m for m in reversed(bot.fake.messages_to(user.id)) if m.has_inline_keyboard)
    answers_before = len(bot.fake.callback_answers)
    sent = await bot.fake.send(bot.app, bot.fake.tap(user, message, data))
    [answer] = bot.fake.callback_answers[answers_before:]
    assert not answer.show_alert
    return sent, answer.text


async def live_entries(bot: BotHarness) -> list[Entry]:
    async with bot.db.transaction() as session:
        return list(await session.scalars(select(Entry).where(Entry.deleted_at.is_(None)).order_by(Entry.id)))


# Each test forges every one of its data in turn on the same keyboard (one bot, not one a datum): after each, the
# popup and nothing changed.
FORGED_UNDO = ["undo:abc", "undo:", "undo:0", "undo:2147483648", "undo:9223372036854775808", "undo:" + "9" * 40]
FORGED_STUDENT = ["stu:abc", "stu:-1", "stu:100", "stu:1.5"]
FORGED_DURATION = ["dur:abc", "dur:1e9", "dur:0", "dur:-45", "dur:99999999999"]
FORGED_SETTINGS = ["lang:fr", "remind:hourly", "remind:", "lang:zh:en", "x" * 65, "\x00"]
FORGED_ANY_KIND = ["prb:close:abc", "prb:assign:-1", "prb:close:2147483648", "prb:to:x", "prb:page:-1", "cov:abc",
                   "act:", "save:nothex", "editf:password", "snooze:now", "lognow:家访", "nonsense"]


async def test_a_forged_undo_button_gets_a_popup_and_removes_nothing(bot, li):
    await bot.say(li, "/log visit Wang today 30")
    await bot.tap(li, "✅ Save")
    await bot.say(li, "/undo")
    for data in FORGED_UNDO:
        sent, popup = await forge(bot, li, data)
        assert (sent, popup) == ([], POPUP_EN), data
        assert [e.student_name for e in await live_entries(bot)] == ["Wang"], data
    await bot.tap(li, "Yes, remove it")  # the real button still works
    assert await live_entries(bot) == []
    assert bot.errors() == []


async def test_a_forged_student_button_gets_a_popup_and_the_draft_keeps_its_place(bot, wang):
    await bot.say(wang, "/log 辅导 王小明 今天 30分钟")
    await bot.tap(wang, "✅ 保存")
    await bot.say(wang, "/log")
    await bot.tap(wang, "作业辅导")
    assert bot.buttons(wang) == ["王小明"]
    for data in FORGED_STUDENT:
        sent, popup = await forge(bot, wang, data)
        assert (sent, popup) == ([], POPUP_ZH), data
        assert bot.buttons(wang) == ["王小明"], data
    await bot.tap(wang, "王小明")
    assert bot.buttons(wang) == ["今天", "昨天"]  # on to the next step with the name tapped
    assert bot.errors() == []


async def test_a_forged_duration_button_gets_a_popup_and_the_question_stays(bot, li):
    await bot.say(li, "/log")
    await bot.tap(li, "Home visit")
    await bot.say(li, "Zhang Wei")
    await bot.tap(li, "No, alone")
    await bot.tap(li, "Today")
    question = bot.last_text(li)
    for data in FORGED_DURATION:
        sent, popup = await forge(bot, li, data)
        assert (sent, popup) == ([], POPUP_EN), data
        assert bot.last_text(li) == question, data
    await bot.tap(li, "45 min")
    await bot.tap(li, "Skip")
    await bot.tap(li, "✅ Save")
    [entry] = await live_entries(bot)
    assert (entry.student_name, entry.duration_minutes) == ("Zhang Wei", 45)
    assert bot.errors() == []


async def test_a_forged_settings_button_changes_nothing(bot, li):
    await bot.say(li, "/settings")
    for data in FORGED_SETTINGS:
        sent, popup = await forge(bot, li, data)
        assert (sent, popup) == ([], POPUP_EN), data
        member = await member_of_account(bot.db, li.id)
        assert member.language in (None, "en"), data
    assert bot.errors() == []


async def test_forged_data_of_any_kind_gets_the_popup_outside_a_conversation_too(bot, wang):
    await bot.say(wang, "/settings")
    for data in FORGED_ANY_KIND:
        sent, popup = await forge(bot, wang, data)
        assert (sent, popup) == ([], POPUP_ZH), data
    assert bot.errors() == []


async def test_a_stranger_tapping_forged_data_gets_the_popup_in_their_language(bot):
    stranger = bot.fake.user(1099, "Sam", "Stone", language_code="en")
    await bot.say(stranger, "/help")
    message = bot.fake.last_to(stranger.id)
    answers_before = len(bot.fake.callback_answers)
    sent = await bot.fake.send(bot.app, bot.fake.tap(stranger, message, "undo:abc"))
    assert sent == [] and bot.fake.callback_answers[answers_before].text == POPUP_EN
    assert bot.errors() == []


async def test_a_well_formed_colleague_button_for_someone_not_a_colleague_asks_again(bot, li):
    await bot.say(li, "/log")
    await bot.tap(li, "Home visit")
    await bot.say(li, "Zhang Wei")
    sent, _ = await forge(bot, li, "cov:2147483647")  # no such member
    assert "Did a colleague come along?" in sent[-1].text
    await bot.tap(li, "No, alone")
    assert bot.buttons(li) == ["Today", "Yesterday"]
    assert bot.errors() == []


async def test_a_well_formed_undo_button_for_another_members_entry_removes_nothing(bot, li, wang):
    await bot.say(wang, "/log visit 王小明 today 30")
    await bot.tap(wang, "✅ 保存")
    [wangs] = await live_entries(bot)
    await bot.say(li, "/log visit Wang today 30")
    await bot.tap(li, "✅ Save")
    await bot.say(li, "/undo")
    sent, _ = await forge(bot, li, f"undo:{wangs.id}")
    assert "can no longer be removed" in sent[-1].text
    assert len(await live_entries(bot)) == 2
