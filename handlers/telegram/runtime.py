"""Wiring teachlog to Telegram: the Application hands updates to the core's runtime over the Telegram port; the
command menu; `teachlog run --platform telegram`."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import cast

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder, TypeHandler
from telegram.request import BaseRequest

from bot.app_context import AppContext, PlatformStartError
from bot.chat.commands import menu_commands
from bot.chat.engine_builder import IDLE_TIMEOUT
from bot.chat.key_value_store import BOT_KIND, ChatStateStore
from bot.chat.platform_plugin import RunsUntilStopped
from bot.chat.reply_path import ReplyPath
from bot.chat.runtime import Runtime
from bot.i18n import translator
from bot.platform_names import TELEGRAM
from handlers.telegram.chat_members import ChatMemberUpdates
from handlers.telegram.common import Context
from handlers.telegram.incoming import NulFreeApplication
from handlers.telegram.port import CAPABILITIES, TelegramPort, even_rate_limiter, standalone_port, t_me_link
from handlers.telegram.webhook import Webhook

log = logging.getLogger(__name__)

class RuntimeApplication(NulFreeApplication):
    """The Application whose handlers hand updates to the core's runtime; stopping it stops the runtime's jobs."""

    runtime: Runtime

    async def stop(self) -> None:
        await self.runtime.stop()
        await super().stop()


def add_handlers(application: Application, runtime: Runtime, core: AppContext) -> None:
    """The bot's own membership first (Telegram-only, answered by bot services), then every other update to the
    runtime (whose engine notes each person's @handle)."""
    application.add_handlers(ChatMemberUpdates(core).handlers())

    async def to_runtime(update: Update, context: Context) -> None:
        await runtime.receive(update, f"update {update.update_id}")

    application.add_handler(TypeHandler(Update, to_runtime))
    application.add_error_handler(log_failures)


async def log_failures(update: object, context: Context) -> None:
    """What the runtime did not catch (a job or the network failed; the bot-level handlers above)."""
    log.error("a job, the network or a handler failed", exc_info=context.error)


async def remember_bot_username(application: Application, core: AppContext) -> None:
    """Keep the bot's @username so `teachlog invite create` can print t.me links."""
    await ChatStateStore(core.db).save(BOT_KIND, "username", {"username": application.bot.username})


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
                      notifications: bool = False, webhook: Webhook | None = None) -> RuntimeApplication:
    """The Application wired to a runtime over the Telegram port; its post_init starts the runtime (as
    `run_polling` and the tests call it), with the notification jobs when `notifications`."""
    async def post_init(application: Application) -> None:
        await prepare(application, core, port)
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
    port = TelegramPort(application.bot, core.db, application, webhook)
    runtime = Runtime(core, port, idle_timeout=conversation_timeout, notifications=notifications)
    application.runtime = runtime
    add_handlers(application, runtime, core)
    return application


async def prepare(application: Application, core: AppContext, port: TelegramPort) -> None:
    """Once the bot knows who it is: its @username kept (for invite links and group commands), the menu set."""
    port.username = application.bot.username
    await remember_bot_username(application, core)
    await set_command_menu(application)


class TelegramPlatform(RunsUntilStopped):
    """The `telegram` platform of `teachlog run`: a :class:`bot.chat.platform_plugin.Platform`."""

    name = TELEGRAM
    capabilities = CAPABILITIES

    async def serve(self) -> None:
        """Long polling (or the webhook, with `--webhook-url`) and the notification jobs until SIGINT or SIGTERM."""
        settings = self.core.settings
        token = settings.require_telegram_token()
        webhook = None
        if settings.telegram_webhook_url:
            url, secret = settings.require_webhook()
            webhook = Webhook(url, secret, settings.webhook_listen, settings.webhook_port)
        await self.check_bot_api(token, settings.telegram_base_url)
        application = build_application(self.core, token, base_url=settings.telegram_base_url, notifications=True,
                                        webhook=webhook)
        await application.runtime.run()

    @staticmethod
    async def check_bot_api(token: str, base_url: str | None) -> None:
        """Ask Telegram who we are before polling, so a bad token or an unreachable server is one line."""
        try:
            async with Bot(token, base_url=base_url) if base_url else Bot(token):
                pass
        except InvalidToken:
            raise PlatformStartError("Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather") from None
        except NetworkError as error:
            where = base_url or "https://api.telegram.org/bot"
            raise PlatformStartError(f"cannot reach the Telegram Bot API at {where}: {error}") from None

    async def invite_link(self, code: str) -> str | None:
        return await t_me_link(self.core.db, code)

    @contextlib.asynccontextmanager
    async def messenger(self) -> AsyncIterator[ReplyPath]:
        """The reply path over a port of its own, rate limited, for `teachlog worker` (no polling)."""
        settings = self.core.settings
        async with standalone_port(settings.require_telegram_token(), self.core.db,
                                   settings.telegram_base_url) as port:
            yield ReplyPath(port)
