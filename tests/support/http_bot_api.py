"""Serve a FakeTelegram over real HTTP, so a `teachlog run` subprocess can talk to it via TELEGRAM_BASE_URL.

python-telegram-bot posts each call to `<base_url><token>/<method>`, form-encoded with
JSON-encoded values (or multipart when it uploads files).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator

from aiohttp import web

from tests.support.fake_telegram import FakeTelegram


def _decode(value: str):
    try:
        return json.loads(value)
    except ValueError:
        return value


@contextlib.asynccontextmanager
async def serve(fake: FakeTelegram) -> AsyncIterator[str]:
    """Yield the base URL (`http://127.0.0.1:PORT/bot`) while the server runs."""

    async def call(request: web.Request) -> web.Response:
        params, files = {}, {}
        if request.content_type == "multipart/form-data":
            async for part in await request.multipart():
                if part.filename:
                    files[part.name] = (part.filename, await part.read(), part.headers.get("Content-Type", ""))
                else:
                    params[part.name] = _decode(await part.text())
        elif request.content_type == "application/json":
            params = await request.json()
        else:
            params = {key: _decode(value) for key, value in (await request.post()).items()}
        status, body = await fake.handle(request.match_info["method"], params, files)
        return web.Response(status=status, body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", call)
    # A client that hangs up mid long poll cancels the handler, so shutting down does not wait for it.
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        await runner.cleanup()
