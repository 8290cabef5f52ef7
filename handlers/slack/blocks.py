"""Core messages as Block Kit: Slack's table for the core's :class:`~bot.chat.look.Look` (a section of mrkdwn, a
button, a row of buttons as an actions block) and the text style it is written in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.chat.look import Look
from bot.chat.markup import Marks, TextStyle
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
#: chat.postMessage allows about one message a second per channel (short bursts pass, sustained ones get 429s).
SECONDS_PER_CHANNEL_MESSAGE = 1.0

CAPABILITIES = Capabilities(text_length=MESSAGE_TEXT_LIMIT, caption_length=SECTION_LIMIT,
                            buttons_per_row=BUTTONS_PER_ROW, albums=False, edits=True,
                            picture_captions=False, seconds_per_chat_message=SECONDS_PER_CHANNEL_MESSAGE)

#: The core's commands as people type them on Slack: subcommands of the one slash command (/start is `join`).
SLASH_COMMAND = "/teachlog"

#: mrkdwn: Slack reads &, < and > as markup, nothing else needs escaping.
MRKDWN = TextStyle(Marks(bold="*", italic="_", code="`"), escapes=(("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")),
                   command_prefix=SLASH_COMMAND)

Block = dict[str, Any]


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def button(label: str, value: str, action_id: str) -> Block:
    return {"type": "button", "text": {"type": "plain_text", "text": label[:BUTTON_LABEL_LIMIT], "emoji": True},
            "value": value, "action_id": action_id}


def actions(buttons: list[Block], block_id: str) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": buttons}


BLOCK_KIT: Look[Block] = Look(button=button, row=actions, section=section, section_length=SECTION_LIMIT,
                              style=MRKDWN)


def without_actions(blocks: Sequence[Mapping[str, Any]]) -> list[Block]:
    """A tapped message's blocks with its buttons taken away, so it cannot be tapped again."""
    return [dict(block) for block in blocks if block.get("type") != "actions"]
