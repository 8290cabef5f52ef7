"""Reports that follow their announcement: a report with nothing stored for its window is computed after the answer.

A school's or a district's report whose stored summaries are cold (after a policy change, an upgrade that
changes the stored format, or before the day's warming) is computed from the entries: seconds for a large
school. Where the platform can send later (the engine has an :class:`~bot.chat.outbound.Outbound`), the flow
hands the work here: it runs as a task of its own, outside the conversation's step and its lock. When it ends
within :data:`ANSWER_SECONDS` (a small school), its report is the answer; otherwise the chat is answered that the
report follows, and the reply goes out through the runtime's delivery path when ready.

One computation per report asked for (its key: the school or district, and the window): a second ask while it
runs joins it instead of starting another, and each asking chat gets its own rendering (language, a group's
limits) of the one result; the same chat asking the same thing again is sent it once. A computation that fails
(its writes conflicting with another process storing the same window) is tried once more before the chat gets
an apology.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from bot.chat.events import ChatAddress
from bot.chat.outbound import Nowhere, Outbound
from bot.chat.replies import Reply
from bot.i18n import N_, Translator

log = logging.getLogger(__name__)

T = TypeVar("T")

#: A report computed within this long is given in the answer; a longer one follows (the chat is answered within
#: about this long plus the check that nothing is stored).
ANSWER_SECONDS = 1.0

NOT_PREPARED = N_("Sorry, the report could not be prepared. Please ask again in a moment.")


class ReportsToFollow:
    """The reports being computed to be sent later, shared by the school's and the district's /report."""

    def __init__(self, outbound: Outbound | None = None) -> None:
        self.outbound = outbound or Nowhere()
        #: key → the computation of that report, while it runs.
        self.computing: dict[Hashable, asyncio.Future[Any]] = {}
        #: (key, chat, rendering) of the replies waiting for a computation.
        self.waiting: set[tuple[Hashable, ChatAddress, Hashable]] = set()
        self._deliveries: set[asyncio.Task[None]] = set()

    @property
    def can_send_later(self) -> bool:
        return not isinstance(self.outbound, Nowhere)

    async def answer(self, chat: ChatAddress, key: Hashable, compute: Callable[[], Awaitable[T]],
                     render: Callable[[T], Awaitable[Reply]], t: Translator, *,
                     rendering: Hashable = None) -> Reply | None:
        """`render(compute())` when the computation ends within :data:`ANSWER_SECONDS` (a small school); else None,
        for the flow to say that the report follows, and the reply is sent to the chat when ready. `compute` runs
        once for all the chats asking for `key` meanwhile (`rendering` tells apart what one chat asks of it)."""
        task = self.computing.get(key)
        if task is None:
            task = asyncio.ensure_future(self._computed(compute))
            self.computing[key] = task
            task.add_done_callback(lambda _: self.computing.pop(key, None))
        waiter = (key, chat, rendering)
        if waiter in self.waiting:
            return None  # this chat's reply is on its way
        try:
            result = await asyncio.wait_for(asyncio.shield(task), ANSWER_SECONDS)
        except TimeoutError:
            self._send_when_ready(waiter, task, render, t)
            return None
        return await render(result)

    def _send_when_ready(self, waiter: tuple[Hashable, ChatAddress, Hashable], task: asyncio.Future[T],
                         render: Callable[[T], Awaitable[Reply]], t: Translator) -> None:
        self.waiting.add(waiter)
        chat = waiter[1]

        async def deliver() -> None:
            try:
                try:
                    reply = await render(await task)
                except Exception:
                    log.exception("could not prepare a report to send later")
                    reply = Reply(t(NOT_PREPARED))
                await self.outbound.send(chat, reply)
            except Exception:
                log.exception("could not send a report that was being prepared")
            finally:
                self.waiting.discard(waiter)

        delivery = asyncio.create_task(deliver())
        self._deliveries.add(delivery)
        delivery.add_done_callback(self._deliveries.discard)

    @staticmethod
    async def _computed(compute: Callable[[], Awaitable[T]]) -> T:
        """The computation, tried once more after a failure: another process storing the same window at the same
        time (the warmer after a policy change) may make the first attempt's writes conflict; the second reads
        what it stored."""
        try:
            return await compute()
        except Exception as error:
            log.warning("a report being prepared failed (%s); trying once more", error)
            return await compute()

    async def settled(self) -> None:
        """Wait for every report being prepared to be sent (tests, a clean stop)."""
        while self._deliveries:
            await asyncio.gather(*list(self._deliveries), return_exceptions=True)
