"""Telegram @usernames of members, remembered so `/report @username` can find them.

Kept in the chat-state table under one kind: key = the username in lower case,
value = ``{"user_id": <Telegram user id>}``. A username that moves to another
account is simply overwritten.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage import repository as repo
from storage.models import ChatState

USERNAME_KIND = "telegram_username"


def _key(username: str) -> str:
    return username.strip().lstrip("@").casefold()


async def user_id_for_username(session: AsyncSession, username: str) -> int | None:
    row = await session.get(ChatState, (USERNAME_KIND, _key(username)))
    value = row.value if row is not None else None
    return value.get("user_id") if value else None


async def remember_username(session: AsyncSession, username: str, user_id: int) -> None:
    await repo.save_chat_state(session, USERNAME_KIND, _key(username), {"user_id": user_id})
