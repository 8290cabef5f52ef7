"""Slack payloads as core events: `/teachlog <sub> [args]`, direct messages to the bot, taps on buttons.

A direct message with the bot is addressed by the person's user id (chat.postMessage
takes it as the channel of the app's DM), so a slash command typed there, a message
and a reminder all land in one chat; a channel is addressed by its channel id.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot.chat.commands import named_by_word
from bot.chat.events import Body, ChatAddress, Command, Event, OtherMessage, Person, Tap, Text
from bot.platform_names import SLACK

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
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"), mentions


def is_direct(channel_id: str | None, channel_name: str | None = None) -> bool:
    """A one-to-one chat (an im channel, or the App Home) rather than a channel or a group DM."""
    return channel_id is None or channel_id.startswith("D") or channel_name == "directmessage"


@dataclass(frozen=True)
class Origin:
    """Where an event came from: where to answer, and the tapped message when it was a tap."""

    #: A channel id, or the person's user id for their DM with the bot.
    answer_to: str
    user_id: str
    #: The channel of the tapped message (a D… id in a DM), for ephemeral notes and chat.update.
    channel_id: str | None = None
    tapped_ts: str | None = None
    tapped_blocks: tuple[Mapping[str, Any], ...] = field(default=(), compare=False)
    tapped_text: str = ""


def command_event(command: Mapping[str, Any], person: Person) -> tuple[Event, Origin]:
    """`/teachlog join CODE` as Command("start", "CODE"), `/teachlog mine` as Command("mine"); alone, help."""
    text, mentions = readable(str(command.get("text") or "").strip())
    name, _, args = text.partition(" ")
    user_id, channel_id = str(command["user_id"]), str(command.get("channel_id") or "")
    private = is_direct(channel_id or None, command.get("channel_name"))
    answer_to = user_id if private else channel_id
    name = (name or "help").lower().lstrip("/")
    body = Command(named_by_word(name), args.strip())
    event = Event(ChatAddress(SLACK, answer_to), person, body, private=private, mentions=mentions)
    return event, Origin(answer_to, user_id, channel_id or None)


def is_from_a_person(message: Mapping[str, Any]) -> bool:
    return message.get("subtype") in PERSON_SUBTYPES and not message.get("bot_id") and bool(message.get("user"))


def message_event(message: Mapping[str, Any], person: Person,
                  event_id: str | None = None) -> tuple[Event, Origin]:
    """A direct message to the bot: its text, or OtherMessage for files (not read on Slack yet).

    `event_id` is the Events API envelope's id, the same on Slack's retries (X-Slack-Retry-Num).
    """
    user_id = str(message["user"])
    text, mentions = readable(str(message.get("text") or ""))
    body: Body = OtherMessage("file") if message.get("files") else Text(text)
    event = Event(ChatAddress(SLACK, user_id), person, body, private=True, mentions=mentions, update_id=event_id)
    return event, Origin(user_id, user_id, message.get("channel"))


def tapped_value(action: Mapping[str, Any]) -> str:
    if "value" in action:
        return str(action["value"])
    selected = action.get("selected_option") or {}
    return str(selected.get("value") or "")


def action_event(body: Mapping[str, Any], person: Person) -> tuple[Event, Origin]:
    """A tap on a button of ours: its value is the core's encoded data."""
    user_id = str(body["user"]["id"])
    channel_id = (body.get("channel") or {}).get("id")
    message = body.get("message") or {}
    private = is_direct(channel_id)
    answer_to = user_id if private else str(channel_id)
    action = (body.get("actions") or [{}])[0]
    ts = (body.get("container") or {}).get("message_ts") or message.get("ts")
    event = Event(ChatAddress(SLACK, answer_to), person, Tap(tapped_value(action)), private=private,
                  message_id=ts)
    origin = Origin(answer_to, user_id, channel_id, ts, tuple(message.get("blocks") or ()), message.get("text") or "")
    return event, origin


@dataclass(frozen=True)
class Payload:
    """What Bolt handed a listener: a slash command, a direct message, or a tap on one of our buttons."""

    kind: Literal["command", "message", "tap"]
    body: Mapping[str, Any]
    #: A message's Events API envelope id: the same on Slack's retries, so a retry is answered once.
    event_id: str | None = None


class People(Protocol):
    async def person(self, user_id: str, fallback_name: str | None = None) -> Person: ...


async def read_payload(payload: Payload, people: People) -> tuple[Event, Origin]:
    """The payload as a core event from the person behind it, and where it came from."""
    body = payload.body
    if payload.kind == "command":
        person = await people.person(str(body["user_id"]), body.get("user_name"))
        return command_event(body, person)
    if payload.kind == "message":
        return message_event(body, await people.person(str(body["user"])), payload.event_id)
    person = await people.person(str(body["user"]["id"]), body["user"].get("username"))
    return action_event(body, person)


def origin_of(payload: Payload) -> Origin:
    if payload.kind == "command":
        return command_event(payload.body, Person(SLACK, ""))[1]
    if payload.kind == "message":
        return message_event(payload.body, Person(SLACK, ""))[1]
    return action_event(payload.body, Person(SLACK, ""))[1]
