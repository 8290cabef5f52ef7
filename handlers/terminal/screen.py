"""What the terminal shows of an outcome: plain text, numbered buttons, attachments saved to a folder."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from bot.chat.replies import Attachment, Outcome, Reply

TAG = re.compile(r"</?(?:b|i|u|s|code|pre|a)(?:\s[^>]*)?>", re.IGNORECASE)
UNSAFE_NAME = re.compile(r"[^\w.\-]+")


def plain_text(reply: Reply) -> str:
    """The reply's text as a terminal shows it: HTML markup dropped, entities read back."""
    if not reply.html:
        return reply.text
    return html.unescape(TAG.sub("", reply.text))


def button_lines(reply: Reply) -> list[str]:
    """One line per row of buttons, numbered across the whole message: `[1] Home visit  [2] Phone call`."""
    lines, number = [], 0
    for row in reply.choices:
        labels = []
        for choice in row:
            number += 1
            labels.append(f"[{number}] {choice.label}")
        lines.append("  ".join(labels))
    return lines


class Screen:
    """Prints outcomes through `out`; attachments go to `files` (made when the first one arrives)."""

    def __init__(self, out: Callable[[str], None], files: Path) -> None:
        self.out, self.files = out, files

    def show(self, outcome: Outcome) -> None:
        if outcome.popup:
            self.out(f"({outcome.popup})")
        for reply in outcome.replies:
            self.show_reply(reply)

    def show_reply(self, reply: Reply) -> None:
        text = plain_text(reply)
        if text:
            self.out(text)
        for attachment in reply.attachments:
            path = self.save(attachment)
            self.out(f"📎 {path}" + (f"  {attachment.caption}" if attachment.caption else ""))
        for line in button_lines(reply):
            self.out(line)
        if reply.keyboard:
            self.out("⌨ " + "  |  ".join(reply.keyboard))
        self.out("")

    def save(self, attachment: Attachment) -> Path:
        """Write the attachment under its own name; a later file of the same name gets a number, never overwrites."""
        self.files.mkdir(parents=True, exist_ok=True)
        name = UNSAFE_NAME.sub("_", Path(attachment.name).name) or "attachment"
        stem, suffix = Path(name).stem, Path(name).suffix
        path, n = self.files / name, 1
        while path.exists():
            n += 1
            path = self.files / f"{stem}-{n}{suffix}"
        path.write_bytes(attachment.data)
        return path
