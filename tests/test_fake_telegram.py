"""Tests for tests/support/fake_telegram.py driving a real PTB Application end to end."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.fake_telegram import FakeTelegram, retry_after_seconds

# ----------------------------------------------------------------------------- fixtures


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("家访", callback_data="kind:visit")],
            [InlineKeyboardButton("电话", callback_data="kind:call")],
        ]
    )
    await update.effective_message.reply_text(
        f"你好 {update.effective_user.first_name}，我是 @{context.bot.username}", reply_markup=keyboard
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


async def on_kind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("已选择")
    await query.edit_message_reply_markup(None)
    await query.message.reply_text(f"已选择 {query.data}")


async def on_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(
        "菜单", reply_markup=ReplyKeyboardMarkup([[KeyboardButton("今日"), "本周"]])
    )


def build_app(fake: FakeTelegram, *, shared_request: bool = True) -> Application:
    builder = ApplicationBuilder().token("123:ABC")
    if shared_request:
        builder = builder.request(fake.request).get_updates_request(fake.request)
    else:
        builder = builder.request(fake.make_request()).get_updates_request(fake.make_request())
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", on_menu))
    app.add_handler(CallbackQueryHandler(on_kind, pattern=r"^kind:"))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram(bot_username="teachlog_bot")


@pytest.fixture
async def app(fake: FakeTelegram):
    application = build_app(fake)
    async with fake.running(application):
        yield application
    fake.assert_no_errors()


# ----------------------------------------------------------------------------- (1) process_update


async def test_start_via_process_update(fake: FakeTelegram, app: Application) -> None:
    assert app.bot.username == "teachlog_bot"  # from getMe
    assert app.bot.id == fake.bot_id
    wang = fake.user(1001, "Wang")

    replies = await fake.say(app, wang, "/start")

    assert [m.chat_id for m in replies] == [wang.id]
    assert fake.last_to(wang.id).text == "你好 Wang，我是 @teachlog_bot"
    assert fake.last_to(wang.id).inline_buttons == [("家访", "kind:visit"), ("电话", "kind:call")]
    await fake.say(app, wang, "hello")
    assert fake.texts_to(wang.id)[-1] == "echo: hello"
    assert fake.messages_to(wang.id)[0].message_id < fake.messages_to(wang.id)[1].message_id


async def test_command_addressed_to_bot_and_entities(fake: FakeTelegram, app: Application) -> None:
    li = fake.user(1002, "Li", username="li_t")
    update = fake.private_text(li, "/start@teachlog_bot now")
    assert update["message"]["entities"] == [
        {"type": "bot_command", "offset": 0, "length": len("/start@teachlog_bot")}
    ]
    await fake.send(app, update)
    assert fake.last_to(li.id).text.startswith("你好 Li")
    # A command addressed to another bot is ignored by CommandHandler (and isn't plain text).
    assert await fake.say(app, li, "/start@other_bot") == []

    group = -1001234567890
    await fake.send(app, fake.group_text(li, group, "/start@teachlog_bot", title="三年级"))
    assert fake.last_to(group).text.startswith("你好 Li")
    assert fake.last_to(group).payload["chat"] == {"id": group, "type": "supergroup", "title": "三年级"}


async def test_reply_keyboard_and_unknown_methods(fake: FakeTelegram, app: Application) -> None:
    wang = fake.user(1003)
    await fake.say(app, wang, "/menu")
    assert fake.last_to(wang.id).reply_keyboard == [["今日", "本周"]]
    assert not fake.last_to(wang.id).has_inline_keyboard

    await app.bot.set_my_commands([("start", "开始"), ("menu", "菜单")])
    assert [c["command"] for c in fake.commands[('{"type": "default"}', "")]] == ["start", "menu"]

    assert await app.bot.send_chat_action(wang.id, "typing") is True  # not emulated: recorded
    assert [c.method for c in fake.unknown_calls] == ["sendChatAction"]


# ----------------------------------------------------------------------------- (2) polling


async def test_real_polling_processes_updates_queued_while_down(fake: FakeTelegram) -> None:
    app = build_app(fake)
    wang, li = fake.user(2001, "Wang"), fake.user(2002, "Li")
    fake.push(fake.private_text(wang, "/start"), fake.private_text(li, "早上好"))

    t0 = time.monotonic()
    await app.initialize()
    await app.start()
    await app.updater.start_polling(drop_pending_updates=False, poll_interval=0, timeout=1)
    await fake.wait_until(lambda: fake.messages_to(wang.id) and fake.messages_to(li.id))

    # An update arriving during a long poll wakes it up immediately.
    await asyncio.sleep(0.05)
    fake.push(fake.private_text(li, "第二条"))
    await fake.wait_until(lambda: len(fake.messages_to(li.id)) == 2, timeout=0.5)

    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    assert time.monotonic() - t0 < 2
    assert fake.texts_to(li.id) == ["echo: 早上好", "echo: 第二条"]
    assert fake.pending_updates == []  # confirmed by the final getUpdates(offset=...)
    assert fake.request.initialize_calls == 2 and fake.request.shutdown_calls == 2  # shared
    assert fake.calls_to("deleteWebhook")


async def test_polling_with_separate_requests_and_drop_pending(fake: FakeTelegram) -> None:
    app = build_app(fake, shared_request=False)
    wang = fake.user(2003)
    fake.push(fake.private_text(wang, "旧消息"))
    async with fake.running(app, polling=True, drop_pending_updates=True):
        fake.push(fake.private_text(wang, "新消息"))
        await fake.wait_until(lambda: fake.texts_to(wang.id))
    assert fake.texts_to(wang.id) == ["echo: 新消息"]


async def test_updates_pushed_while_down_are_processed_after_restart(fake: FakeTelegram) -> None:
    wang = fake.user(2004)
    seen: list[str] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.message.text)

    app = build_app(fake)
    app.add_handler(MessageHandler(filters.TEXT, record), 1)
    fake.push(fake.private_text(wang, "a"))
    async with fake.running(app, polling=True):
        await fake.wait_until(lambda: seen == ["a"])
    fake.push(fake.private_text(wang, "b"))  # bot is down
    app2 = build_app(fake)
    app2.add_handler(MessageHandler(filters.TEXT, record), 1)
    async with fake.running(app2, polling=True):
        await fake.wait_until(lambda: seen == ["a", "b"])


async def test_get_updates_offset_limit_and_allowed_updates(fake: FakeTelegram, app: Application) -> None:
    wang = fake.user(2005)
    fake.push(*[fake.private_text(wang, str(i)) for i in range(3)])
    fake.push(fake.blocked(wang, apply=False))
    first = await app.bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["0", "1"]
    rest = await app.bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert [u.message.text for u in rest[:1]] == ["2"] and rest[1].my_chat_member is not None
    only_members = await app.bot.get_updates(allowed_updates=["my_chat_member"])
    assert [u.my_chat_member.new_chat_member.status for u in only_members] == ["kicked"]
    t0 = time.monotonic()
    assert await app.bot.get_updates(offset=rest[-1].update_id + 1, timeout=0.2) == ()
    assert 0.15 < time.monotonic() - t0 < 1


# ----------------------------------------------------------------------------- (3) buttons


async def test_tap_button_triggers_callback_and_answer(fake: FakeTelegram, app: Application) -> None:
    wang = fake.user(3001)
    await fake.say(app, wang, "/start")
    menu = fake.last_to(wang.id)

    await fake.tap_button(app, wang, "电话")

    [answer] = fake.callback_answers
    assert (answer.user_id, answer.data, answer.text) == (wang.id, "kind:call", "已选择")
    assert fake.calls_to("answerCallbackQuery")
    assert not menu.has_inline_keyboard  # the buttons were taken off the tapped message
    assert [e.method for e in fake.edits] == ["editMessageReplyMarkup"]
    assert [m.text for m in fake.messages_to(wang.id)] == [menu.text, "已选择 kind:call"]


async def test_tap_button_by_callback_data_and_missing_button(fake: FakeTelegram, app: Application) -> None:
    wang = fake.user(3002)
    await fake.say(app, wang, "/start")
    await fake.tap_button(app, wang, "kind:visit")
    assert fake.last_to(wang.id).text == "已选择 kind:visit"

    await fake.say(app, wang, "/start")
    with pytest.raises(AssertionError, match=r"'家访', 'kind:visit'"):
        await fake.tap_button(app, wang, "不存在")
    fake.clear()
    with pytest.raises(AssertionError, match="no bot message with an inline keyboard"):
        await fake.tap_button(app, wang, "家访")


async def test_realistic_bad_requests(fake: FakeTelegram, app: Application) -> None:
    wang = fake.user(3003)
    bot = app.bot
    msg = await bot.send_message(wang.id, "<b>计划</b> &lt;3", parse_mode=ParseMode.HTML)
    assert msg.text == "计划 <3"  # what the user sees
    assert fake.last_to(wang.id).text == "<b>计划</b> &lt;3"
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "br"'):
        await bot.send_message(wang.id, "a<br>b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)can't find end tag"):
        await bot.send_message(wang.id, "<b>x", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(wang.id, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            wang.id, "x", reply_markup=InlineKeyboardMarkup.from_button(
                InlineKeyboardButton("x", callback_data="x" * 65))
        )
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await msg.edit_reply_markup(None)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_reply_markup(chat_id=wang.id, message_id=999_999)


# ----------------------------------------------------------------------------- (4) faults


RETRY_AFTER_DEPRECATION = pytest.mark.filterwarnings(
    # PTB 22.8's RetryAfter.__init__ itself reads the deprecated int-valued property.
    "ignore:Deprecated since version v22.2:telegram.warnings.PTBDeprecationWarning"
)


@RETRY_AFTER_DEPRECATION
async def test_injected_errors_surface_as_ptb_exceptions(fake: FakeTelegram, app: Application) -> None:
    wang = fake.user(4001)
    bot = app.bot
    fake.fail_next("sendMessage", kind="retry_after", retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(wang.id, "x")
    assert retry_after_seconds(info.value) == 7

    fake.fail_next("sendMessage", chat_id=wang.id, kind="forbidden")
    await bot.send_message(4002, "other chat is unaffected")
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(wang.id, "x")

    fake.fail_next("send_message", kind="migrated", migrate_to_chat_id=-1000042)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-42, "x")
    assert migrated.value.new_chat_id == -1000042

    fake.fail_next("sendMessage", kind="server_error", count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="(?i)Bad Gateway"):
            await bot.send_message(wang.id, "x")
    fake.fail_next("sendMessage", kind="timeout")
    with pytest.raises(TimedOut):
        await bot.send_message(wang.id, "x")
    fake.fail_next("sendMessage", kind="timeout", delivered=True)
    with pytest.raises(TimedOut):
        await bot.send_message(wang.id, "lost response")

    await bot.send_message(wang.id, "ok")
    assert fake.texts_to(wang.id) == ["lost response", "ok"]
    assert fake.faults == []
    assert fake.stats.retry_after_served == 1 and fake.stats.faults_fired == 7
    assert fake.stats.errors[403] == 1 and fake.stats.errors[502] == 2


async def test_blocked_and_migrated_state(fake: FakeTelegram, app: Application) -> None:
    wang = fake.user(4003)
    seen = []

    async def on_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.my_chat_member.new_chat_member.status)

    app.add_handler(ChatMemberHandler(on_member))
    await fake.send(app, fake.blocked(wang))
    assert seen == ["kicked"]
    with pytest.raises(Forbidden):
        await app.bot.send_message(wang.id, "x")
    await fake.send(app, fake.unblocked(wang))
    await app.bot.send_message(wang.id, "welcome back")

    fake.migrate(-77, -10077)
    with pytest.raises(ChatMigrated) as info:
        await app.bot.send_message(-77, "x")
    assert info.value.new_chat_id == -10077


@RETRY_AFTER_DEPRECATION
async def test_rate_limiter_sliding_window(fake: FakeTelegram, app: Application) -> None:
    now = [100.0]
    fake.rate_limit(3, clock=lambda: now[0])
    for i in range(3):
        await app.bot.send_message(1, str(i))
        now[0] += 0.1
    with pytest.raises(RetryAfter) as info:
        await app.bot.send_message(1, "too fast")
    assert retry_after_seconds(info.value) == 1
    now[0] = 101.05  # first call (t=100.0) left the window
    await app.bot.send_message(1, "ok")
    with pytest.raises(RetryAfter):
        await app.bot.send_message(1, "still too fast")
    await app.bot.send_photo(1, b"\x89PNG")  # not limited (only sendMessage by default)
    assert fake.stats.rate_limited == 2 and fake.stats.retry_after_served == 2
    assert fake.texts_to(1) == ["0", "1", "2", "ok", None]


# ----------------------------------------------------------------------------- (5) files


async def test_photo_and_document_bytes_are_captured(fake: FakeTelegram, app: Application) -> None:
    wang = fake.user(5001)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    await app.bot.send_photo(wang.id, png, caption="<i>图表</i>", parse_mode="HTML", filename="chart.png")
    xlsx = b"PK\x03\x04 fake workbook"
    sent = await app.bot.send_document(wang.id, xlsx, filename="周报.xlsx", caption="周报")

    photo, document = fake.messages_to(wang.id)
    assert (photo.method, photo.photo, photo.filename, photo.caption) == (
        "sendPhoto", png, "chart.png", "<i>图表</i>")
    assert photo.plain_text == "图表"
    assert (document.method, document.document, document.filename) == ("sendDocument", xlsx, "周报.xlsx")
    assert sent.document.file_name == "周报.xlsx" and sent.document.file_size == len(xlsx)

    # Re-sending by file_id and downloading round-trip the same bytes.
    again = await app.bot.send_document(wang.id, sent.document.file_id)
    assert again.document.file_id == sent.document.file_id
    assert fake.last_to(wang.id).document == xlsx
    tg_file = await app.bot.get_file(sent.document.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == xlsx


async def test_user_uploads_can_be_downloaded(fake: FakeTelegram, app: Application) -> None:
    wang = fake.user(5002)
    got = []

    async def on_doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        f = await update.message.document.get_file()
        got.append(bytes(await f.download_as_bytearray()))

    app.add_handler(MessageHandler(filters.Document.ALL, on_doc))
    await fake.send(app, fake.private_document(wang, b"roster", filename="名单.csv", mime_type="text/csv"))
    assert got == [b"roster"]


async def test_non_blocking_handlers_are_awaited_by_send(fake: FakeTelegram) -> None:
    app = ApplicationBuilder().token("1:A").request(fake.request).get_updates_request(fake.request).build()

    async def slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await asyncio.sleep(0.05)
        await update.message.reply_text("done")

    app.add_handler(MessageHandler(filters.TEXT, slow, block=False))
    async with fake.running(app):
        wang = fake.user(6001)
        replies = await fake.say(app, wang, "hi")
    assert [m.text for m in replies] == ["done"]


async def test_handler_errors_are_recorded_and_can_be_raised(fake: FakeTelegram, app: Application) -> None:
    async def broken(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise ValueError("boom")

    app.add_handler(CommandHandler("broken", broken))
    wang = fake.user(6002)
    assert await fake.say(app, wang, "/broken") == []
    assert [str(e) for e in fake.handler_errors] == ["boom"]
    with pytest.raises(ValueError, match="boom"):
        await fake.say(app, wang, "/broken", raise_errors=True)
    with pytest.raises(AssertionError, match="handlers raised"):
        fake.assert_no_errors()
    fake.clear()


@pytest.mark.parametrize("delivered", [True, False])
async def test_a_held_call_is_answered_only_when_released(fake: FakeTelegram, app: Application,
                                                          delivered: bool) -> None:
    held = fake.hold("sendMessage", chat_id=1001, delivered=delivered)
    sending = asyncio.create_task(app.bot.send_message(1001, "in flight"))
    await asyncio.wait_for(held.reached.wait(), timeout=2)
    assert fake.texts_to(1001) == (["in flight"] if delivered else [])
    assert not sending.done()
    held.release()
    message = await asyncio.wait_for(sending, timeout=2)
    assert message.text == "in flight" and fake.texts_to(1001) == ["in flight"]
    await app.bot.send_message(1001, "not held")  # a hold is for one call
    assert fake.texts_to(1001) == ["in flight", "not held"]
