"""The port a chat platform's adapter implements: the narrow edge between a platform and the core's runtime.

An adapter only translates. It connects and hands each raw payload to the
runtime the core built and gave it (:meth:`ListeningPort.listen`, its connection as
steps :func:`bot.chat.listening.listen_until` runs; a port that only sends, as for
`teachlog worker`, has no `listen`), reads a payload as a core :class:`Event`,
shows one laid-out :class:`~bot.chat.layout.Message` at a chat (its text and
buttons through the core's :class:`~bot.chat.look.Look` where it has a table for
them), answers what is tied to the payload itself (a tap's popup, taking a tapped
message's buttons away), names its failures as the delivery exceptions of
:mod:`bot.notifications.messenger` (a table: :data:`ErrorRow` rows, or
:class:`bot.chat.api_errors.ErrorCodes`), fetches a stored file where it can, and declares its
:class:`Capabilities`. Everything else — calling the engine, laying replies
out, styling and cutting texts, waiting out rate limits, the apology, the
scheduler, opening and closing connections, clean stops — is the core's, once
for every platform; starting and stopping the port for `teachlog run` and
`teachlog worker` is :mod:`bot.chat.port_platform`'s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

from bot.chat.events import ChatAddress, Event
from bot.chat.layout import Message
from bot.chat.platform_plugin import Capabilities
from bot.chat.replies import Outcome
from bot.notifications.messenger import DeliveryError

T = TypeVar("T")
#: A row of a platform's error table: error types, and what an error of them means (a delivery error, a line).
ErrorRow = tuple[type[BaseException] | tuple[type[BaseException], ...], Callable[[Any], T]]


def named_by(error: BaseException, table: Sequence[ErrorRow[T]]) -> T | None:
    """What the first row whose types match says of `error`; None when no row does."""
    return next((meaning(error) for types, meaning in table if isinstance(error, types)), None)


class Receiver(Protocol):
    """What an adapter hands its payloads to (the runtime)."""

    async def receive(self, raw: Any, what: str = "an update") -> None:
        """Answer one payload; `what` names it in the log (e.g. "update 42")."""


class ChatPort(Protocol):
    """A port that reads payloads and sends: what the reply path and `teachlog worker` need."""

    #: The platform's key, as stored in `member_accounts.platform` and in chat addresses.
    name: str
    capabilities: Capabilities

    async def event_of(self, raw: Any) -> Event | None:
        """The core's event for a payload from a person, or for the platform's word on the bot's own membership
        (a :class:`~bot.chat.events.BotMembership` body); None for anything else. Texts as the platform gave them:
        the runtime removes NUL characters."""

    async def acknowledge(self, raw: Any, outcome: Outcome) -> None:
        """What answers the payload itself: the popup of a tap (or stopping its spinner), and the tapped
        message's buttons taken away when `outcome.clear_tapped`."""

    async def send(self, chat: ChatAddress, message: Message) -> None:
        """Show one message, already within the platform's capabilities, in the chat."""

    def delivery_error(self, error: Exception) -> DeliveryError | None:
        """The platform's failure as RetryLater, Unreachable, ChatMoved, TransientFailure or PermanentFailure;
        None for an error that is not the platform's (a failed connection is the reply path's TransientFailure;
        anything else, a bug, is raised as it is)."""


@runtime_checkable
class ListeningPort(ChatPort, Protocol):
    """A port that also takes payloads, for `teachlog run` (:meth:`bot.chat.runtime.Runtime.run`)."""

    async def listen(self, receiver: Receiver, stop: asyncio.Event) -> None:
        """Connect, and hand every payload to `receiver.receive` until `stop` is set; then disconnect."""


@runtime_checkable
class FilePort(ChatPort, Protocol):
    """A port that fetches the files people sent on its platform (kept by their file id, for `/export`); the core
    asks it only for its own platform's files (:class:`bot.chat.runtime.PortOutbound`)."""

    async def fetch_file(self, file_id: str) -> bytes:
        """The bytes of a file a person once sent on this platform."""


@runtime_checkable
class BatchPort(ChatPort, Protocol):
    """A port that shows one message in several people's 1:1 chats with one call (its capabilities' `batch_size`
    chats at most), for a platform whose calls are counted (DingTalk)."""

    async def send_many(self, chat_ids: Sequence[str], message: Message) -> Mapping[str, DeliveryError]:
        """The message in each chat; for each chat it did not reach, why. Raises when nothing went out."""

    def reachable_free(self) -> Sequence[str]:
        """The chats a message reaches now without a counted call (a session webhook still open)."""
