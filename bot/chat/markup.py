"""The core's limited HTML — <b>, <i>, <code> and entities, what a reply with `html` carries — in a platform's
lightweight markup (Slack's mrkdwn, DingTalk's markdown) or as plain text (previews, titles), for the adapters of
platforms that do not take HTML."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

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
