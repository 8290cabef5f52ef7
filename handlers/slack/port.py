"""The Slack port (:class:`bot.chat.port.ChatPort`): messages as Web API calls paced per method, Slack's errors
named for the core by its table of error codes, payloads read through the people users.info describes.

Used inside `teachlog run --platform slack` with the app's client, and by
`teachlog worker --platform slack` with a client of its own.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.api_errors import ErrorCodes
from bot.chat.events import ChatAddress, Event, Person
from bot.chat.layout import Message
from bot.chat.pacing import Pacer
from bot.chat.person_lookup import PersonLookup
from bot.chat.replies import Outcome
from bot.notifications.messenger import DeliveryError, TransientFailure
from bot.platform_names import SLACK
from handlers.slack.blocks import BLOCK_KIT, CAPABILITIES, MRKDWN, without_actions
from handlers.slack.inbound import Origin, Payload, origin_of, person_of, read_payload

#: The other methods a notification calls, at most as often as their Slack rate-limit tier allows
#: (Tier 3: 50 a minute; Tier 4: 100 a minute). files_upload_v2 calls files.getUploadURLExternal and
#: files.completeUploadExternal (both Tier 4) once each per file.
SECONDS_PER_METHOD_CALL = {"conversations.open": 60 / 50, "files.upload_v2": 60 / 100}

ERROR_CODES = ErrorCodes(
    "Slack", rate_limited=frozenset({"ratelimited"}),
    unreachable=frozenset({"channel_not_found", "not_in_channel", "is_archived", "account_inactive",
                           "user_not_found", "user_disabled", "cannot_dm_bot", "messages_tab_disabled"}),
    transient=frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout",
                         "team_added_to_org", "invalid_auth", "not_authed", "token_revoked"}))


def error_code(error: SlackApiError) -> str:
    """The code Slack answered an error with ("channel_not_found"); empty without an answer."""
    return str(error.response.get("error") or "") if error.response is not None else ""


def is_user_id(chat_id: str) -> bool:
    return chat_id[:1] in ("U", "W")


class SlackPort:
    """:class:`bot.chat.port.ChatPort` over an AsyncWebClient: it only sends (:class:`handlers.slack.platform.BoltPort`
    also listens). Chats are channel ids, or user ids for direct messages (the core's reply path spaces the
    messages to one channel, as its capabilities say). It fetches no files: that would need the files:read scope
    and the bot's token on their private URL, and a DM with a file is not read yet (it is an OtherMessage)."""

    name = SLACK
    capabilities = CAPABILITIES

    def __init__(self, client: AsyncWebClient, methods: Pacer | None = None) -> None:
        self.client = client
        #: Paces the calls other than chat.postMessage by method, within their tiers.
        self.methods = methods or Pacer(0.0, intervals=SECONDS_PER_METHOD_CALL)
        self.directory = PersonLookup(SLACK, self.user_info, (SlackApiError, SlackClientError, OSError))
        self._dm_channels: dict[str, str] = {}

    async def user_info(self, user_id: str, fallback_name: str | None) -> Person:
        response = await self.client.users_info(user=user_id, include_locale=True)
        return person_of(user_id, response.get("user") or {}, fallback_name)

    async def event_of(self, raw: Any) -> Event | None:
        return await read_payload(raw, self.directory) if isinstance(raw, Payload) else None

    async def acknowledge(self, raw: Any, outcome: Outcome) -> None:
        """The popup as a note only the person sees, in the chat of the tap; the tapped buttons taken away."""
        if not isinstance(raw, Payload):
            return
        origin = origin_of(raw)
        if outcome.popup:
            await self.note(origin, outcome.popup)
        if outcome.clear_tapped and origin.channel_id and origin.tapped_ts:
            await self.client.chat_update(channel=str(origin.channel_id), ts=str(origin.tapped_ts),
                                          blocks=without_actions(origin.tapped_blocks), text=origin.tapped_text or " ")

    async def note(self, origin: Origin, text: str) -> None:
        if origin.channel_id:
            await self.client.chat_postEphemeral(channel=str(origin.channel_id), user=origin.user_id,
                                                 text=MRKDWN.commands(text))
        else:
            await self.post(origin.user_id, Message(text))

    async def send(self, chat: ChatAddress, message: Message) -> None:
        """A text with its buttons as blocks; a picture or a file uploaded with its caption (no albums)."""
        if message.attachments:
            await self.upload(chat.chat_id, message)
        else:
            await self.post(chat.chat_id, message)

    def delivery_error(self, error: Exception) -> DeliveryError | None:
        """Slack's own failures as the core's (a failed connection is the reply path's)."""
        if isinstance(error, SlackApiError):
            response = error.response
            return ERROR_CODES.error_of(getattr(response, "status_code", 200), error_code(error),
                                        getattr(response, "headers", {}) or {})
        return TransientFailure(f"{type(error).__name__}: {error}") if isinstance(error, SlackClientError) else None

    async def post(self, channel: str, message: Message) -> None:
        fallback = MRKDWN.preview(message.text, is_html=message.html)[:3000] or "teachlog"
        await self.client.chat_postMessage(channel=channel, text=fallback, blocks=BLOCK_KIT.parts(message),
                                           unfurl_links=False)

    async def upload(self, channel: str, message: Message) -> None:
        """files_upload_v2 (getUploadURLExternal, the bytes, completeUploadExternal), titled with the file name."""
        [attachment] = message.attachments  # one picture or one file: Slack has no albums
        target = await self.dm_channel(channel) if is_user_id(channel) else channel
        arguments: dict[str, Any] = {"channel": target, "file": attachment.data, "filename": attachment.name,
                                     "title": attachment.name}
        if message.caption:
            arguments["initial_comment"] = MRKDWN.styled(message.caption, is_html=message.html)
        async with self.methods.turn("files.upload_v2"):
            await self.client.files_upload_v2(**arguments)

    async def dm_channel(self, user_id: str) -> str:
        """The bot's direct-message channel with a person (uploads need a channel id, not a user id)."""
        if user_id not in self._dm_channels:
            async with self.methods.turn("conversations.open"):
                response = await self.client.conversations_open(users=user_id)
            self._dm_channels[user_id] = str(response["channel"]["id"])
        return self._dm_channels[user_id]
