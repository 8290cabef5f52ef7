"""Key-value state a chat platform keeps between restarts, stored in the main database."""

from __future__ import annotations

from storage import repository as repo
from storage.db import Database

BOT_KIND = "bot"


class ChatStateStore:
    """Load and save JSON values by (kind, key); one transaction per call."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def load(self, kind: str) -> dict[str, dict | None]:
        async with self.db.transaction() as session:
            return await repo.load_chat_state(session, kind)

    async def save(self, kind: str, key: str, value: dict | None) -> None:
        async with self.db.transaction() as session:
            await repo.save_chat_state(session, kind, key, value)

    async def drop(self, kind: str, key: str) -> None:
        async with self.db.transaction() as session:
            await repo.drop_chat_state(session, kind, [key])

    async def write(self, changes: dict[tuple[str, str], dict | None]) -> None:
        """Save several (kind, key) values at once, all or none; None drops the row."""
        async with self.db.transaction() as session:
            for (kind, key), value in changes.items():
                if value is None:
                    await repo.drop_chat_state(session, kind, [key])
                else:
                    await repo.save_chat_state(session, kind, key, value)


async def bot_username(db: Database) -> str | None:
    """The bot's @username as last seen by a running bot, if it has run."""
    value = (await ChatStateStore(db).load(BOT_KIND)).get("username")
    return value.get("username") if value else None


async def remember_bot_username(db: Database, username: str | None) -> None:
    """Keep the bot's @username as a running bot learns it, for the invite links printed without a running bot."""
    await ChatStateStore(db).save(BOT_KIND, "username", {"username": username})
