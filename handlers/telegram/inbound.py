"""Telegram's updates read as core events: commands, texts, taps, photos and documents, from people in chats; and
the bot's own membership (blocked or unblocked by a person, removed from a group, a group that moved)."""

from __future__ import annotations

import re

from telegram import ChatMember, Message, MessageEntity, Update

from bot.chat.events import (
    Body,
    BotMembership,
    ChatAddress,
    Command,
    Event,
    MembershipChange,
    OtherMessage,
    Person,
    Tap,
    Text,
    Upload,
)
from bot.platform_names import TELEGRAM

GONE = (ChatMember.BANNED, ChatMember.LEFT)
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
        return None  # service messages: a group's move is read by membership_of, the others are not the core's
    return OtherMessage()


def upload_of(message: Message) -> Upload:
    """A photo (its largest size) or document by the file id the Bot API keeps it under; its bytes stay there."""
    caption = message.caption or ""
    if message.photo:
        return Upload("", b"", caption, file_id=message.photo[-1].file_id, mime_type="image/jpeg")
    document = message.document
    assert document is not None  # body_of checked
    return Upload(document.file_name or "", b"", caption, file_id=document.file_id, mime_type=document.mime_type)


def membership_change(status: str, private: bool) -> MembershipChange | None:
    """What the bot's new status means: in a private chat the person blocked or unblocked it, a group removed it."""
    if status in GONE:
        return "blocked" if private else "removed"
    return "unblocked" if private and status == ChatMember.MEMBER else None


def is_migration(message: Message | None) -> bool:
    return message is not None and bool(message.migrate_to_chat_id or message.migrate_from_chat_id)


def membership_of(update: Update) -> Event | None:
    """The bot's own membership changed, or a group became a supergroup (Telegram says so in the old chat and in
    the new one); None for any other update."""
    user, change, message = update.effective_user, update.my_chat_member, update.effective_message
    person = Person(TELEGRAM, str(user.id) if user else "", user.language_code if user else None)
    if change is not None:
        private = change.chat.type == "private"
        kind = membership_change(change.new_chat_member.status, private)
        return Event(ChatAddress(TELEGRAM, str(change.chat.id)), person, BotMembership(kind), private=private) \
            if kind else None
    if message is None or not is_migration(message):
        return None
    old, new = (message.chat.id, message.migrate_to_chat_id) if message.migrate_to_chat_id \
        else (message.migrate_from_chat_id, message.chat.id)
    return Event(ChatAddress(TELEGRAM, str(old)), person, BotMembership("moved", str(new)), private=False)


def event_of(update: Update, bot_username: str | None = None) -> Event | None:
    """The core's event for an update from a person in a chat, or about the bot's membership; None for anything
    else."""
    if update.my_chat_member is not None or is_migration(update.effective_message):
        return membership_of(update)
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
