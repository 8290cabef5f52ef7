"""Wiring teachlog to Telegram: the Application hands updates to the core's runtime over the Telegram port; the
command menu; the `telegram` platform of `teachlog run` and `teachlog worker`."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import Any, cast

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from bot.app_context import AppContext
from bot.chat.commands import menu_commands
from bot.chat.engine_builder import IDLE_TIMEOUT
from bot.chat.key_value_store import remember_bot_username
from bot.chat.port import ChatPort
from bot.chat.port_platform import PortPlatform, start_errors
from bot.chat.runtime import Runtime
from bot.i18n import translator
from bot.platform_names import TELEGRAM
from bot.settings import WebhookConfig
from handlers.telegram.port import CAPABILITIES, TelegramPort, even_rate_limiter, standalone_bot, t_me_link

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE


class RuntimeApplication(Application[Any, Any, Any, Any, Any, Any]):
    """The Application whose handlers hand updates to the core's runtime; stopping it stops the runtime's jobs."""

    runtime: Runtime

    async def stop(self) -> None:
        await self.runtime.stop()
        await super().stop()


def add_handlers(application: Application, runtime: Runtime) -> None:
    """Every update to the runtime (whose engine notes each person's @handle, and whose core answers the bot's own
    membership changes)."""
    async def to_runtime(update: Update, context: Context) -> None:
        await runtime.receive(update, f"update {update.update_id}")

    application.add_handler(TypeHandler(Update, to_runtime))
    application.add_error_handler(log_failures)


async def log_failures(update: object, context: Context) -> None:
    """What the runtime did not catch (a job or the network failed)."""
    log.error("a job, the network or a handler failed", exc_info=context.error)


async def set_command_menu(application: Application) -> None:
    """Optional niceties: if Telegram refuses them, warn and run on."""
    try:
        for language in ("en", "zh"):
            t = translator(language)
            commands = [BotCommand(command.name, t(command.description)) for command in menu_commands()]
            await application.bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats(),
                                                  language_code=None if language == "en" else language)
    except TelegramError as error:
        log.warning("could not set the command menu (%s); running on without it", error)


def build_application(core: AppContext, token: str, *, base_url: str | None = None, request: BaseRequest | None = None,
                      updates_request: BaseRequest | None = None, rate_limit: bool = True,
                      conversation_timeout: dt.timedelta | float = IDLE_TIMEOUT,
                      notifications: bool = False, webhook: WebhookConfig | None = None) -> RuntimeApplication:
    """The Application wired to a runtime over the Telegram port; its post_init starts the runtime (as
    `run_polling` and the tests call it), with the notification jobs when `notifications`."""
    async def post_init(application: Application) -> None:
        """Once the bot knows who it is: its @username kept (for invite links and group commands), the menu set."""
        port.username = application.bot.username
        await remember_bot_username(core.db, application.bot.username)
        await set_command_menu(application)
        await runtime.start()

    builder: ApplicationBuilder = ApplicationBuilder().token(token).post_init(post_init)
    if base_url:
        builder = builder.base_url(base_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    if rate_limit:
        # The same even spacing as `teachlog worker`: on one machine this bot also delivers the reminders.
        builder = builder.rate_limiter(even_rate_limiter())
    application = cast(RuntimeApplication, builder.application_class(RuntimeApplication).build())
    port = TelegramPort(application.bot, application, webhook)
    runtime = Runtime(core, port, idle_timeout=conversation_timeout, notifications=notifications)
    application.runtime = runtime
    add_handlers(application, runtime)
    return application


def bot_api_errors(base_url: str | None) -> contextlib.AbstractContextManager[None]:
    """A refused token, an unreachable Bot API, or any other failure of its first call as one line."""
    where = base_url or "https://api.telegram.org/bot"
    return start_errors((InvalidToken, lambda _: "Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather"),
                        (TelegramError, lambda error: f"cannot reach the Telegram Bot API at {where}: {error}"))


class TelegramPlatform(PortPlatform):
    """The `telegram` platform: a :class:`bot.chat.platform_plugin.Platform`."""

    name = TELEGRAM
    capabilities = CAPABILITIES

    @contextlib.asynccontextmanager
    async def connect(self, *, listening: bool) -> AsyncIterator[TelegramPort]:
        """Telegram asked who we are first. Listening: the Application's port, by long polling or, with
        `--webhook-url`, on the webhook. Else a port over a rate-limited bot of its own (`teachlog worker`)."""
        settings = self.core.settings
        token, base_url = settings.require_telegram_token(), settings.telegram_base_url
        if listening:
            webhook = settings.webhook()
            with bot_api_errors(base_url):
                async with Bot(token, base_url=base_url) if base_url else Bot(token):
                    pass
            application = build_application(self.core, token, base_url=base_url, notifications=True, webhook=webhook)
            yield cast(TelegramPort, application.runtime.port)
            return
        telegram_bot = standalone_bot(token, base_url)
        with bot_api_errors(base_url):
            await telegram_bot.initialize()
        try:
            yield TelegramPort(telegram_bot)
        finally:
            await telegram_bot.shutdown()

    def runtime_over(self, port: ChatPort) -> Runtime:
        """The runtime the Application was built with."""
        assert isinstance(port, TelegramPort) and isinstance(port.application, RuntimeApplication)
        return port.application.runtime

    async def invite_link(self, code: str) -> str | None:
        return await t_me_link(self.core.db, code)
