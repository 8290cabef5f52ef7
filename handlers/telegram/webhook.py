"""Telegram's webhook mode: Telegram posts each update to a public HTTPS URL (a reverse proxy in front of one or
more `teachlog run --webhook-url` processes) instead of being polled.

This follows python-telegram-bot's "custom webhook" pattern rather than `Application.run_webhook`, whose server
answers a wrong or missing secret with 403; here it is 401, compared in constant time, and the request changes
nothing. The server is aiohttp (already there for Slack). Stopping leaves the webhook set, so the other
replicas behind the proxy go on receiving updates.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.app_context import PlatformStartError

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class Webhook:
    """The public URL Telegram posts to, the secret it sends along, and where this process listens."""

    url: str
    secret: str
    listen: str = "127.0.0.1"
    port: int = 3000

    @property
    def path(self) -> str:
        """The path this process serves: the URL's, as the reverse proxy passes it on."""
        return urlsplit(self.url).path or "/"


def webhook_app(application: Application, webhook: Webhook) -> web.Application:
    """The HTTP side: a request with the right secret puts its update on the application's queue."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), webhook.secret.encode()):
            log.warning("a webhook request from %s had a wrong or no secret", request.remote)
            return web.Response(status=401, text="wrong or missing secret token")
        try:
            update = Update.de_json(json.loads(await request.read()), application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="not a Telegram update")
        await application.update_queue.put(update)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post(webhook.path, receive)
    return app


async def listen_on_webhook(application: Application, webhook: Webhook, stop: asyncio.Event) -> None:
    """Start the application, listen, register the webhook with Telegram, and take updates until `stop`."""
    await application.initialize()
    runner = web.AppRunner(webhook_app(application, webhook))
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        await runner.setup()
        try:
            await web.TCPSite(runner, webhook.listen, webhook.port).start()
        except OSError as error:
            raise PlatformStartError(f"cannot listen on {webhook.listen}:{webhook.port}: {error.strerror}") from None
        await register(application, webhook)
        log.info("taking Telegram updates at %s on %s:%s", webhook.url, webhook.listen, webhook.port)
        await stop.wait()
    finally:
        await runner.cleanup()
        if application.running:
            await application.stop()
        await application.shutdown()


async def register(application: Application, webhook: Webhook) -> None:
    """setWebhook with the secret; pending updates are kept (never drop what teachers sent meanwhile)."""
    try:
        await application.bot.set_webhook(webhook.url, secret_token=webhook.secret,
                                          allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    except TelegramError as error:
        raise PlatformStartError(f"Telegram refused the webhook {webhook.url}: {error}") from None
