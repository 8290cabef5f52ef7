"""The messenger: how scheduled jobs send a message, whatever the chat platform.

A platform adapter implements :class:`Messenger` and translates its own errors
into the exceptions below, so the sender in :mod:`bot.notifications.delivery` decides what
to do (wait, retry, give up, follow a moved group) without knowing the platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

#: Inline buttons as rows of (label, callback data).
Buttons = Sequence[Sequence[tuple[str, str]]]


@dataclass(frozen=True)
class Notice:
    """One message as a job composes it: text, optional buttons, optional picture (the text is its caption)."""

    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()
    parse_mode: str | None = None
    photo: bytes | None = None
    photo_name: str | None = None


class DeliveryError(Exception):
    """Sending failed; the subclass says what the sender should do about it."""


class RetryLater(DeliveryError):
    """The platform asks us to slow down: try again after `seconds`."""

    def __init__(self, seconds: float, detail: str = "") -> None:
        super().__init__(detail or f"retry after {seconds:g} s")
        self.seconds = seconds


class Unreachable(DeliveryError):
    """The recipient blocked the bot, or removed it from the group: do not try again."""


class ChatMoved(DeliveryError):
    """The group now lives under another chat id (a Telegram group became a supergroup), as text."""

    def __init__(self, new_chat_id: str) -> None:
        super().__init__(f"chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


class TransientFailure(DeliveryError):
    """A timeout, a network error or a server error: the same message may well go through later."""


class PermanentFailure(DeliveryError):
    """The platform refused this message as it is (bad request, unknown chat): retrying will not help."""


class Messenger(Protocol):
    """Sends to chats of one platform, each addressed by its id as text (the adapter converts it at its edge)."""

    async def send(self, chat_id: str, text: str, *, buttons: Buttons | None = None, parse_mode: str | None = None,
                   photo: bytes | None = None, photo_name: str | None = None) -> None:
        """Send `text` (as the caption of `photo` when one is given) to the chat, or raise a DeliveryError."""
