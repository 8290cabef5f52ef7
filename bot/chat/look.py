"""How a platform shows the parts of a laid-out message: the adapter's small table, the core's order.

The core has already cut a reply into messages within the platform's capabilities
(:mod:`bot.chat.layout`). For one of them, a :class:`Look` writes the text in the
platform's :class:`~bot.chat.markup.TextStyle`, cuts it into the platform's text
blocks where it has them, and turns each row of choices into the platform's row of
buttons, each part with an id unique in the message. The adapter only says how one
section, one button and one row look: Slack's Block Kit blocks, Telegram's
InlineKeyboardButton rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bot.chat.layout import Message
from bot.chat.markup import TextStyle
from bot.chat.pieces import split_at_lines
from bot.chat.replies import Choice

Part = TypeVar("Part")
#: What a row or button id starts with: `choice-0` for the first row, `choice-0-1` for its second button.
ID_PREFIX = "choice"


@dataclass(frozen=True)
class Look(Generic[Part]):
    """A platform's table: one button (its label, the data a tap sends, its id), one row of buttons (and its id),
    one section of text."""

    button: Callable[[str, str, str], Any]
    row: Callable[[list[Any], str], Part]
    #: A block of text, for a platform whose messages are blocks; None where the text goes apart from the buttons.
    section: Callable[[str], Part] | None = None
    #: The longest text of one section, after styling (an over-long line is cut hard).
    section_length: int = 0
    style: TextStyle = field(default_factory=TextStyle)

    def sections(self, text: str, *, is_html: bool) -> list[Part]:
        """The text, styled, in sections the platform accepts (cut at line ends)."""
        assert self.section is not None, "this look has no sections"
        styled = self.style.styled(text, is_html=is_html)
        return [self.section(piece) for piece in split_at_lines(styled, self.section_length)]

    def rows(self, choices: Sequence[Sequence[Choice]], prefix: str = ID_PREFIX) -> list[Part]:
        """A row of buttons per row of choices (the core laid them out within the platform's width)."""
        return [self.row([self.button(choice.label, choice.data, f"{prefix}-{i}-{j}") for j, choice in enumerate(row)],
                         f"{prefix}-{i}")
                for i, row in enumerate(choices)]

    def parts(self, message: Message) -> list[Part]:
        """The message as the platform's parts: its text in sections, its buttons under it."""
        return self.sections(message.text, is_html=message.html) + self.rows(message.choices)
