"""The `telegram` platform of `teachlog run` and `teachlog worker`: the Telegram port over an Application (listening)
or a bot of its own (sending only); who the bot is and its command menu, told to Telegram once it has connected."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot.chat.commands import command_menus
from bot.chat.key_value_store import remember_bot_username
from bot.chat.listening import refused, start_errors, unreachable
from bot.chat.port_platform import PortPlatform
from bot.platform_names import TELEGRAM
from handlers.telegram.port import BOT_API, TelegramPort, even_rate_limiter, standalone_bot
from storage.db import Database

log = logging.getLogger(__name__)


async def set_command_menu(bot: Bot) -> None:
    """The core's command menu in each language (English for any other); if Telegram refuses it, warn and run on."""
    try:
        for language, menu in command_menus().items():
            await bot.set_my_commands([BotCommand(name, description) for name, description in menu],
                                      scope=BotCommandScopeAllPrivateChats(),
                                      language_code=None if language == "en" else language)
    except TelegramError as error:
        log.warning("could not set the command menu (%s); running on without it", error)


async def introduce(db: Database, bot: Bot) -> str | None:
    """Once the bot knows who it is: its @username kept (for invite links and group commands), the menu set."""
    await remember_bot_username(db, bot.username)
    await set_command_menu(bot)
    return bot.username


def build_application(token: str, *, base_url: str | None = None, request: BaseRequest | None = None,
                      updates_request: BaseRequest | None = None, rate_limit: bool = True) -> Application:
    """The Application that takes updates for the port (:meth:`TelegramPort.listen` hands them to the runtime)."""
    builder: ApplicationBuilder = ApplicationBuilder().token(token).base_url(base_url or BOT_API)
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    if rate_limit:
        # The same even spacing as `teachlog worker`: on one machine this bot also delivers the reminders.
        builder = builder.rate_limiter(even_rate_limiter())
    application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
    return application


def bot_api_errors(base_url: str | None) -> contextlib.AbstractContextManager[None]:
    """A refused token, an unreachable Bot API, or any other failure of its first call as one line."""
    where = base_url or BOT_API
    return start_errors(refused(InvalidToken, "Telegram", "TELEGRAM_BOT_TOKEN", "check it with @BotFather"),
                        unreachable(TelegramError, f"reach the Telegram Bot API at {where}"))


class TelegramPlatform(PortPlatform):
    """The `telegram` platform: a :class:`bot.chat.platform_plugin.Platform`."""

    name = TELEGRAM
    invite_link_template = "https://t.me/{handle}?start={code}"

    @contextlib.asynccontextmanager
    async def connect(self, *, listening: bool) -> AsyncIterator[TelegramPort]:
        """Telegram asked who we are first. Listening: the Application's port, by long polling or, with
        `--webhook-url`, on the webhook. Else a port over a rate-limited bot of its own (`teachlog worker`)."""
        settings = self.core.settings
        token, base_url = settings.require_telegram_token(), settings.telegram_base_url
        if listening:
            webhook = settings.webhook()
            with bot_api_errors(base_url):
                async with Bot(token, base_url=base_url or BOT_API) as probe:
                    username = await introduce(self.core.db, probe)
            application = build_application(token, base_url=base_url)
            yield TelegramPort(application.bot, application, webhook, username=username)
            return
        telegram_bot = standalone_bot(token, base_url)
        with bot_api_errors(base_url):
            await telegram_bot.initialize()
        try:
            yield TelegramPort(telegram_bot)
        finally:
            await telegram_bot.shutdown()
