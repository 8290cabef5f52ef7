"""Who a Slack user is: their name and locale from users.info (include_locale), asked once per user and kept."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.events import Person
from bot.platform_names import SLACK

log = logging.getLogger(__name__)


class Directory:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._known: dict[str, Person] = {}

    async def person(self, user_id: str, fallback_name: str | None = None) -> Person:
        """The person behind a user id; without users.info's answer, just the id (and the name Slack sent)."""
        if user_id in self._known:
            return self._known[user_id]
        try:
            response = await self.client.users_info(user=user_id, include_locale=True)
        except (SlackApiError, SlackClientError, OSError) as error:
            log.warning("users.info for %s failed (%s); answering in the school's language", user_id, error)
            return Person(SLACK, user_id, None, fallback_name, fallback_name)
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("real_name") or user.get("real_name") or profile.get("display_name") or fallback_name
        # The handle people type after "@" is the display name Slack shows; the legacy `name` when there is none.
        handle = profile.get("display_name") or user.get("name") or fallback_name
        person = Person(SLACK, user_id, user.get("locale"), name, handle)
        self._known[user_id] = person
        return person
