"""The HTTP server a chat platform posts its payloads to (Telegram's webhook, Slack's Events API over HTTP).

The same for every adapter: it listens on a host and port until stopped (a port that cannot be listened on
is one :class:`~bot.app_context.PlatformStartError` line), and a shared secret, where the platform sends one
in a header, is compared in constant time: a request without it is answered 401 and changes nothing. The
adapter brings the aiohttp application that reads its payloads.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.app_context import PlatformStartError

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def secret_checked(handler: Handler, header: str, secret: str) -> Handler:
    """`handler` behind the secret the platform sends in `header`."""
    async def checked(request: web.Request) -> web.StreamResponse:
        if not hmac.compare_digest(request.headers.get(header, "").encode(), secret.encode()):
            log.warning("a request from %s had a wrong or no secret", request.remote)
            return web.Response(status=401, text="wrong or missing secret token")
        return await handler(request)
    return checked


async def serve_http(app: web.Application, host: str, port: int, stop: asyncio.Event, *,
                     listening: Callable[[], Awaitable[None]] | None = None) -> None:
    """Serve `app` on `host:port` until `stop`; `listening` runs once requests can come (e.g. to tell the
    platform where to post)."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as error:
            raise PlatformStartError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
        log.info("listening on %s:%s", host, port)
        if listening is not None:
            await listening()
        await stop.wait()
    finally:
        await runner.cleanup()
