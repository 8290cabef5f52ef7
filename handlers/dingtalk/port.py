"""The DingTalk port (:class:`bot.chat.port.ChatPort`): robot messages from the Stream connection read as core
events, laid-out messages sent over the session webhook while it lasts or else through the OpenAPI.

Used inside `teachlog run --platform dingtalk` with the Stream connection, and by
`teachlog worker --platform dingtalk`, which only sends. The pieces it joins:
:mod:`handlers.dingtalk.stream` (listening), :mod:`handlers.dingtalk.inbound`
(reading), :mod:`handlers.dingtalk.render` and :mod:`handlers.dingtalk.outbound`
(showing and sending), :mod:`handlers.dingtalk.openapi` (calls and their errors).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.chat.events import ChatAddress, Event
from bot.chat.layout import Message
from bot.chat.listening import Connection, listen_until
from bot.chat.port import Receiver
from bot.chat.replies import Outcome, Reply
from bot.chat.text_buttons import TextButtons
from bot.notifications.messenger import DeliveryError, RetryLater, Unreachable
from bot.platform_names import DINGTALK
from bot.settings import DingTalkConfig
from handlers.dingtalk import inbound
from handlers.dingtalk.inbound import Origin
from handlers.dingtalk.openapi import CredentialsRefused, DingTalkOpenAPI
from handlers.dingtalk.outbound import WEBHOOK_MARGIN_MS, DingTalkOutbound
from handlers.dingtalk.render import CAPABILITIES, ROBOT_NAME
from handlers.dingtalk.stream import StreamConnection


def _reply_of(message: Message) -> Reply:
    """A laid-out message as the outbound side renders it: a text with its buttons, or pictures or a file."""
    return Reply(attachments=message.attachments, html=message.html) if message.attachments else \
        Reply(message.text, message.choices, message.html)


class DingTalkPort:
    """:class:`bot.chat.port.ChatPort` over the OpenAPI client. Chats are staff ids (1:1) or openConversationIds
    (groups). The last message from each chat leaves its session webhook here, so answers spare the monthly quota."""

    name = DINGTALK
    capabilities = CAPABILITIES

    def __init__(self, config: DingTalkConfig, api: DingTalkOpenAPI, buttons: TextButtons, *,
                 robot_name: str = ROBOT_NAME, now_ms: Callable[[], float] = lambda: time.time() * 1000) -> None:
        self.config, self.api, self.buttons, self.now_ms = config, api, buttons, now_ms
        self.outbound = DingTalkOutbound(api, buttons, robot_name=robot_name, now_ms=now_ms)
        #: Each chat's latest origin (its session webhook), while the webhook lasts.
        self.origins: dict[str, Origin] = {}
        self.stream: StreamConnection | None = None

    async def listen(self, receiver: Receiver, stop: asyncio.Event) -> None:
        """The Stream connection (it reconnects by itself) until `stop`; refused credentials as one line."""
        async def handle(message: dict[str, Any]) -> None:
            await receiver.receive(message, f"message {message.get('msgId') or '?'}")

        self.stream = stream = StreamConnection(self.config, handle)
        await listen_until(stop, Connection(run=stream.run, close=stream.stop, refusals=((CredentialsRefused, str),)))

    async def event_of(self, raw: Any) -> Event | None:
        if not isinstance(raw, Mapping):
            return None
        found = await inbound.event_of(raw, self.buttons.tap_of)
        if found is None:
            return None
        event, origin = found
        self.origins[event.chat.chat_id] = origin
        return event

    def origin(self, chat_id: str) -> Origin | None:
        """The chat's latest session webhook, if it still works; an expired one is forgotten."""
        origin = self.origins.get(chat_id)
        if origin is not None and origin.webhook_expires_ms - WEBHOOK_MARGIN_MS <= self.now_ms():
            del self.origins[chat_id]
            return None
        return origin

    async def acknowledge(self, raw: Any, outcome: Outcome) -> None:
        """Nothing: DingTalk has no notice on a tapped button (the core sends the popup as a message)."""

    async def send(self, chat: ChatAddress, message: Message) -> None:
        """A text with its buttons (a group's with the texts to send instead), or a picture or file uploaded."""
        await self.outbound.send_reply(chat.chat_id, _reply_of(message), self.origin(chat.chat_id))

    async def send_many(self, chat_ids: Sequence[str], message: Message) -> Mapping[str, DeliveryError]:
        """One message to several people's 1:1 chats: batchSend, 20 a call (a person with an open session
        webhook gets it there). Who batchSend did not reach, as the delivery error it amounts to."""
        reply = _reply_of(message)
        origins = {chat_id: origin for chat_id in chat_ids if (origin := self.origin(chat_id)) is not None}
        result = await self.outbound.send_to_people(chat_ids, reply, origins)
        failed: dict[str, DeliveryError] = {}
        for staff_id in result.invalid:
            failed[staff_id] = Unreachable(f"DingTalk: no staff member {staff_id} (left the organisation, or "
                                           "outside the app's range)")
        if held := [staff_id for staff_id in result.flow_controlled if staff_id not in failed]:
            seconds = self.api.backoff.next()
            for staff_id in held:
                failed[staff_id] = RetryLater(seconds, f"DingTalk: flow control held the message to {staff_id}, "
                                                       f"retry after {seconds:g} s")
        return failed

    def reachable_free(self) -> Sequence[str]:
        """The chats whose latest message left a session webhook still open: answered there, no call counted."""
        return [chat_id for chat_id in list(self.origins) if self.origin(chat_id) is not None]

    def delivery_error(self, error: Exception) -> DeliveryError | None:
        """None: the OpenAPI client names DingTalk's answers itself, the reply path a failed connection."""
        return None

    async def fetch_file(self, file_id: str) -> bytes:
        """A picture or file a person sent the robot, by its download code."""
        return await self.api.download(file_id)
