"""No stuck conversation after a crash: every step is saved before it is answered, and stale buttons re-ask.

The real-process half (SIGKILL after each step) is in tests/test_kill.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select
from telegram.ext import ConversationHandler

from bot.chat.flows.log_steps import CONFIRM, COVISITOR, DURATION, NOTES, STUDENT, WHEN
from handlers.telegram.checkpoint import conversation_handlers, is_checkpointed
from storage.models import Entry
from tests.support.bot import BotHarness

OUT_OF_DATE = "This button is out of date. Please answer the question below."


async def stored_entries(db) -> list[Entry]:
    async with db.transaction() as session:
        return list(await session.scalars(select(Entry).order_by(Entry.id)))


async def saved_log_state(bot: BotHarness, user) -> tuple[int | None, dict | None]:
    state, user_data = await bot.saved_conversation("log", user)
    return state, user_data.get("draft")


def record_at_each_send(bot: BotHarness, snapshot: Callable[[], Awaitable[object]]) -> list[tuple[str, object]]:
    """(text, what `snapshot` found in the database) at the moment each sendMessage reaches Telegram."""
    seen: list[tuple[str, object]] = []
    handle = bot.fake.handle

    async def recording(method: str, params: dict, files=None):
        if method.lower() == "sendmessage":
            seen.append((params.get("text"), await snapshot()))
        return await handle(method, params, files)

    bot.fake.handle = recording  # type: ignore[method-assign]
    return seen


async def test_each_log_step_is_saved_before_its_question_is_sent(bot, li):
    seen = record_at_each_send(bot, lambda: saved_log_state(bot, li))
    await bot.say(li, "/log")
    await bot.tap(li, "Home visit")
    await bot.say(li, "Wang Xiaoming")
    await bot.tap(li, "No, alone")
    await bot.tap(li, "Yesterday")
    await bot.tap(li, "45 min")
    await bot.say(li, "talked about homework")
    questions = [(text.split("?")[0], state) for text, (state, _draft) in seen[1:]]
    assert questions == [("Which student or family", STUDENT), ("Did a colleague come along", COVISITOR),
                         ("When was it", WHEN), ("How long did it take", DURATION), ("Any notes", NOTES),
                         (seen[-1][0].split("?")[0], CONFIRM)]
    _text, (_state, draft) = seen[-1]
    assert (draft["student"], draft["day"], draft["duration_minutes"], draft["notes"]) == \
        ("Wang Xiaoming", "2026-11-17", 45, "talked about homework")
    await bot.tap(li, "✅ Save")
    assert await saved_log_state(bot, li) == (None, None)  # ended and forgotten before "Saved" was sent
    assert len(await stored_entries(bot.db)) == 1


async def test_a_button_from_an_older_step_says_so_and_asks_the_current_question_again(bot, li):
    await bot.say(li, "/log")
    await bot.tap(li, "Home visit")
    await bot.say(li, "Wang Xiaoming")
    colleague_question = bot.fake.last_to(li.id)
    await bot.tap(li, "No, alone")
    await bot.tap(li, "No, alone", message=colleague_question)
    assert bot.fake.callback_answers[-1].text == OUT_OF_DATE
    assert bot.last_text(li).startswith("When was it?") and bot.buttons(li) == ["Today", "Yesterday"]
    await bot.tap(li, "Today")
    await bot.tap(li, "30 min")
    await bot.tap(li, "Skip")
    await bot.tap(li, "✅ Save")
    [entry] = await stored_entries(bot.db)
    assert (entry.student_name, entry.duration_minutes) == ("Wang Xiaoming", 30)
    assert bot.errors() == []


async def tap_a_cancelled_drafts_button(bot: BotHarness, user, first: str, label: str, second: str) -> None:
    """Send `first`, cancel, send `second`, then tap `label` on the answer `first` got."""
    await bot.say(user, first)
    old_message = bot.fake.last_to(user.id)
    await bot.say(user, "/cancel")
    await bot.say(user, second)
    await bot.tap(user, label, message=old_message)
    assert bot.fake.callback_answers[-1].text == OUT_OF_DATE


async def test_a_button_of_a_cancelled_draft_does_not_touch_the_new_one(bot, li):
    await tap_a_cancelled_drafts_button(bot, li, "/log", "Phone call", "/log")
    assert bot.last_text(li) == "What did you do?" and "Home visit" in bot.buttons(li)
    await bot.tap(li, "Home visit")
    assert "Which student or family" in bot.last_text(li)


async def test_an_older_drafts_save_cannot_save_the_new_draft(bot, li):
    await tap_a_cancelled_drafts_button(bot, li, "/log visit Wang Xiaoming today 30 first", "✅ Save",
                                        "/log visit Zhang Wei today 45 second")
    assert await stored_entries(bot.db) == []
    assert "Zhang Wei" in bot.last_text(li) and "✅ Save" in bot.buttons(li)
    await bot.tap(li, "✅ Save")
    [entry] = await stored_entries(bot.db)
    assert (entry.student_name, entry.notes) == ("Zhang Wei", "second")


async def test_a_button_of_a_finished_draft_outside_any_conversation_is_out_of_date(bot, li):
    await bot.say(li, "/log")
    await bot.tap(li, "Home visit")
    await bot.say(li, "Wang Xiaoming")
    await bot.tap(li, "No, alone")
    day_question = bot.fake.last_to(li.id)
    await bot.say(li, "/cancel")
    sent = await bot.tap(li, "Today", message=day_question)
    assert bot.fake.callback_answers[-1].text == "This button is out of date. Send /log to start again."
    assert sent == [] and await saved_log_state(bot, li) == (None, None)


async def test_a_joining_persons_name_question_is_saved_before_it_is_asked(bot):
    nickname = bot.fake.user(1003, "xx", language_code="en")
    seen = record_at_each_send(bot, lambda: bot.saved_conversation("join", nickname))
    await bot.say(nickname, f"/start {await bot.invite()}")
    [(question, (state, user_data))] = seen
    assert "full name" in question and state == 0 and user_data["invite_code"]


def test_every_step_of_every_persistent_conversation_is_saved_before_it_is_answered(bot):
    conversations = [h for group in bot.app.handlers.values() for h in group if isinstance(h, ConversationHandler)]
    assert {c.name for c in conversations if c.persistent} == {"join", "records"}
    for conversation in conversations:
        assert conversation.persistent
        assert all(is_checkpointed(handler) for handler in conversation_handlers(conversation)), conversation.name


async def test_an_old_button_of_another_feature_is_out_of_date_without_a_log_hint(bot, li):
    await bot.say(li, "/help")
    await bot.fake.send(bot.app, bot.fake.tap(li, bot.fake.last_to(li.id), "prb:to:1"))
    assert bot.fake.callback_answers[-1].text == "This button is out of date."
