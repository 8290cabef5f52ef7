"""What a handler may take for granted about its update, checked.

python-telegram-bot types every part of an update as optional, because any one
kind of update lacks most of them. A handler registered for button taps always
gets a callback query, one filtered to text messages always gets text, and
updates from a user always have user_data. These helpers say so once, and raise
a clear LookupError if a handler is ever wired to the wrong kind of update.
"""

from __future__ import annotations

from typing import Any, TypeVar

from telegram import CallbackQuery, Chat, Message, Update, User

from bot.membership import Profile
from handlers.telegram.common import Caller, Context

T = TypeVar("T")


def _present(value: T | None, missing: str) -> T:
    if value is None:
        raise LookupError(missing)
    return value


def user_data(context: Context) -> dict[Any, Any]:
    """The chatting user's data."""
    return _present(context.user_data, "this update has no user, so no user_data")


def tapped_query(update: Update) -> CallbackQuery:
    """The button tap of an update a CallbackQueryHandler routed here."""
    return _present(update.callback_query, "this update is not a button tap")


def tap_data(update: Update) -> str:
    """The data of the tapped button: the handler's pattern matched it."""
    return _present(tapped_query(update).data, "this button tap carries no data")


def message(update: Update) -> Message:
    """The message of an update a MessageHandler or CommandHandler routed here."""
    return _present(update.message, "this update has no message")


def message_text(update: Update) -> str:
    """The text of a message that a text filter let through."""
    return _present(message(update).text, "this message has no text")


def chat_of(update: Update) -> Chat:
    """The chat an update came from."""
    return _present(update.effective_chat, "this update has no chat")


def user(update: Update) -> User:
    """The user an update came from."""
    return _present(update.effective_user, "this update has no user")


def member(who: Caller) -> Profile:
    """The profile of a caller the handler has already found to be a member."""
    return _present(who.profile, "the caller is not a member of a school")
