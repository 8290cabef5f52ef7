"""`/healthz` and `/metrics` over HTTP (`--metrics-port`), served from a thread with an event loop of its own.

The platforms run their own event loops (python-telegram-bot's `run_polling`, Bolt's
server); this server shares none of them, so it starts and stops the same way beside
any platform, and keeps answering while the bot's loop is busy.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.clock import Clock
from bot.database import app_database
from bot.observability import metrics
from bot.observability.health import DEFAULT_MAX_OUTBOX_DELAY, HealthChecker

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 10.0


class ServerStartError(Exception):
    """The port cannot be listened on; one line for the operator."""


class ObservabilityServer:
    def __init__(self, checker: HealthChecker, port: int, host: str = DEFAULT_HOST) -> None:
        self.checker, self.host, self.port = checker, host, port
        self._ready = threading.Event()
        self._failure: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="teachlog-metrics", daemon=True)

    def start(self) -> None:
        """Listen, or raise :class:`ServerStartError`; `port` 0 takes a free port, then `port` says which."""
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_SECONDS):
            raise ServerStartError(f"the metrics server did not start on {self.host}:{self.port}")
        if self._failure is not None:
            self._thread.join()
            raise ServerStartError(self._failure)
        log.info("serving /healthz and /metrics at http://%s:%s", self.host, self.port)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(START_TIMEOUT_SECONDS)

    def __enter__(self) -> ObservabilityServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            try:
                site = web.TCPSite(runner, self.host, self.port)
                await site.start()
            except OSError as error:
                reason = os.strerror(error.errno) if error.errno else str(error)
                self._failure = f"cannot listen on {self.host}:{self.port} for --metrics-port: {reason}"
                return
            self.port = runner.addresses[0][1]
            self._ready.set()
            await self._stop.wait()
        finally:
            self._ready.set()
            await runner.cleanup()
            await self.checker.close()

    async def healthz(self, _request: web.Request) -> web.Response:
        health = await self.checker.check()
        return web.Response(text=json.dumps(health.as_json()) + "\n", content_type="application/json",
                            status=200 if health.healthy else 503)

    async def metrics(self, _request: web.Request) -> web.Response:
        await self.checker.refresh_gauges()
        response = web.Response(body=metrics.exposition())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response


def observability_server(database_url: str, clock: Clock, platform: str, port: int, *, host: str = DEFAULT_HOST,
                         platform_connects: bool, max_outbox_delay: float = DEFAULT_MAX_OUTBOX_DELAY
                         ) -> ObservabilityServer:
    """The server for `teachlog run|worker --metrics-port`, checking `database_url` through an engine of its own.

    That engine keeps no connections (NullPool): each check connects afresh, which is what "reachable" means.
    """
    checker = HealthChecker(app_database(database_url, pooled=False), clock, platform,
                            platform_connects=platform_connects, max_outbox_delay=max_outbox_delay)
    return ObservabilityServer(checker, port, host)
