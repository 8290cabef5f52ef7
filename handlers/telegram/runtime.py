"""Wiring teachlog to Telegram: build the Application, set the command menu, run long polling."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot.chat.app import IDLE_TIMEOUT, build_engine
from bot.chat.caller import caller_of
from bot.chat.chat_state import BOT_KIND, ChatStateStore, bot_username
from bot.chat.commands import menu_commands
from bot.chat.platform import Capabilities
from bot.core import Core, PlatformStartError
from bot.i18n import Translator, choose_language, translator
from bot.observability.metrics import apology_sent, set_platform_connected
from bot.platforms import TELEGRAM
from handlers.telegram.bridge import EngineHandler, event_of
from handlers.telegram.chat_members import ChatMemberUpdates
from handlers.telegram.common import Context
from handlers.telegram.incoming import NulFreeApplication
from handlers.telegram.limits import CAPTION_LIMIT, MESSAGE_LIMIT
from handlers.telegram.messenger import TelegramMessenger, even_rate_limiter, standalone_messenger
from handlers.telegram.notify_job import NotificationJob
from handlers.telegram.outbound import TelegramOutbound
from handlers.telegram.webhook import Webhook, serve_webhook

log = logging.getLogger(__name__)


def add_handlers(application: Application, core: Core,
                 conversation_timeout: dt.timedelta | float) -> tuple[EngineHandler, EngineHandler]:
    """The chat engine first for what its flows take, then the rest; the engine answers what nobody took.

    Within a group the first matching handler wins.
    """
    engine = build_engine(core, conversation_timeout, TelegramOutbound(application.bot))
    first = EngineHandler(engine)
    application.add_handler(first)
    application.add_handlers(ChatMemberUpdates(core).handlers())
    fallback = EngineHandler(engine, everything=True)
    application.add_handler(fallback)
    application.add_error_handler(error_handler(core))
    return first, fallback


def error_handler(core: Core) -> Callable[[object, Context], Coroutine[Any, Any, None]]:
    """The last word on an update a handler failed on: log it with its id, apologise to the person."""

    async def on_error(update: object, context: Context) -> None:
        if not isinstance(update, Update):
            log.error("a job or the network failed", exc_info=context.error)
            return
        log.error("update %s could not be handled", update.update_id, exc_info=context.error)
        if update.effective_chat is None:
            return
        t = await apology_language(core, update)
        try:
            if update.callback_query is not None:
                with contextlib.suppress(TelegramError):  # already answered before the failure
                    await update.callback_query.answer()
            await update.effective_chat.send_message(t(
                "Sorry, something went wrong on my side. Please try again in a moment; "
                "if it keeps happening, tell your school's leader."))
            apology_sent(TELEGRAM)
        except TelegramError as error:
            log.warning("could not apologise for update %s: %s", update.update_id, error)

    return on_error


async def apology_language(core: Core, update: Update) -> Translator:
    """The person's language; their Telegram language when even looking them up fails."""
    try:
        event = event_of(update)
        if event is None:
            raise LookupError("nobody to look up")
        return (await caller_of(core, event.person)).t
    except Exception:  # the failure being reported may be the database itself
        user = update.effective_user
        return translator(choose_language(None, user.language_code if user else None, None))


async def remember_bot_username(application: Application, core: Core) -> None:
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


def idle_check_seconds(conversation_timeout: dt.timedelta | float) -> float:
    """How often to look for idle conversations: a fraction of the timeout, at most every 30 s."""
    seconds = conversation_timeout.total_seconds() if isinstance(conversation_timeout, dt.timedelta) \
        else float(conversation_timeout)
    return max(0.05, min(30.0, seconds / 4))


def build_application(core: Core, token: str, *, base_url: str | None = None, request: BaseRequest | None = None,
                      updates_request: BaseRequest | None = None, rate_limit: bool = True,
                      conversation_timeout: dt.timedelta | float = IDLE_TIMEOUT) -> Application:
    async def post_init(application: Application) -> None:
        await remember_bot_username(application, core)
        set_platform_connected(TELEGRAM, True)
        await set_command_menu(application)
        first, fallback = engine_handlers
        first.bot_username = application.bot.username
        await fallback.start(application, idle_check_seconds(conversation_timeout))

    builder: ApplicationBuilder = ApplicationBuilder().token(token).post_init(post_init)
    if base_url:
        builder = builder.base_url(base_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    if rate_limit:
        # The same even spacing as `teachlog worker`: on one machine this bot also delivers the reminders.
        builder = builder.rate_limiter(even_rate_limiter())
    application = builder.application_class(NulFreeApplication).build()
    engine_handlers = add_handlers(application, core, conversation_timeout)
    return application


class TelegramPlatform:
    """The `telegram` platform of `teachlog run`: a :class:`bot.chat.platform.Platform`."""

    name = TELEGRAM
    capabilities = Capabilities(text_length=MESSAGE_LIMIT, caption_length=CAPTION_LIMIT, buttons_per_row=5,
                                albums=True, modals=False)

    def __init__(self, core: Core) -> None:
        self.core = core

    def run(self) -> None:
        settings = self.core.settings
        token = settings.require_telegram_token()
        asyncio.run(self.check_bot_api(token, settings.telegram_base_url))
        application = build_application(self.core, token, base_url=settings.telegram_base_url)
        NotificationJob(self.core).schedule(application)
        if settings.telegram_webhook_url:
            self.serve_webhook(application)
            return
        # Never drop pending updates: what teachers sent while the bot was down is still processed.
        application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False,
                                stop_signals=(signal.SIGINT, signal.SIGTERM))
        set_platform_connected(TELEGRAM, False)

    def serve_webhook(self, application: Application) -> None:
        """`teachlog run --webhook-url`: Telegram posts the updates (see :mod:`handlers.telegram.webhook`)."""
        settings = self.core.settings
        url, secret = settings.require_webhook()
        asyncio.run(serve_webhook(application, Webhook(url, secret, settings.webhook_listen, settings.webhook_port)))

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
        """`https://t.me/<bot>?start=CODE`, once the bot has run and its @username is known."""
        username = await bot_username(self.core.db)
        return f"https://t.me/{username.lstrip('@')}?start={code}" if username else None

    @contextlib.asynccontextmanager
    async def messenger(self) -> AsyncIterator[TelegramMessenger]:
        """A messenger of its own, rate limited, for `teachlog worker` (no polling)."""
        settings = self.core.settings
        async with standalone_messenger(settings.require_telegram_token(), settings.telegram_base_url) as messenger:
            yield messenger
