"""People behind a platform's user ids, for platforms whose payloads carry only the id: asked of the platform once
each and kept. When the platform does not answer, the person is just the id and the name the payload carried,
answered in the school's language (their own is not known)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.chat.events import Person

log = logging.getLogger(__name__)

#: Asks the platform who a user id is; the name the payload carried, for what the platform leaves out.
Ask = Callable[[str, "str | None"], Awaitable[Person]]


class PersonLookup:
    def __init__(self, platform: str, ask: Ask, failures: tuple[type[BaseException], ...]) -> None:
        self.platform, self.ask, self.failures = platform, ask, failures
        self._known: dict[str, Person] = {}

    async def person(self, user_id: str, fallback_name: str | None = None) -> Person:
        """The person behind a user id; without the platform's answer, just the id (and the name it sent)."""
        if user_id in self._known:
            return self._known[user_id]
        try:
            person = await self.ask(user_id, fallback_name)
        except self.failures as error:
            log.warning("%s could not say who %s is (%s); answering in the school's language", self.platform,
                        user_id, error)
            return Person(self.platform, user_id, None, fallback_name, fallback_name)
        self._known[user_id] = person
        return person
