"""The HTTP server a chat platform posts its payloads to (Telegram's webhook, Slack's Events API over HTTP).

The same for every adapter: it listens on a host and port until stopped (a port that cannot be listened on
is one :class:`~bot.app_context.PlatformStartError` line), and a shared secret, where the platform sends one
in a header, is compared in constant time: a request without it is answered 401 and changes nothing. The
adapter brings the aiohttp application that reads its payloads, or only how to read one (:func:`payload_app`).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web

from bot.chat.listening import Connection

log = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def secret_checked(handler: Handler, header: str, secret: str) -> Handler:
    """`handler` behind the secret the platform sends in `header`."""
    async def checked(request: web.Request) -> web.StreamResponse:
        if not hmac.compare_digest(request.headers.get(header, "").encode(), secret.encode()):
            log.warning("a request from %s had a wrong or no secret", request.remote)
            return web.Response(status=401, text="wrong or missing secret token")
        return await handler(request)
    return checked


def payload_app(path: str, read: Callable[[bytes], T], take: Callable[[T], Awaitable[object]], *, header: str,
                secret: str, what: str = "payload") -> web.Application:
    """A webhook: each POST to `path` with the secret is read by `read` (one it cannot read — ValueError,
    TypeError, KeyError — is answered 400) and handed to `take`."""
    async def receive(request: web.Request) -> web.Response:
        try:
            payload = read(await request.read())
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text=f"not a {what}")
        await take(payload)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post(path, secret_checked(receive, header, secret))
    return app


def http_server(app: web.Application, host: str, port: int) -> tuple[Connection, Connection]:
    """The steps (:func:`bot.chat.listening.listen_until`) that serve `app` on `host:port`."""
    runner = web.AppRunner(app)
    return (Connection(runner.setup, runner.cleanup),
            Connection(lambda: web.TCPSite(runner, host, port).start(), opened=f"listening on {host}:{port}",
                       refusals=((OSError, lambda error: f"cannot listen on {host}:{port}: "
                                                         f"{error.strerror or error}"),)))
