"""The Slack port (:class:`bot.chat.port.ChatPort`): messages as Web API calls paced per channel, Slack's errors
named for the core, payloads read through the directory of people.

Used inside `teachlog run --platform slack` with the app's client, and by
`teachlog worker --platform slack` with a client of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.events import ChatAddress, Event
from bot.chat.layout import Message
from bot.chat.pacing import Pacer, retry_after_seconds
from bot.chat.port import Receiver
from bot.chat.replies import Outcome
from bot.chat.reply_path import CONNECTION_ERRORS
from bot.notifications.messenger import DeliveryError, PermanentFailure, RetryLater, TransientFailure, Unreachable
from bot.platform_names import SLACK
from handlers.slack.blocks import (
    CAPABILITIES,
    ButtonRows,
    message_blocks,
    mrkdwn_of,
    plain_of,
    slack_commands,
    without_actions,
)
from handlers.slack.inbound import Origin, Payload, origin_of, read_payload
from handlers.slack.people import Directory

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


def delivery_error(error: Exception) -> DeliveryError:
    """The bot.notifications.messenger exception for a failed Web API call."""
    if isinstance(error, SlackApiError):
        response = error.response
        code = str(response.get("error") or "") if response is not None else ""
        status = getattr(response, "status_code", 200)
        if status == 429 or code == "ratelimited":
            seconds = retry_after_seconds(getattr(response, "headers", {}) or {}, DEFAULT_RETRY_SECONDS)
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
    except (SlackClientError, *CONNECTION_ERRORS) as error:
        raise delivery_error(error) from error


def is_user_id(chat_id: str) -> bool:
    return chat_id[:1] in ("U", "W")


class SlackPort:
    """:class:`bot.chat.port.ChatPort` over an AsyncWebClient. Chats are channel ids, or user ids for direct
    messages; messages to one channel are paced (Slack allows about one a second), other channels go on."""

    name = SLACK
    capabilities = CAPABILITIES

    def __init__(self, client: AsyncWebClient, pacer: Pacer | None = None, methods: Pacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or Pacer(SECONDS_PER_CHANNEL_MESSAGE)
        #: Paces the calls other than chat.postMessage by method, within their tiers.
        self.methods = methods or Pacer(0.0, intervals=SECONDS_PER_METHOD_CALL)
        self.directory = Directory(client)
        self._dm_channels: dict[str, str] = {}

    async def listen(self, receiver: Receiver, stop: asyncio.Event) -> None:
        """Only :class:`handlers.slack.platform.BoltPort` listens (with the Bolt app); this one sends."""
        raise RuntimeError("this Slack port only sends")

    async def event_of(self, raw: Any) -> Event | None:
        if not isinstance(raw, Payload):
            return None
        return await read_payload(raw, self.directory)

    async def acknowledge(self, raw: Any, outcome: Outcome) -> None:
        """The popup as a note only the person sees, in the chat of the tap; the tapped buttons taken away."""
        if not isinstance(raw, Payload):
            return
        origin = origin_of(raw)
        if outcome.popup:
            await self.note(origin, outcome.popup)
        if outcome.clear_tapped and origin.channel_id and origin.tapped_ts:
            await slack_call(lambda: self.client.chat_update(
                channel=str(origin.channel_id), ts=str(origin.tapped_ts),
                blocks=without_actions(list(origin.tapped_blocks)), text=origin.tapped_text or " "))

    async def note(self, origin: Origin, text: str) -> None:
        if origin.channel_id:
            await slack_call(lambda: self.client.chat_postEphemeral(
                channel=str(origin.channel_id), user=origin.user_id, text=slack_commands(text)))
        else:
            await self.post(origin.user_id, text, (), is_html=False)

    async def send(self, chat: ChatAddress, message: Message) -> None:
        """A text with its buttons as blocks; a picture or a file uploaded with its caption (no albums)."""
        channel = chat.chat_id
        async with self.pacer.turn(channel):
            if message.images or message.file is not None:
                attachment = message.images[0] if message.images else message.file
                assert attachment is not None
                caption = message.text if message.images else attachment.caption
                await self.upload(channel, attachment.data, attachment.name, caption, is_html=message.html)
            else:
                rows = [[(choice.label, choice.data) for choice in row] for row in message.choices]
                await self.post(channel, message.text, rows, is_html=message.html)

    def delivery_error(self, error: Exception) -> DeliveryError | None:
        """Slack's own failures (a failed connection is the reply path's)."""
        return delivery_error(error) if isinstance(error, SlackClientError) else None

    async def fetch_file(self, platform: str, file_id: str) -> bytes:
        # Slack files would need the files:read scope and the bot's token on their private URL; records sent on
        # Slack are not read yet (a DM with a file is answered as an OtherMessage).
        raise LookupError(f"a {platform} file cannot be fetched from Slack")

    async def post(self, channel: str, text: str, rows: ButtonRows, *, is_html: bool) -> None:
        fallback = plain_of(text, is_html=is_html)[:3000] or "teachlog"
        await slack_call(partial(self.client.chat_postMessage, channel=channel, text=fallback,
                                 blocks=message_blocks(text, rows, is_html=is_html), unfurl_links=False))

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
