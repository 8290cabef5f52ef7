"""The messenger: how scheduled jobs send a message, whatever the chat platform.

The core's reply path implements :class:`Messenger` over a platform's port, whose adapter translates its own
errors into the exceptions below, so the sender in :mod:`bot.notifications.delivery` decides what
to do (wait, retry, give up, follow a moved group) without knowing the platform.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from bot.chat.replies import Reply


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


class QuotaExhausted(DeliveryError):
    """The platform's allowance of calls for the month is used up (DingTalk's free organisation): nothing more goes
    out through it until the month turns where the school is, or an operator clears the hold."""


class Messenger(Protocol):
    """Sends to chats of one platform, each addressed by its id as text (the adapter converts it at its edge)."""

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Show the core's reply in the chat, or raise a DeliveryError (:class:`bot.chat.reply_path.ReplyPath`
        over the platform's port is the one implementation)."""


@runtime_checkable
class BatchMessenger(Messenger, Protocol):
    """A messenger that sends one reply to several people's 1:1 chats in one call (DingTalk's batchSend)."""

    #: The most chats one call takes.
    batch_size: int

    async def send_many(self, chat_ids: Sequence[str], reply: Reply) -> Mapping[str, DeliveryError]:
        """The same reply in each chat, in as few calls as the platform allows; for each chat it did not reach,
        why. Raises a DeliveryError when nothing went out."""

    def reachable_free(self) -> Sequence[str]:
        """The chats a message can reach now without a counted call (a session webhook still open), for while
        the platform's quota is held."""
