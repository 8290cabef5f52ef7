"""A scheduled message as the outbox keeps it: the core's Reply in the row's JSON payload, its picture or file
in the row's attachment column.

Rows planned before replies were stored (the payload's "text", "parse_mode" and
"buttons" as (label, data) rows, the attachment a photo whose caption is the
text) are read into the same Reply, so they are still delivered after an upgrade.
"""

from __future__ import annotations

from typing import Any

from bot.chat.actions import decode
from bot.chat.replies import Attachment, Choice, Reply

#: The payload key of the stored Reply; a payload without it is in the form planned before.
REPLY = "reply"


def stored_reply(reply: Reply) -> tuple[dict[str, Any], bytes | None, str | None]:
    """The payload part, attachment bytes and attachment name of an outbox row showing `reply`.

    The outbox keeps one attachment a row: a message with more is planned as several rows.
    """
    if len(reply.attachments) > 1:
        raise ValueError("an outbox row holds one attachment; plan a message per picture")
    attachment = reply.attachments[0] if reply.attachments else None
    payload: dict[str, Any] = {"text": reply.text, "html": reply.html,
                               "choices": [[[choice.label, choice.data] for choice in row] for row in reply.choices]}
    if reply.keyboard:
        payload["keyboard"] = list(reply.keyboard)
    if attachment is not None:
        payload["attachment"] = {"kind": attachment.kind, "caption": attachment.caption}
    return ({REPLY: payload}, attachment.data if attachment else None, attachment.name if attachment else None)


def choices_of(rows: Any) -> tuple[tuple[Choice, ...], ...]:
    """Stored (label, data) rows as choices; a button whose data the core cannot read is left out."""
    result = []
    for row in rows or ():
        choices = []
        for label, data in row:
            action = decode(data)
            if action is not None:
                choices.append(Choice(label, action))
        if choices:
            result.append(tuple(choices))
    return tuple(result)


def reply_of_row(payload: dict[str, Any], attachment: bytes | None, attachment_name: str | None) -> Reply:
    """The Reply an outbox row shows, whichever form it was stored in."""
    stored = payload.get(REPLY)
    if stored is None:
        return _reply_of_old_row(payload, attachment, attachment_name)
    attachments: tuple[Attachment, ...] = ()
    if attachment is not None:
        about = stored.get("attachment") or {}
        attachments = (Attachment(attachment_name or "attachment", attachment, about.get("kind", "file"),
                                  about.get("caption", "")),)
    return Reply(stored.get("text") or "", choices_of(stored.get("choices")), bool(stored.get("html")),
                 attachments, tuple(stored.get("keyboard") or ()))


def _reply_of_old_row(payload: dict[str, Any], photo: bytes | None, photo_name: str | None) -> Reply:
    attachments = (Attachment(photo_name or "chart.png", photo, "image"),) if photo is not None else ()
    return Reply(payload.get("text") or "", choices_of(payload.get("buttons")),
                 (payload.get("parse_mode") or "").upper() == "HTML", attachments)
