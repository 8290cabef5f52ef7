"""Which member a Telegram @username belongs to, as far as the bot has seen it.

Telegram gives bots no way to look a username up, so the bot remembers the
usernames of members it hears from (any update). Each (user, username) pair is
written once per process; users who are not members are not remembered.
"""

from __future__ import annotations

from bot.platforms import TELEGRAM
from storage import repository as repo
from storage import usernames as store
from storage.db import Database
from storage.models import Member


class UsernameBook:
    """Remembers members' usernames and finds members by them."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._written: set[tuple[int, str]] = set()

    async def remember(self, user_id: int, username: str | None) -> None:
        """Note a username seen on an update from `user_id` (a no-op when known or not a member)."""
        if not username or (user_id, username) in self._written:
            return
        async with self.db.transaction() as session:
            member = await repo.member_by_account(session, TELEGRAM, str(user_id))
            if member is None or not member.active:
                return
            if await store.user_id_for_username(session, username) != user_id:
                await store.remember_username(session, username, user_id)
        self._written.add((user_id, username))

    async def member(self, school_id: int, username: str) -> Member | None:
        """The active member of the school last seen with this username, if any."""
        async with self.db.transaction() as session:
            user_id = await store.user_id_for_username(session, username)
            member = await repo.member_by_account(session, TELEGRAM, str(user_id)) if user_id is not None else None
        if member is None or not member.active or member.school_id != school_id:
            return None
        return member
