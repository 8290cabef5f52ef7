"""The Slack messenger: posts planned notifications through the Web API, paced per channel, and names its failures.

Used inside `teachlog run --platform slack` with the app's client, and by
`teachlog worker --platform slack` with a client of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.notifications.messenger import Buttons, PermanentFailure, RetryLater, TransientFailure, Unreachable
from bot.platforms import SLACK
from handlers.slack.blocks import messages, mrkdwn_of, plain_of

T = TypeVar("T")

#: chat.postMessage allows about one message a second per channel (short bursts pass, sustained ones get 429s).
SECONDS_PER_CHANNEL_MESSAGE = 1.0
#: The other methods a notification calls, at most as often as their Slack rate-limit tier allows
#: (Tier 3: 50 a minute; Tier 4: 100 a minute). files_upload_v2 calls files.getUploadURLExternal and
#: files.completeUploadExternal (both Tier 4) once each per file.
SECONDS_PER_METHOD_CALL = {"conversations.open": 60 / 50, "files.upload_v2": 60 / 100}
#: When a 429 comes without a Retry-After header.
DEFAULT_RETRY_SECONDS = 30.0

UNREACHABLE_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived", "account_inactive",
                                "user_not_found", "user_disabled", "cannot_dm_bot", "messages_tab_disabled"})
TRANSIENT_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout",
                              "team_added_to_org", "invalid_auth", "not_authed", "token_revoked"})


class ChannelPacer:
    """Keeps calls for one key (a channel, or a Web API method) at least `interval` seconds apart.

    Other keys are not held up; `intervals` gives some keys an interval of their own.
    """

    def __init__(self, interval: float = SECONDS_PER_CHANNEL_MESSAGE, *,
                 intervals: dict[str, float] | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self.interval, self.monotonic, self.sleep = interval, monotonic, sleep
        self.intervals = dict(intervals or {})
        self._next: dict[str, float] = {}
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @contextlib.asynccontextmanager
    async def turn(self, channel: str):
        async with self._locks[channel]:
            wait = self._next.get(channel, 0.0) - self.monotonic()
            if wait > 0:
                await self.sleep(wait)
            try:
                yield
            finally:
                self._next[channel] = self.monotonic() + self.intervals.get(channel, self.interval)


def delivery_error(error: Exception) -> Exception:
    """The bot.notifications.messenger exception for a failed Web API call."""
    if isinstance(error, SlackApiError):
        response = error.response
        code = str(response.get("error") or "") if response is not None else ""
        status = getattr(response, "status_code", 200)
        if status == 429 or code == "ratelimited":
            headers = getattr(response, "headers", {}) or {}
            retry_after = next((value for key, value in headers.items() if key.lower() == "retry-after"), None)
            seconds = float(retry_after[0] if isinstance(retry_after, list) else retry_after) \
                if retry_after is not None else DEFAULT_RETRY_SECONDS
            return RetryLater(seconds, f"Slack: ratelimited, retry after {seconds:g} s")
        if code in UNREACHABLE_ERRORS:
            return Unreachable(f"Slack: {code}")
        if status >= 500 or code in TRANSIENT_ERRORS:
            return TransientFailure(f"Slack: {code or status}")
        return PermanentFailure(f"Slack: {code or status}")
    return TransientFailure(f"{type(error).__name__}: {error}")


async def slack_call(call: Callable[[], Awaitable[T]]) -> T:
    """Run one Web API call; its failure as a bot.notifications.messenger DeliveryError."""
    try:
        return await call()
    except (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
        raise delivery_error(error) from error


def is_user_id(chat_id: str) -> bool:
    return chat_id[:1] in ("U", "W")


class SlackMessenger:
    """:class:`bot.notifications.messenger.Messenger` over an AsyncWebClient.

    Chats are channel ids, or user ids for direct messages.
    """

    platform = SLACK

    def __init__(self, client: AsyncWebClient, pacer: ChannelPacer | None = None,
                 methods: ChannelPacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()
        #: Paces the calls other than chat.postMessage by method, within their tiers.
        self.methods = methods or ChannelPacer(0.0, intervals=SECONDS_PER_METHOD_CALL)
        self._dm_channels: dict[str, str] = {}

    async def send(self, chat_id: str, text: str, *, buttons: Buttons | None = None,
                   parse_mode: str | None = None, photo: bytes | None = None,
                   photo_name: str | None = None) -> None:
        channel = chat_id
        is_html = (parse_mode or "").upper() == "HTML"
        async with self.pacer.turn(channel):
            if photo is not None:
                await self.upload(channel, photo, photo_name or "chart.png", text, is_html=is_html)
                if buttons:
                    await self.post(channel, "", buttons, is_html=is_html)
            else:
                await self.post(channel, text, buttons or (), is_html=is_html)

    async def post(self, channel: str, text: str, buttons: Buttons, *, is_html: bool) -> None:
        fallback = plain_of(text, is_html=is_html)[:3000] or "teachlog"
        for blocks in messages(text, buttons, is_html=is_html):
            await slack_call(partial(self.client.chat_postMessage, channel=channel, text=fallback, blocks=blocks,
                                     unfurl_links=False))

    async def upload(self, channel: str, data: bytes, name: str, comment: str, *, is_html: bool) -> None:
        """files_upload_v2 (getUploadURLExternal, the bytes, completeUploadExternal), titled with the file name."""
        target = await self.dm_channel(channel) if is_user_id(channel) else channel
        arguments: dict[str, Any] = {"channel": target, "file": data, "filename": name, "title": name}
        if comment:
            arguments["initial_comment"] = mrkdwn_of(comment, is_html=is_html)
        async with self.methods.turn("files.upload_v2"):
            await slack_call(lambda: self.client.files_upload_v2(**arguments))

    async def dm_channel(self, user_id: str) -> str:
        """The bot's direct-message channel with a person (uploads need a channel id, not a user id)."""
        if user_id not in self._dm_channels:
            async with self.methods.turn("conversations.open"):
                response = await slack_call(lambda: self.client.conversations_open(users=user_id))
            self._dm_channels[user_id] = str(response["channel"]["id"])
        return self._dm_channels[user_id]
