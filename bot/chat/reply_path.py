"""The one path every reply takes to a chat, conversation answers and scheduled messages alike.

A reply is laid out within the platform's capabilities (:mod:`bot.chat.layout`)
and each message goes out through the adapter's port. When the platform asks
to slow down (a 429 with Retry-After, Telegram's flood wait) the message is
sent again after the wait, so it arrives once:

* a conversation reply (:meth:`ReplyPath.answer`) always waits, up to
  :data:`MAX_WAITS` times of at most :data:`LONGEST_WAIT` seconds, and never
  raises: a reply that cannot be delivered is logged, the request that caused
  it stays answered;
* a scheduled message (:meth:`ReplyPath.send`, the outbox's messenger) hands a
  slow-down on its first message to the outbox, which holds the row back until
  the time named and frees the sender for other chats; once part of it is out,
  the rest waits here, so no part is sent twice.

Messages to one chat are spaced as the platform's capabilities say
(:attr:`~bot.chat.platform_plugin.Capabilities.seconds_per_chat_message`), so a
slow-down is seldom asked for in the first place.

A port names its platform's failures (:meth:`ChatPort.delivery_error`); a
connection that failed or timed out is a TransientFailure on every platform.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

import aiohttp

from bot.chat.events import ChatAddress
from bot.chat.layout import Message, lay_out
from bot.chat.pacing import Pacer
from bot.chat.port import BatchPort, ChatPort
from bot.chat.replies import Reply
from bot.notifications.messenger import DeliveryError, RetryLater, TransientFailure

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Failures of the connection itself, on any platform (an adapter's own library wraps its own): worth trying again.
CONNECTION_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)
#: How often one message waits out a slow-down before it is given up.
MAX_WAITS = 3
#: The longest wait a message sits through; a platform asking for more is not waited for.
LONGEST_WAIT = 60.0


class ReplyPath:
    """Replies through one port; :meth:`send` makes it the :class:`~bot.notifications.messenger.Messenger` of
    the outbox."""

    def __init__(self, port: ChatPort, *, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                 pacer: Pacer | None = None) -> None:
        self.port, self.sleep = port, sleep
        pace = port.capabilities.seconds_per_chat_message
        #: Spaces the messages to one chat by the platform's pace; None where it sets none.
        self.pacer = pacer or (Pacer(pace, sleep=sleep) if pace > 0 else None)

    async def send(self, chat_id: str, reply: Reply) -> None:
        """A scheduled message; raises a DeliveryError (RetryLater when the first part was asked to wait)."""
        await self._deliver(ChatAddress(self.port.name, chat_id), reply, wait_first=False)

    @property
    def batch_size(self) -> int:
        """How many people one call reaches with the same message (1 unless the port sends to many)."""
        return self.port.capabilities.batch_size if isinstance(self.port, BatchPort) else 1

    async def send_many(self, chat_ids: Sequence[str], reply: Reply) -> Mapping[str, DeliveryError]:
        """One scheduled reply to several 1:1 chats, `batch_size` a call; for each chat it did not reach, why.

        As with :meth:`send`, a slow-down on the first message of the whole batch is raised (the outbox holds
        every row back, to send them together later); once part is out, the rest waits here.
        """
        if not isinstance(self.port, BatchPort) or self.batch_size <= 1:
            return await self._one_by_one(chat_ids, reply)
        failed: dict[str, DeliveryError] = {}
        for i, message in enumerate(lay_out(reply, self.port.capabilities)):
            reached = [chat_id for chat_id in chat_ids if chat_id not in failed]
            for start in range(0, len(reached), self.batch_size):
                part = reached[start:start + self.batch_size]
                try:
                    failed.update(await self._batch_once(self.port, part, message, wait=i > 0))
                except DeliveryError as error:
                    if i == 0 and start == 0:
                        raise
                    failed.update(dict.fromkeys(part, error))
        return failed

    async def _one_by_one(self, chat_ids: Sequence[str], reply: Reply) -> dict[str, DeliveryError]:
        failed: dict[str, DeliveryError] = {}
        for chat_id in chat_ids:
            try:
                await self.send(chat_id, reply)
            except DeliveryError as error:
                failed[chat_id] = error
        return failed

    async def _batch_once(self, port: BatchPort, chat_ids: Sequence[str], message: Message, *,
                          wait: bool) -> Mapping[str, DeliveryError]:
        return await self._waited(lambda: port.send_many(chat_ids, message), wait=wait,
                                  to=f"{len(chat_ids)} chats")

    def reachable_free(self) -> Sequence[str]:
        """The chats the port reaches without a counted call (none unless it sends to many)."""
        return self.port.reachable_free() if isinstance(self.port, BatchPort) else ()

    async def answer(self, chat: ChatAddress, reply: Reply) -> bool:
        """A conversation reply, rate limits waited out; False (and logged) when it could not be delivered."""
        try:
            await self._deliver(chat, reply, wait_first=True)
        except DeliveryError as error:
            log.warning("a reply to %s chat %s was not delivered: %s", chat.platform, chat.chat_id, error)
            return False
        return True

    async def _deliver(self, chat: ChatAddress, reply: Reply, *, wait_first: bool) -> None:
        for i, message in enumerate(lay_out(reply, self.port.capabilities)):
            await self._send_message(chat, message, wait=wait_first or i > 0)

    async def _send_message(self, chat: ChatAddress, message: Message, *, wait: bool) -> None:
        await self._waited(lambda: self._paced(chat, message), wait=wait, to=chat.chat_id)

    async def _paced(self, chat: ChatAddress, message: Message) -> None:
        async with self.pacer.turn(chat.chat_id) if self.pacer else contextlib.nullcontext():
            await self.port.send(chat, message)

    async def _waited(self, attempt: Callable[[], Awaitable[T]], *, wait: bool, to: str) -> T:
        """`attempt()` with the port's failures named, a slow-down waited out when `wait` (at most MAX_WAITS
        times, none longer than LONGEST_WAIT); otherwise the slow-down is raised."""
        waits = 0
        while True:
            try:
                return await self._named(attempt)
            except RetryLater as error:
                if not wait or waits >= MAX_WAITS or error.seconds > LONGEST_WAIT:
                    raise
                waits += 1
                log.info("%s asks to wait %g s before a message to %s", self.port.name, error.seconds, to)
                await self.sleep(error.seconds)

    async def _named(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """`attempt()`, a failure of the platform or of the connection raised as the core's DeliveryError."""
        try:
            return await attempt()
        except DeliveryError:
            raise
        except Exception as error:
            mapped = self.port.delivery_error(error) or connection_failure(self.port.name, error)
            if mapped is None:
                raise
            raise mapped from error


def connection_failure(platform: str, error: Exception) -> TransientFailure | None:
    """A connection that failed or timed out, as a TransientFailure; None for any other error."""
    if isinstance(error, CONNECTION_ERRORS):
        return TransientFailure(f"{platform}: {type(error).__name__}: {error}")
    return None
