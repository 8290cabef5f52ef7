"""A platform made of a port (:class:`bot.chat.port.ChatPort`): what `teachlog run` and `teachlog worker` do
with any adapter's port, so an adapter only says how to connect one.

`teachlog run --platform NAME` runs the core's runtime over the port it connects, until SIGINT or SIGTERM;
`teachlog worker` delivers through the reply path over a port that does not listen. Both first ask the
platform who they are, so refused credentials or an unreachable server end the command in one line
(:func:`start_errors`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager

from bot.app_context import PlatformStartError
from bot.chat.platform_plugin import RunsUntilStopped
from bot.chat.port import ChatPort, ErrorRow, named_by
from bot.chat.reply_path import ReplyPath
from bot.chat.runtime import Runtime


@contextlib.contextmanager
def start_errors(*lines: ErrorRow[str]) -> Iterator[None]:
    """A platform's first calls, a failure among `lines` (the first whose types match) as a PlatformStartError
    with its line for the operator; any other error is raised as it is."""
    try:
        yield
    except PlatformStartError:
        raise
    except Exception as error:
        line = named_by(error, lines)
        if line is None:
            raise
        raise PlatformStartError(line) from None


class PortPlatform(RunsUntilStopped):
    """A :class:`bot.chat.platform_plugin.Platform` whose adapter writes only :meth:`connect`: the core builds the
    runtime and hands it to the port's :meth:`~bot.chat.port.ChatPort.listen`."""

    def connect(self, *, listening: bool) -> AbstractAsyncContextManager[ChatPort]:
        """The platform's port, its settings checked and its credentials tried once (a PlatformStartError line);
        `listening` for `teachlog run`, else a port that only sends."""
        raise NotImplementedError

    async def serve(self, stop: asyncio.Event | None = None) -> None:
        """Until SIGINT/SIGTERM (or `stop`): the port listening, handing payloads to the runtime, the notification
        jobs alongside."""
        async with self.connect(listening=True) as port:
            await Runtime(self.core, port, notifications=True).run(stop)

    @contextlib.asynccontextmanager
    async def messenger(self) -> AsyncIterator[ReplyPath]:
        """The reply path over a port of its own, for `teachlog worker`."""
        async with self.connect(listening=False) as port:
            yield ReplyPath(port)

    async def invite_link(self, code: str) -> str | None:
        """None: most platforms have no link that opens the bot with a text (members type the join command)."""
        return None
