"""python-telegram-bot persistence over teachlog's database instead of a pickle file.

Conversation states and user data live in the `chat_state` table, so an
unfinished /log survives a restart of the bot, even a `kill -9`. They are
written by :mod:`handlers.telegram.checkpoint` at every step, before its replies
are sent; the periodic flush of python-telegram-bot leaves them alone, since it
would write what was in memory a moment ago over a newer step. Values must be
JSON: the handlers keep drafts as plain dicts for this reason.
"""

from __future__ import annotations

import copy
import json

from telegram.ext import BasePersistence, PersistenceInput

from bot.chat_state import ChatStateStore

CONVERSATION_KIND = "conversation:{name}"
USER_DATA, CHAT_DATA = "user_data", "chat_data"
FLUSH_INTERVAL_SECONDS = 5


class DatabasePersistence(BasePersistence[dict, dict, dict]):
    def __init__(self, store: ChatStateStore, update_interval: float = FLUSH_INTERVAL_SECONDS) -> None:
        super().__init__(store_data=PersistenceInput(bot_data=False, callback_data=False),
                         update_interval=update_interval)
        self.store = store

    async def get_user_data(self) -> dict[int, dict]:
        rows = await self.store.load(USER_DATA)
        return {int(key): value or {} for key, value in rows.items()}

    async def get_chat_data(self) -> dict[int, dict]:
        rows = await self.store.load(CHAT_DATA)
        return {int(key): value or {} for key, value in rows.items()}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict:
        rows = await self.store.load(CONVERSATION_KIND.format(name=name))
        return {tuple(json.loads(key)): value["state"] for key, value in rows.items() if value is not None}

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        return None  # written by the checkpoint of each step

    async def update_user_data(self, user_id: int, data: dict) -> None:
        return None  # written by the checkpoint of each step

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        await self.store.save(CHAT_DATA, str(chat_id), copy.deepcopy(data))

    async def update_bot_data(self, data: dict) -> None:
        return None

    async def update_callback_data(self, data) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        await self.store.drop(USER_DATA, str(user_id))

    async def drop_chat_data(self, chat_id: int) -> None:
        await self.store.drop(CHAT_DATA, str(chat_id))

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def flush(self) -> None:
        return None
