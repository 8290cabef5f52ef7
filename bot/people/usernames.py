"""Which member a handle belongs to — a Telegram @username, a Slack display name — as far as the bot has seen it.

Platforms give bots no way to look a handle up, so the chat engine remembers the handle of each member it hears
from, whatever the platform (`Person.username`). Each (platform, user, handle) is written once per process;
people who are not members are not remembered.
"""

from __future__ import annotations

from bot.platform_names import WITH_HANDLES
from storage import repository as repo
from storage import usernames as store
from storage.db import Database
from storage.models import Member


class UsernameBook:
    """Remembers members' handles and finds members by them."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._written: set[tuple[str, str, str]] = set()

    async def remember(self, platform: str, user_id: str, username: str | None) -> None:
        """Note a handle seen on an event from `user_id` (a no-op when known or not a member)."""
        if not username or (platform, user_id, username) in self._written:
            return
        async with self.db.transaction() as session:
            member = await repo.member_by_account(session, platform, user_id)
            if member is None or not member.active:
                return
            if await store.user_id_for_username(session, platform, username) != user_id:
                await store.remember_username(session, platform, username, user_id)
        self._written.add((platform, user_id, username))

    async def member(self, school_id: int, username: str) -> Member | None:
        """The active member of the school last seen with this handle on any platform, if any."""
        async with self.db.transaction() as session:
            for platform in WITH_HANDLES:
                user_id = await store.user_id_for_username(session, platform, username)
                member = await repo.member_by_account(session, platform, user_id) if user_id is not None else None
                if member is not None and member.active and member.school_id == school_id:
                    return member
        return None
