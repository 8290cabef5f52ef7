"""What the core answers: messages with text, choices and attachments, and what to do with a tapped message.

Text is plain, or HTML limited to <b>, <i>, <code> and escaped entities when
`html` is set; adapters render it in their platform's markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.chat.actions import Action, ForDraft, encode


@dataclass(frozen=True)
class Choice:
    """A button: its label and the typed action a tap on it carries."""

    label: str
    action: Action | ForDraft

    @property
    def data(self) -> str:
        return encode(self.action)


@dataclass(frozen=True)
class Attachment:
    """A chart or a file; `image` ones may be shown together as an album."""

    name: str
    data: bytes
    kind: Literal["image", "file"] = "file"
    caption: str = ""


#: The labels of a keyboard that stays under the chat (where the platform has one); tapping one sends its label.
Keyboard = tuple[str, ...]


@dataclass(frozen=True)
class Reply:
    text: str = ""
    choices: tuple[tuple[Choice, ...], ...] = ()
    html: bool = False
    attachments: tuple[Attachment, ...] = ()
    keyboard: Keyboard = ()

    @property
    def all_choices(self) -> list[Choice]:
        return [choice for row in self.choices for choice in row]


def in_rows(choices: list[Choice] | tuple[Choice, ...], per_row: int) -> tuple[tuple[Choice, ...], ...]:
    return tuple(tuple(choices[i:i + per_row]) for i in range(0, len(choices), per_row))


@dataclass
class Outcome:
    """Everything one event is answered with, in order."""

    replies: list[Reply] = field(default_factory=list)
    #: A short notice shown on the tapped button (Telegram's callback answer); None answers it silently.
    popup: str | None = None
    #: Take the buttons off the message that was tapped, so it cannot be tapped again.
    clear_tapped: bool = False
    #: The event's update was answered before (a platform's second delivery): send nothing, not even a
    #: tap's acknowledgement, which the first answer already gave.
    answered_before: bool = False
