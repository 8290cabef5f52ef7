"""A DingTalk robot message (a Stream callback's data) as a core event, and where to answer it.

- `conversationType` "1" is the member's 1:1 chat with the robot, addressed by their
  staff id (what `oToMessages/batchSend` takes); "2" is a group, addressed by its
  `conversationId` (the openConversationId `groupMessages/send` takes).
- `text.content` comes with a leading space, and in a group may start with the
  @-mention of the robot: both go before the core sees the text.
- Commands are typed as on Telegram (`/log`, `/start CODE`; a Chinese keyboard's
  `／` or `、` works too); `join CODE` and `加入 CODE` join like `/start CODE`.
- A text that a button of ours sends (`家访 [k7f2]`) is read back as that tap.
- DingTalk sends no locale: the person's language is the school's until they pick one.
- A voice message (`msgtype: audio`) is the core's Voice, with the text DingTalk recognised in it
  (`content.recognition`); a picture or a file (`msgtype: picture`/`file`) is an Upload whose file id is the
  message's `content.downloadCode`, fetched through `messageFiles/download` when a flow needs the bytes; videos
  and anything else are OtherMessage.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.chat.events import Body, ChatAddress, Command, Event, OtherMessage, Person, Tap, Text, Upload, Voice
from bot.platform_names import DINGTALK

PRIVATE, GROUP = "1", "2"
#: The @-mention a group message may start with (of the robot: the only mention that reaches it first).
LEADING_MENTION = re.compile(r"^@\S+\s*")
#: "/log", "／log", and "、log" (what the / key types on a Chinese keyboard) followed by the command's name.
COMMAND = re.compile(r"^(?:[/／](?P<name>\S+)|、(?P<ascii>[A-Za-z]+))(?:\s+(?P<args>.*))?$", re.DOTALL)
#: Messages that carry a file a flow can keep (a /record sent as a photo or a document).
UPLOAD_KINDS = frozenset({"picture", "file"})
JOIN = re.compile(r"^(?:join|加入)\s*[:：]?\s*(?P<code>[A-Za-z0-9_-]+)$", re.IGNORECASE)

#: Reads a text that a button of ours sends back: its tap, or None for an ordinary text.
TapReader = Callable[[str], Awaitable[Tap | None]]


@dataclass(frozen=True)
class Origin:
    """Where to answer a message: its session webhook while it lasts, else the OpenAPI at the event's chat."""

    session_webhook: str | None
    #: When the session webhook stops working, in milliseconds since the epoch (DingTalk's own clock).
    webhook_expires_ms: int
    conversation_id: str
    sender_staff_id: str
    private: bool
    msg_id: str


def readable(content: str, *, group: bool) -> str:
    """The text as the member meant it: without the leading space, nor the @-mention of the robot in a group."""
    text = content.strip()
    if group:
        text = LEADING_MENTION.sub("", text, count=1).strip()
    return text


def body_of_text(text: str) -> Body:
    """A typed command, a join, or plain text."""
    if joined := JOIN.match(text):
        return Command("start", joined.group("code"))
    if command := COMMAND.match(text):
        name = (command.group("name") or command.group("ascii")).lower()
        return Command(name, (command.group("args") or "").strip())
    return Text(text)


def message_kind(message: Mapping[str, Any]) -> str:
    return str(message.get("msgtype") or "text")


def text_content(message: Mapping[str, Any]) -> str | None:
    """The text of a text message (or of a rich text's text parts); None for anything else."""
    if message_kind(message) == "text":
        return str((message.get("text") or {}).get("content") or "")
    if message_kind(message) == "richText":
        parts = (message.get("content") or {}).get("richText") or []
        texts = [str(part.get("text")) for part in parts if isinstance(part, dict) and part.get("text")]
        return "".join(texts) if texts else None
    return None


def voice_of(message: Mapping[str, Any]) -> Voice:
    """DingTalk's transcription of a voice message; its `duration` is in milliseconds."""
    content = message.get("content") or {}
    recognition = str(content.get("recognition") or "").strip() or None
    duration = content.get("duration")
    return Voice(recognition, float(duration) / 1000 if isinstance(duration, int | float) else None)


def upload_of(message: Mapping[str, Any]) -> Upload | None:
    """A picture or a file sent to the robot, by its download code (fetched only when a flow needs the bytes, as a
    Telegram file id is); None when the message names no download code."""
    content = message.get("content") or {}
    code = str(content.get("downloadCode") or "")
    if not code:
        return None
    if message_kind(message) == "picture":
        return Upload("", b"", file_id=code, mime_type="image/jpeg")
    name = str(content.get("fileName") or "")
    return Upload(name, b"", file_id=code, mime_type=mimetypes.guess_type(name)[0])


def mentions_of(message: Mapping[str, Any]) -> tuple[str, ...]:
    """The staff ids the message @-mentions, the robot left out."""
    robot = message.get("chatbotUserId")
    return tuple(str(user["staffId"]) for user in message.get("atUsers") or ()
                 if isinstance(user, dict) and user.get("staffId") and user.get("dingtalkId") != robot)


def chat_id_of(message: Mapping[str, Any]) -> str:
    """The chat a message came from: the sender's staff id for a 1:1 chat, the group's conversationId."""
    if str(message.get("conversationType") or PRIVATE) == GROUP:
        return str(message.get("conversationId") or "")
    return str(message.get("senderStaffId") or "")


async def event_of(message: Mapping[str, Any], read_tap: TapReader) -> tuple[Event, Origin] | None:
    """The core event for a robot message, and where to answer it; None for a message of no person."""
    staff_id = str(message.get("senderStaffId") or "")
    if not staff_id:
        return None  # someone outside the organisation: no staff id, no account to link
    group = str(message.get("conversationType") or PRIVATE) == GROUP
    conversation_id = str(message.get("conversationId") or "")
    content = text_content(message)
    body: Body
    if message_kind(message) == "audio":
        body = voice_of(message)
    elif message_kind(message) in UPLOAD_KINDS and (upload := upload_of(message)) is not None:
        body = upload
    elif content is None:
        body = OtherMessage(message_kind(message))
    else:
        text = readable(content, group=group)
        tap = await read_tap(text)
        body = tap if tap is not None else body_of_text(text)
    chat = ChatAddress(DINGTALK, chat_id_of(message))
    person = Person(DINGTALK, staff_id, None, str(message.get("senderNick") or "") or None)
    msg_id = str(message.get("msgId") or "")
    event = Event(chat, person, body, private=not group, message_id=msg_id or None, mentions=mentions_of(message),
                  update_id=msg_id or None)
    webhook = str(message.get("sessionWebhook") or "") or None
    origin = Origin(webhook, int(message.get("sessionWebhookExpiredTime") or 0), conversation_id, staff_id,
                    not group, msg_id)
    return event, origin
