"""The Application every update goes through: NUL characters are removed before any handler sees the update.

PostgreSQL refuses NUL (0x00) in text, so a NUL typed into /start, a name, a
note or button data would fail deep in storage. Cleaning the whole update at
the one door all updates pass — polling and `process_update` alike — covers
every text field, today's and tomorrow's handlers.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.clean_text import without_nul


def nul_free(update: Update) -> Update:
    """`update` itself when it carries no NUL character, else a copy with every NUL removed."""
    data = update.to_dict()
    cleaned = without_nul(data)
    return update if cleaned == data else Update.de_json(cleaned, update.get_bot())


class NulFreeApplication(Application[Any, Any, Any, Any, Any, Any]):
    async def process_update(self, update: object) -> None:
        await super().process_update(nul_free(update) if isinstance(update, Update) else update)
