"""The Telegram adapter's two directions: an Update becomes a core Event, an Outcome becomes Bot API calls."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import Application, BaseHandler, ContextTypes

from bot.chat.engine import ChatEngine
from bot.chat.events import Body, ChatAddress, Command, Event, OtherMessage, Person, Tap, Text, Upload
from bot.chat.replies import Outcome, Reply
from bot.observability.log_context import bind_update_id
from bot.platforms import TELEGRAM
from handlers.telegram.limits import CAPTION_LIMIT, headline, split_message, utf16_length

log = logging.getLogger(__name__)

COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)


def body_of(update: Update, bot_username: str | None) -> Body | None:
    if update.callback_query is not None:
        return Tap(update.callback_query.data or "")
    message = update.effective_message
    if message is None or update.edited_message is not None:
        return None
    if message.text is not None:
        match = COMMAND.match(message.text)
        if match:
            addressed_to = match.group(2)
            if addressed_to and bot_username and addressed_to.lower() != bot_username.lower():
                return None  # a command for another bot in the group
            return Command(match.group(1).lower(), (match.group(3) or "").strip())
        return Text(message.text)
    if message.photo or message.document:
        return upload_of(message)
    if message.new_chat_members or message.left_chat_member or message.migrate_from_chat_id \
            or message.migrate_to_chat_id or message.group_chat_created or message.supergroup_chat_created:
        return None  # service messages are the chat-member handlers' business
    return OtherMessage()


def upload_of(message: Message) -> Upload:
    """A photo (its largest size) or document by the file id the Bot API keeps it under; its bytes stay there."""
    caption = message.caption or ""
    if message.photo:
        return Upload("", b"", caption, file_id=message.photo[-1].file_id, mime_type="image/jpeg")
    document = message.document
    assert document is not None  # body_of checked
    return Upload(document.file_name or "", b"", caption, file_id=document.file_id, mime_type=document.mime_type)


def event_of(update: Update, bot_username: str | None = None) -> Event | None:
    """The core's event for an update from a person in a chat; None for anything else."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    body = body_of(update, bot_username)
    if body is None:
        return None
    person = Person(TELEGRAM, str(user.id), user.language_code, user.full_name, user.username)
    message = update.effective_message
    mentions = tuple(str(entity.user.id) for entity in (message.entities or ()) if message is not None
                     and entity.type == MessageEntity.TEXT_MENTION and entity.user is not None) if message else ()
    query = update.callback_query
    message_id = str(query.message.message_id) if query is not None and query.message is not None else None
    return Event(ChatAddress(TELEGRAM, str(chat.id)), person, body, private=chat.type == "private",
                 message_id=message_id, mentions=mentions, update_id=str(update.update_id))


def markup_of(reply: Reply) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if reply.choices:
        return InlineKeyboardMarkup([[InlineKeyboardButton(choice.label, callback_data=choice.data) for choice in row]
                                     for row in reply.choices])
    if reply.keyboard:
        return ReplyKeyboardMarkup([[KeyboardButton(label) for label in reply.keyboard]],
                                   resize_keyboard=True, is_persistent=True)
    return None


async def send_reply(bot: Any, chat_id: int, reply: Reply) -> None:
    """One reply within Telegram's limits: long texts in pieces, pictures as a photo or an album, files each."""
    parse_mode = ParseMode.HTML if reply.html else None
    images = [a for a in reply.attachments if a.kind == "image"]
    files = [a for a in reply.attachments if a.kind == "file"]
    text_sent = False
    if images:
        fits = utf16_length(reply.text) <= CAPTION_LIMIT
        caption = (reply.text if fits else headline(reply.text)) or None
        if len(images) == 1:
            await bot.send_photo(chat_id, InputFile(images[0].data, filename=images[0].name), caption=caption,
                                 parse_mode=parse_mode)
        else:
            await bot.send_media_group(chat_id, [
                InputMediaPhoto(image.data, filename=image.name, caption=caption if i == 0 else None,
                                parse_mode=parse_mode if i == 0 else None)
                for i, image in enumerate(images)])
        text_sent = fits and not reply.choices and not reply.keyboard
    if reply.text and not text_sent:
        pieces = split_message(reply.text)
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            markup = markup_of(reply) if last else None
            await bot.send_message(chat_id, piece, parse_mode=parse_mode, reply_markup=markup)
    for attachment in files:
        await bot.send_document(chat_id, InputFile(attachment.data, filename=attachment.name),
                                caption=attachment.caption or None)


async def render(update: Update, outcome: Outcome, bot: Any) -> None:
    """Answer the tap (with the popup, if any), take the tapped buttons away if asked, then send the replies."""
    query = update.callback_query
    if query is not None:
        await query.answer(outcome.popup)
        if outcome.clear_tapped and query.message is not None:
            await query.edit_message_reply_markup(None)
    chat = update.effective_chat
    if chat is None:
        return
    for reply in outcome.replies:
        await send_reply(bot, chat.id, reply)


class EngineHandler(BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]):
    """Hands the updates the chat engine answers to it, and sends what it answers."""

    def __init__(self, engine: ChatEngine, *, everything: bool = False) -> None:
        super().__init__(self.on_update)
        self.engine, self.everything = engine, everything
        self.bot_username: str | None = None

    def check_update(self, update: object) -> bool:
        if not isinstance(update, Update):
            return False
        event = event_of(update, self.bot_username)
        return event is not None and (self.everything or self.engine.answers(event))

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bind_update_id(update.update_id)
        event = event_of(update, self.bot_username)
        if event is None:
            return
        outcome = await self.engine.handle(event)
        if not outcome.answered_before:
            await render(update, outcome, context.bot)

    async def expire_idle(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Close idle conversations and tell their chats (a job of the Application's job queue)."""
        for address, outcome in await self.engine.expire_idle():
            if address.platform != TELEGRAM:
                continue
            for reply in outcome.replies:
                await send_reply(context.bot, int(address.chat_id), reply)

    async def start(self, application: Application, idle_check_seconds: float) -> None:
        await self.engine.load_open()
        self.bot_username = application.bot.username if application.bot else None
        if application.job_queue is not None:
            application.job_queue.run_repeating(self.expire_idle, interval=idle_check_seconds, first=idle_check_seconds)
