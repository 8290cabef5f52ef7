"""A platform made of a port (:class:`bot.chat.port.ChatPort`): what `teachlog run` and `teachlog worker` do
with any adapter's port, so an adapter only says how to connect one.

`teachlog run --platform NAME` runs the core's runtime over the port it connects, until SIGINT or SIGTERM;
`teachlog worker` delivers through the reply path over a port that does not listen. Both first ask the
platform who they are, so refused credentials or an unreachable server end the command in one line
(:func:`bot.chat.listening.start_errors`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import ClassVar

from bot.chat.key_value_store import bot_username
from bot.chat.platform_plugin import RunsUntilStopped
from bot.chat.port import ChatPort
from bot.chat.reply_path import ReplyPath
from bot.chat.runtime import Runtime


class PortPlatform(RunsUntilStopped):
    """A :class:`bot.chat.platform_plugin.Platform` whose adapter writes only :meth:`connect`: the core builds the
    runtime and hands it to the port's :meth:`~bot.chat.port.ListeningPort.listen`."""

    #: A link that opens the bot with a join code (`{handle}`: the bot's, `{code}`: the code); None where there is none.
    invite_link_template: ClassVar[str | None] = None

    def connect(self, *, listening: bool) -> AbstractAsyncContextManager[ChatPort]:
        """The platform's port, its settings checked and its credentials tried once (a PlatformStartError line);
        `listening` for `teachlog run` (a :class:`~bot.chat.port.ListeningPort`), else a port that only sends."""
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
        """The platform's :attr:`invite_link_template` with the bot's handle (known once it has run) and the code;
        None where the platform has no link that opens the bot with a text (members type the join command)."""
        template = self.invite_link_template
        handle = await bot_username(self.core.db) if template else None
        return template.format(handle=handle.lstrip("@"), code=code) if template and handle else None
