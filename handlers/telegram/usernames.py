"""Members' Telegram @usernames, noted from every update so that `/report @username` finds them."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.core import Core
from bot.people.usernames import UsernameBook


def username_recorder(core: Core) -> TypeHandler:
    """Register in a handler group after the others, so it sees every update, new members' too."""
    book = UsernameBook(core.db)

    async def remember(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is not None and user.username:
            await book.remember(user.id, user.username)

    return TypeHandler(Update, remember)
