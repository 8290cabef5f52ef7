"""How a port takes payloads until it is stopped, the same for every platform.

An adapter describes its connection as steps (:class:`Connection`): what opens
each, what closes it, the loop it runs if it has one of its own, and what a failure
means for the operator. The core opens them in order, waits for the stop (SIGINT,
SIGTERM, or a test's event) or for a loop to end, and closes what it opened in the
reverse order, also when a later step fails. Long polling, a webhook's HTTP server,
Slack's Socket Mode and DingTalk's Stream connection are all steps; a refused token
or a port in use ends `teachlog run` in one line (:func:`start_errors`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.app_context import PlatformStartError
from bot.chat.port import ErrorRow, named_by
from bot.chat.reply_path import CONNECTION_ERRORS

log = logging.getLogger(__name__)


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


def refused(types: type[BaseException] | tuple[type[BaseException], ...], platform: str, setting: str, advice: str,
            answer: Callable[[Any], str] | None = None) -> ErrorRow[str]:
    """A row of :func:`start_errors` for credentials the platform refused: "{platform} refused {setting} ({its
    answer}): {advice}", the answer (an error code) where the platform gives one."""
    def line(error: Any) -> str:
        said = answer(error) if answer is not None else ""
        return f"{platform} refused {setting}{f' ({said})' if said else ''}: {advice}"
    return types, line


def unreachable(types: type[BaseException] | tuple[type[BaseException], ...], action: str) -> ErrorRow[str]:
    """A row of :func:`start_errors` for a platform that could not be reached, by its library's `types` or by a
    connection that failed (the reply path's :data:`~bot.chat.reply_path.CONNECTION_ERRORS`, on any platform):
    "cannot {action}: {the error}" (its type's name when it says nothing)."""
    library = types if isinstance(types, tuple) else (types,)
    return (*library, *CONNECTION_ERRORS), lambda error: f"cannot {action}: {str(error) or type(error).__name__}"


async def nothing() -> None:
    """A step with nothing to close (or nothing to open)."""


@dataclass(frozen=True)
class Connection:
    """One step of taking payloads: opened in order, closed in reverse once it has opened."""

    open: Callable[[], Awaitable[object]] = nothing
    close: Callable[[], Awaitable[object]] = nothing
    #: The step's own loop (a connection that reconnects by itself), run once it is open until `close` ends it.
    run: Callable[[], Awaitable[object]] | None = None
    #: Failures of `open` or `run` as one line each for the operator.
    refusals: Sequence[ErrorRow[str]] = ()
    #: Logged once the step is open.
    opened: str = ""


async def listen_until(stop: asyncio.Event, *steps: Connection) -> None:
    """Open each step, wait for `stop` (or for a step's loop to end), then close what was opened, the last first;
    a loop's failure is raised once everything is closed."""
    loops: list[tuple[Connection, asyncio.Task[object]]] = []
    try:
        async with contextlib.AsyncExitStack() as opened:
            for step in steps:
                with start_errors(*step.refusals):
                    await step.open()
                opened.push_async_callback(step.close)
                if step.run is not None:
                    loops.append((step, asyncio.ensure_future(step.run())))
                if step.opened:
                    log.info("%s", step.opened)
            stopped = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait({stopped, *(loop for _, loop in loops)}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopped.cancel()
        for step, loop in loops:
            with start_errors(*step.refusals):
                await loop
    finally:
        for _, loop in loops:
            loop.cancel()
