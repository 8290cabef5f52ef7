"""Core messages as Block Kit: the core's limited HTML as mrkdwn, a message's text in sections, choices as buttons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.chat.commands import as_words
from bot.chat.markup import Marks, marked, plain
from bot.chat.pieces import split_at_lines
from bot.chat.platform_plugin import Capabilities

#: The longest text of one section block.
SECTION_LIMIT = 3000
#: Slack shows at most 5 buttons side by side in an actions block; a message holds at most 50 blocks.
BUTTONS_PER_ROW = 5
BLOCKS_PER_MESSAGE = 50
BUTTON_LABEL_LIMIT = 75
#: The longest text the core puts in one message: even escaped for mrkdwn (at most 5 characters for one) its
#: sections stay well within a message's 50 blocks, with room for buttons.
MESSAGE_TEXT_LIMIT = 6000

CAPABILITIES = Capabilities(text_length=MESSAGE_TEXT_LIMIT, caption_length=SECTION_LIMIT,
                            buttons_per_row=BUTTONS_PER_ROW, albums=False, modals=True, edits=True,
                            picture_captions=False)

#: The core's commands as people type them on Slack: subcommands of the one slash command (/start is `join`).
SLASH_COMMAND = "/teachlog"

MRKDWN = Marks(bold="*", italic="_", code="`")

Block = dict[str, Any]
#: Buttons as rows of (label, value).
ButtonRows = Sequence[Sequence[tuple[str, str]]]


def escape(text: str) -> str:
    """Plain text as mrkdwn: Slack reads &, < and > as markup, nothing else needs escaping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_commands(text: str) -> str:
    """The core's "/log", "/start CODE"… as typed on Slack: "/teachlog log", "/teachlog join CODE"."""
    return as_words(text, SLASH_COMMAND)


def mrkdwn_of(text: str, *, is_html: bool) -> str:
    """The core's text (plain, or HTML limited to <b>, <i>, <code> and entities) in Slack's mrkdwn."""
    return escape(slack_commands(marked(text, MRKDWN, is_html=is_html)))


def plain_of(text: str, *, is_html: bool) -> str:
    """The text without markup: the notification preview Slack shows beside the blocks."""
    return slack_commands(plain(text, is_html=is_html))


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Text cut at line ends into pieces of at most `limit` characters (an over-long line is cut hard)."""
    return split_at_lines(text, limit)


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def button(label: str, value: str, action_id: str) -> Block:
    return {"type": "button", "text": {"type": "plain_text", "text": label[:BUTTON_LABEL_LIMIT], "emoji": True},
            "value": value, "action_id": action_id}


def actions(rows: ButtonRows, *, prefix: str = "choice") -> list[Block]:
    """An actions block per row (the core lays rows out within 5 buttons); each button's action id is unique in
    the message."""
    return [{"type": "actions", "block_id": f"{prefix}-{i}",
             "elements": [button(label, value, f"{prefix}-{i}-{j}") for j, (label, value) in enumerate(row)]}
            for i, row in enumerate(rows)]


def message_blocks(text: str, rows: ButtonRows = (), *, is_html: bool = False) -> list[Block]:
    """The blocks of one message: `text` in sections Slack accepts, its buttons under it."""
    return [section(piece) for piece in split_text(mrkdwn_of(text, is_html=is_html))] + actions(rows)


def without_actions(blocks: Sequence[Mapping[str, Any]]) -> list[Block]:
    """A tapped message's blocks with its buttons taken away, so it cannot be tapped again."""
    return [dict(block) for block in blocks if block.get("type") != "actions"]
