"""Slack payloads as core events: `/teachlog <sub> [args]`, direct messages to the bot, taps on buttons.

A direct message with the bot is addressed by the person's user id (chat.postMessage
takes it as the channel of the app's DM), so a slash command typed there, a message
and a reminder all land in one chat; a channel is addressed by its channel id.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.chat.commands import command_of_words
from bot.chat.events import Body, ChatAddress, Event, OtherMessage, Person, Tap, Text
from bot.chat.person_lookup import PersonLookup
from bot.platform_names import SLACK
from handlers.slack.blocks import MRKDWN

#: Bolt's `ack` of a request.
Ack = Callable[..., Awaitable[Any]]

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
CHANNEL_REFERENCE = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|[^>]*)?>")
#: Message subtypes a person sends (everything else is an edit, a join, a bot's message…).
PERSON_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def readable(text: str) -> tuple[str, tuple[str, ...]]:
    """Slack's escaped message text as typed, and the user ids it mentions (`<@U1|li>` reads `@li`)."""
    mentions = tuple(match.group(1) for match in MENTION.finditer(text))
    text = MENTION.sub(lambda match: "@" + (match.group(2) or match.group(1)), text)
    text = CHANNEL_REFERENCE.sub(lambda match: "#" + match.group(1), text)
    text = LINK.sub(lambda match: match.group(1), text)
    return MRKDWN.unescaped(text), mentions


def is_direct(channel_id: str | None, channel_name: str | None = None) -> bool:
    """A one-to-one chat (an im channel, or the App Home) rather than a channel or a group DM."""
    return channel_id is None or channel_id.startswith("D") or channel_name == "directmessage"


@dataclass(frozen=True)
class Payload:
    """What Bolt handed a listener: a slash command, a direct message, or a tap on one of our buttons."""

    kind: Literal["command", "message", "tap"]
    body: Mapping[str, Any]
    #: A message's Events API envelope id: the same on Slack's retries, so a retry is answered once.
    event_id: str | None = None


@dataclass(frozen=True)
class Origin:
    """Where a payload came from: where to answer, who sent it, and the tapped message when it was a tap."""

    #: A channel id, or the person's user id for their DM with the bot.
    answer_to: str
    user_id: str
    #: The channel of the payload (a D… id in a DM), for ephemeral notes and chat.update.
    channel_id: str | None = None
    private: bool = True
    #: The name Slack sent with the payload, for when users.info does not answer.
    user_name: str | None = None
    tapped_ts: str | None = None
    tapped_blocks: tuple[Mapping[str, Any], ...] = field(default=(), compare=False)
    tapped_text: str = ""


def origin_of(payload: Payload) -> Origin:
    body = payload.body
    if payload.kind == "command":
        user_id, channel_id = str(body["user_id"]), str(body.get("channel_id") or "") or None
        private = is_direct(channel_id, body.get("channel_name"))
        return Origin(user_id if private else str(channel_id), user_id, channel_id, private, body.get("user_name"))
    if payload.kind == "message":
        user_id = str(body["user"])
        return Origin(user_id, user_id, body.get("channel"))
    user_id, channel_id = str(body["user"]["id"]), (body.get("channel") or {}).get("id")
    message = body.get("message") or {}
    private = is_direct(channel_id)
    return Origin(user_id if private else str(channel_id), user_id, channel_id, private, body["user"].get("username"),
                  (body.get("container") or {}).get("message_ts") or message.get("ts"),
                  tuple(message.get("blocks") or ()), message.get("text") or "")


def is_from_a_person(message: Mapping[str, Any]) -> bool:
    return message.get("subtype") in PERSON_SUBTYPES and not message.get("bot_id") and bool(message.get("user"))


def tapped_value(action: Mapping[str, Any]) -> str:
    if "value" in action:
        return str(action["value"])
    selected = action.get("selected_option") or {}
    return str(selected.get("value") or "")


def body_of(payload: Payload) -> tuple[Body, tuple[str, ...]]:
    """What the person sent, and whom they mentioned.

    `/teachlog join CODE` is Command("start", "CODE"), `/teachlog mine` Command("mine"), alone help; a direct
    message its text, or OtherMessage for files (not read on Slack yet); a tap on a button of ours its value, the
    core's encoded data."""
    if payload.kind == "command":
        text, mentions = readable(str(payload.body.get("text") or "").strip())
        return command_of_words(text), mentions
    if payload.kind == "message":
        text, mentions = readable(str(payload.body.get("text") or ""))
        return (OtherMessage("file") if payload.body.get("files") else Text(text)), mentions
    return Tap(tapped_value((payload.body.get("actions") or [{}])[0])), ()


def person_of(user_id: str, user: Mapping[str, Any], fallback_name: str | None) -> Person:
    """The person users.info (include_locale) describes: their name, handle and locale."""
    profile = user.get("profile") or {}
    name = profile.get("real_name") or user.get("real_name") or profile.get("display_name") or fallback_name
    # The handle people type after "@" is the display name Slack shows; the legacy `name` when there is none.
    handle = profile.get("display_name") or user.get("name") or fallback_name
    return Person(SLACK, user_id, user.get("locale"), name, handle)


async def read_payload(payload: Payload, people: PersonLookup) -> Event:
    """The payload as a core event from the person behind it. A message's `event_id` is the Events API envelope's
    id, the same on Slack's retries (X-Slack-Retry-Num)."""
    origin = origin_of(payload)
    body, mentions = body_of(payload)
    return Event(ChatAddress(SLACK, origin.answer_to), await people.person(origin.user_id, origin.user_name), body,
                 private=origin.private, mentions=mentions, message_id=origin.tapped_ts, update_id=payload.event_id)
