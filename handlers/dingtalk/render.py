"""Core replies as DingTalk robot messages: a msgKey and its msgParam each, as `batchSend` and `groupMessages/send`
take them, and the same as the session webhook's body.

- Text alone is `sampleText` (plain) or `sampleMarkdown` (the core's <b>/<i>/<code>).
- Choices become buttons that are `dtmd://dingtalkclient/sendMessage?content=…` links:
  tapping one makes the member's client send its text (see bot/chat/text_buttons.py),
  in an ActionCard up to five (`sampleActionCard`, `sampleActionCard2`…`5`), as a list
  of markdown links beyond (a step with twelve activities).
- In a group a tap's text would go out without the @-mention the bot needs, so a
  group message carries no buttons: it names what to send, `@teachlog 家访 [k7f2]`.
- Pictures and files are `sampleImageMsg` / `sampleFile` by media_id, after an upload;
  a caption goes as a text before them.

Every msgParam stays within DingTalk's 15,000 bytes: long texts are cut at line ends,
and buttons that would not fit go in a message of their own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bot.chat.markup import Marks, TextStyle, plain
from bot.chat.pieces import split_at_lines
from bot.chat.platform_plugin import Capabilities
from bot.chat.replies import Attachment, Reply
from handlers.dingtalk.openapi import BATCH_USERS

#: A msgParam's limit, in UTF-8 bytes of its JSON (documented for group messages; kept for 1:1 ones too).
PARAM_BYTES = 15_000
#: The longest text of one message, in characters: at most 12,000 bytes of Chinese, leaving room for buttons.
TEXT_LENGTH = 3_000
#: An ActionCard holds at most five buttons (sampleActionCard2 … sampleActionCard5).
CARD_BUTTONS = 5
#: The notification preview (a markdown or card title).
TITLE_LENGTH = 20
SEND_LINK = "dtmd://dingtalkclient/sendMessage?content="
ROBOT_NAME = "teachlog"

CAPABILITIES = Capabilities(text_length=TEXT_LENGTH, caption_length=TEXT_LENGTH, buttons_per_row=1,
                            albums=False, edits=False, popups=False,
                            picture_captions=False, batch_size=BATCH_USERS)

#: DingTalk's markdown: the core's marks as ** and *, each line break kept (a line ends in two spaces).
MARKDOWN = TextStyle(Marks(bold="**", italic="*", code=""), line_break="  \n")


@dataclass(frozen=True)
class Message:
    """One robot message: its msgKey and msgParam."""

    key: str
    param: dict[str, Any]

    def size(self) -> int:
        return len(json.dumps(self.param, ensure_ascii=False, separators=(",", ":")).encode())


@dataclass(frozen=True)
class Media:
    """A picture or file to upload, then send as `sampleImageMsg` / `sampleFile` (see :func:`media_message`)."""

    attachment: Attachment


Outgoing = Message | Media


def send_link(text: str) -> str:
    """The link that makes the member's client send `text` to the bot."""
    return SEND_LINK + quote(text, safe="")


def title_of(text: str) -> str:
    """The preview a phone shows: the first line, short."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "teachlog")
    return first if len(first) <= TITLE_LENGTH else first[:TITLE_LENGTH - 1] + "…"


def text_message(text: str, *, is_html: bool) -> Message:
    if not is_html:
        return Message("sampleText", {"content": text})
    return Message("sampleMarkdown", {"title": title_of(plain(text)), "text": MARKDOWN.styled(text, is_html=True)})


def card(text: str, labels: Sequence[str], sends: Sequence[str], *, is_html: bool) -> Message:
    """Up to five buttons under the text, one above another."""
    title, body = title_of(plain(text, is_html=is_html)), MARKDOWN.styled(text, is_html=is_html) or "\u200b"
    if len(labels) == 1:
        return Message("sampleActionCard", {"title": title, "text": body, "singleTitle": labels[0],
                                            "singleURL": send_link(sends[0])})
    param: dict[str, Any] = {"title": title, "text": body}
    for number, (label, send) in enumerate(zip(labels, sends, strict=True), start=1):
        param[f"actionTitle{number}"] = label
        param[f"actionURL{number}"] = send_link(send)
    return Message(f"sampleActionCard{len(labels)}", param)


def link_list(text: str, labels: Sequence[str], sends: Sequence[str], *, is_html: bool) -> Message:
    """More buttons than a card holds: markdown links, one a line, under the text."""
    lines = [f"- [{label}]({send_link(send)})" for label, send in zip(labels, sends, strict=True)]
    body = MARKDOWN.styled(text, is_html=is_html)
    title = title_of(plain(text, is_html=is_html)) if text.strip() else title_of(labels[0])
    return Message("sampleMarkdown", {"title": title, "text": "\n\n".join(filter(None, [body, "\n".join(lines)]))})


def buttons_message(text: str, labels: Sequence[str], sends: Sequence[str], *, is_html: bool) -> Message:
    if len(labels) <= CARD_BUTTONS:
        return card(text, labels, sends, is_html=is_html)
    return link_list(text, labels, sends, is_html=is_html)


def fitting(text: str, labels: Sequence[str], sends: Sequence[str], *, is_html: bool) -> list[Message]:
    """The text with its buttons in one message when it fits; else the text, then the buttons in as many
    messages as they need."""
    whole = buttons_message(text, labels, sends, is_html=is_html)
    if whole.size() <= PARAM_BYTES:
        return [whole]
    messages = [text_message(text, is_html=is_html)] if text.strip() else []
    start = 0
    while start < len(labels):
        end = len(labels)
        while end > start + 1 and buttons_message("", labels[start:end], sends[start:end],
                                                  is_html=False).size() > PARAM_BYTES:
            end -= 1
        messages.append(buttons_message("", labels[start:end], sends[start:end], is_html=False))
        start = end
    return messages


def group_text(text: str, sends: Sequence[str], robot_name: str) -> str:
    """A group message's choices as the texts to send, each with the @-mention the bot needs to receive it."""
    return "\n".join([text, *(f"👉 @{robot_name} {send}" for send in sends)]) if sends else text


def render(reply: Reply, sends: Sequence[str] = (), *, private: bool = True,
           robot_name: str = ROBOT_NAME) -> list[Outgoing]:
    """The messages that show `reply`; `sends` are the texts its choices' buttons send, in order
    (from :meth:`bot.chat.text_buttons.TextButtons.texts`)."""
    choices = reply.all_choices
    if len(sends) != len(choices):
        raise ValueError(f"{len(choices)} choices but {len(sends)} texts for their buttons")
    text, is_html = reply.text, reply.html
    if not private:
        text, sends = group_text(text, sends, robot_name), ()
    pieces = split_at_lines(text, TEXT_LENGTH)
    messages: list[Outgoing] = [text_message(piece, is_html=is_html) for piece in pieces[:-1]]
    last = pieces[-1] if pieces else ""
    if sends:
        labels = [choice.label for choice in choices]
        messages += fitting(last, labels, sends, is_html=is_html)
    elif last.strip():
        messages.append(text_message(last, is_html=is_html))
    for attachment in reply.attachments:
        if attachment.caption.strip():
            messages.append(text_message(attachment.caption, is_html=is_html))
        messages.append(Media(attachment))
    return messages


def media_message(attachment: Attachment, media_id: str, sent_name: str) -> Message:
    """The message that shows an uploaded picture or file (`sent_name`: its name as uploaded, a .csv zipped)."""
    if attachment.kind == "image":
        return Message("sampleImageMsg", {"photoURL": media_id})
    extension = sent_name.rpartition(".")[2].lower() or "file"
    return Message("sampleFile", {"mediaId": media_id, "fileName": sent_name, "fileType": extension})


def webhook_body(message: Message) -> dict[str, Any] | None:
    """The same message as the session webhook takes it; None for pictures and files, which go by the OpenAPI."""
    param = message.param
    if message.key == "sampleText":
        return {"msgtype": "text", "text": {"content": param["content"]}}
    if message.key == "sampleMarkdown":
        return {"msgtype": "markdown", "markdown": {"title": param["title"], "text": param["text"]}}
    if message.key == "sampleActionCard":
        return {"msgtype": "actionCard", "actionCard": dict(param)}
    if message.key.startswith("sampleActionCard"):
        count = int(message.key.removeprefix("sampleActionCard"))
        buttons = [{"title": param[f"actionTitle{n}"], "actionURL": param[f"actionURL{n}"]}
                   for n in range(1, count + 1)]
        return {"msgtype": "actionCard", "actionCard": {"title": param["title"], "text": param["text"],
                                                        "btnOrientation": "0", "btns": buttons}}
    return None
