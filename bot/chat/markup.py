"""The core's limited HTML — <b>, <i>, <code> and entities, what a reply with `html` carries — as a platform writes
text: its :class:`TextStyle` (Slack's mrkdwn, DingTalk's markdown, or HTML as it is for Telegram), or as plain text
(previews, titles). An adapter declares its style; the core writes every text in it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.chat.commands import as_words

TAG = re.compile(r"</?(b|strong|i|em|code)>")


@dataclass(frozen=True)
class Marks:
    """What a platform's markup puts around bold, italic and code text."""

    bold: str
    italic: str
    code: str


def marked(text: str, marks: Marks, *, is_html: bool = True) -> str:
    """The text with its tags as `marks` and its entities unescaped; plain text as it is."""
    if not is_html:
        return text
    by_tag = {"b": marks.bold, "strong": marks.bold, "i": marks.italic, "em": marks.italic, "code": marks.code}
    return html.unescape(TAG.sub(lambda match: by_tag[match.group(1)], text))


def plain(text: str, *, is_html: bool = True) -> str:
    """The text without markup."""
    return html.unescape(TAG.sub("", text)) if is_html else text


@dataclass(frozen=True)
class TextStyle:
    """How a platform writes a text: the adapter's table, read by :meth:`styled` and :meth:`preview`.

    The default takes the core's text as it is (a platform that reads its HTML, or plain text)."""

    #: The platform's markup for the core's tags; None where it takes the core's HTML.
    marks: Marks | None = None
    #: Characters the platform reads as markup, each with how it is written as text (after the marks).
    escapes: tuple[tuple[str, str], ...] = ()
    #: How the platform's markup writes a line break.
    line_break: str = "\n"
    #: Where commands are words after one command (Slack's "/teachlog"): the core's "/log" is written "/teachlog log".
    command_prefix: str = ""

    def commands(self, text: str) -> str:
        """The core's /commands in `text` as people type them on the platform."""
        return as_words(text, self.command_prefix) if self.command_prefix else text

    def styled(self, text: str, *, is_html: bool) -> str:
        """The core's text (plain, or its limited HTML) in the platform's markup."""
        text = self.commands(marked(text, self.marks, is_html=is_html) if self.marks is not None else text)
        for character, escaped in self.escapes:
            text = text.replace(character, escaped)
        return text.replace("\n", self.line_break) if self.line_break != "\n" else text

    def unescaped(self, text: str) -> str:
        """A text the platform sent, its escapes read back as the characters they stand for."""
        for character, escaped in reversed(self.escapes):
            text = text.replace(escaped, character)
        return text

    def preview(self, text: str, *, is_html: bool) -> str:
        """The text without markup: a notification's preview, a title."""
        return self.commands(plain(text, is_html=is_html))
