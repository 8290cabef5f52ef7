"""Members' handles on the platforms that have them (Telegram @usernames, Slack display names), remembered so
`/report @name` can find them.

Kept in the chat-state table under one kind per platform (``telegram_username``, ``slack_username``): key = the
handle without "@" in lower case, value = ``{"user_id": <the platform's user id>}``. A handle that moves to
another account is simply overwritten.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage import repository as repo
from storage.models import ChatState


def _kind(platform: str) -> str:
    return f"{platform}_username"


def _key(username: str) -> str:
    return username.strip().lstrip("@").casefold()


async def user_id_for_username(session: AsyncSession, platform: str, username: str) -> str | None:
    """The account on `platform` last seen with this handle (Telegram's ids, stored as numbers once, as text)."""
    row = await session.get(ChatState, (_kind(platform), _key(username)))
    user_id = row.value.get("user_id") if row is not None and row.value else None
    return str(user_id) if user_id is not None else None


async def remember_username(session: AsyncSession, platform: str, username: str, user_id: str) -> None:
    await repo.save_chat_state(session, _kind(platform), _key(username), {"user_id": user_id})
