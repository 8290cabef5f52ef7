"""Sending core replies to DingTalk: over the session webhook of the message being answered while it lasts,
else through the OpenAPI (`batchSend` to people, `groupMessages/send` to groups); pictures and files uploaded first.

The session webhook is not an OpenAPI call, so answering on it spares the
organisation's monthly quota; it cannot carry pictures or files, which always go
by the OpenAPI. A reply to many people (a reminder) is one `batchSend` per 20.

Chats are addressed as DINGTALK chat ids: a person's staff id for their 1:1 chat
with the robot, a group's openConversationId (which DingTalk starts with "cid").
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from bot.chat.replies import Reply
from bot.chat.text_buttons import TextButtons
from bot.notifications.messenger import PermanentFailure, RetryLater, Unreachable
from handlers.dingtalk.inbound import Origin
from handlers.dingtalk.openapi import BatchResult, DingTalkOpenAPI
from handlers.dingtalk.render import (
    ROBOT_NAME,
    Media,
    Message,
    Outgoing,
    media_message,
    render,
    webhook_body,
)

#: Stop using a session webhook this long before DingTalk says it expires.
WEBHOOK_MARGIN_MS = 60_000
GROUP_PREFIX = "cid"


def is_group(chat_id: str) -> bool:
    return chat_id.startswith(GROUP_PREFIX)


def refused_by(result: BatchResult, staff_id: str, backoff: Callable[[], float]) -> None:
    """A message to one person that batchSend did not deliver, as the delivery exception it amounts to."""
    if staff_id in result.invalid:
        raise Unreachable(f"DingTalk: no staff member {staff_id} (left the organisation, or outside the app's range)")
    if staff_id in result.flow_controlled:
        seconds = backoff()
        raise RetryLater(seconds, f"DingTalk: flow control held the message to {staff_id}, retry after {seconds:g} s")


class DingTalkOutbound:
    """Renders replies (with their buttons' codes) and sends them where they belong."""

    def __init__(self, api: DingTalkOpenAPI, buttons: TextButtons, *, robot_name: str = ROBOT_NAME,
                 now_ms: Callable[[], float] = lambda: time.time() * 1000) -> None:
        self.api, self.buttons, self.robot_name, self.now_ms = api, buttons, robot_name, now_ms

    async def rendered(self, reply: Reply, *, private: bool) -> list[Outgoing]:
        return render(reply, await self.buttons.texts(reply.all_choices), private=private,
                      robot_name=self.robot_name)

    async def send_reply(self, chat_id: str, reply: Reply, origin: Origin | None = None) -> None:
        await self.send(chat_id, await self.rendered(reply, private=not is_group(chat_id)), origin)

    async def send_to_people(self, staff_ids: Sequence[str], reply: Reply,
                             origins: Mapping[str, Origin] | None = None) -> BatchResult:
        """One reply to each person's 1:1 chat: over their session webhook where `origins` has one still open (no
        call counted), to the rest by batchSend, 20 people a call (a reminder due to many, the digest)."""
        invalid: list[str] = []
        held: list[str] = []
        for message in await self.rendered(reply, private=True):
            sent = await self.as_message(message)
            rest = [staff_id for staff_id in staff_ids if origins is None or staff_id not in origins
                    or not await self.answered_on_webhook(sent, origins[staff_id])]
            if not rest:
                continue
            result = await self.api.send_to_users(rest, sent.key, sent.param)
            invalid += result.invalid
            held += result.flow_controlled
        return BatchResult(tuple(dict.fromkeys(invalid)), tuple(dict.fromkeys(held)))

    async def send(self, chat_id: str, messages: Sequence[Outgoing], origin: Origin | None) -> None:
        for outgoing in messages:
            message = await self.as_message(outgoing)
            if origin is not None and await self.answered_on_webhook(message, origin):
                continue
            if is_group(chat_id):
                await self.api.send_to_group(chat_id, message.key, message.param)
            else:
                refused_by(await self.api.send_to_users([chat_id], message.key, message.param), chat_id,
                           self.api.backoff.next)

    async def as_message(self, outgoing: Outgoing) -> Message:
        """A message as it is sent: a picture or file uploaded and named by its media_id."""
        if isinstance(outgoing, Media):
            attachment = outgoing.attachment
            media_id, sent_name = await self.api.upload(attachment.name, attachment.data, attachment.kind)
            return media_message(attachment, media_id, sent_name)
        return outgoing

    async def answered_on_webhook(self, message: Message, origin: Origin) -> bool:
        """Sends on the session webhook when it still works and takes the message; False to use the OpenAPI."""
        body = webhook_body(message)
        if body is None or not origin.session_webhook or \
                origin.webhook_expires_ms - WEBHOOK_MARGIN_MS <= self.now_ms():
            return False
        try:
            await self.api.reply_by_webhook(origin.session_webhook, body)
        except PermanentFailure:
            return False  # expired early, or refused this form: the OpenAPI still reaches the chat
        return True
