"""Telegram's webhook mode: Telegram posts each update to a public HTTPS URL (a reverse proxy in front of one or
more `teachlog run --webhook-url` processes) instead of being polled.

This follows python-telegram-bot's "custom webhook" pattern rather than `Application.run_webhook`, whose server
answers a wrong or missing secret with 403; here the core's HTTP intake (:mod:`bot.chat.http_intake`) answers
401 and the request changes nothing. Stopping leaves the webhook set, so the other replicas behind the proxy go
on receiving updates.
"""

from __future__ import annotations

import asyncio
import json
import logging
from functools import partial

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.chat.http_intake import secret_checked, serve_http
from bot.chat.port_platform import start_errors
from bot.settings import WebhookConfig

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(application: Application, webhook: WebhookConfig) -> web.Application:
    """The HTTP side: a request with the right secret puts its update on the application's queue."""

    async def receive(request: web.Request) -> web.Response:
        try:
            update = Update.de_json(json.loads(await request.read()), application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="not a Telegram update")
        await application.update_queue.put(update)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post(webhook.path, secret_checked(receive, SECRET_HEADER, webhook.secret))
    return app


async def listen_on_webhook(application: Application, webhook: WebhookConfig, stop: asyncio.Event) -> None:
    """Listen, register the webhook with Telegram, and take updates into the running application until `stop`."""
    await serve_http(webhook_app(application, webhook), webhook.listen, webhook.port, stop,
                     listening=partial(register, application, webhook))


async def register(application: Application, webhook: WebhookConfig) -> None:
    """setWebhook with the secret; pending updates are kept (never drop what teachers sent meanwhile)."""
    with start_errors((TelegramError, lambda error: f"Telegram refused the webhook {webhook.url}: {error}")):
        await application.bot.set_webhook(webhook.url, secret_token=webhook.secret,
                                          allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    log.info("taking Telegram updates at %s on %s:%s", webhook.url, webhook.listen, webhook.port)
