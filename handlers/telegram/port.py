"""The Telegram port (:class:`bot.chat.port.ChatPort`): messages as Bot API calls, its errors named for the core,
long polling or the webhook (steps the core's :func:`bot.chat.listening.listen_until` runs), files by their id.

`teachlog run` uses the Application's bot (rate limited by :func:`even_rate_limiter`);
`teachlog worker` a bot of its own (:func:`standalone_bot`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import warnings
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, ExtBot, TypeHandler

from bot.chat.events import ChatAddress, Event
from bot.chat.http_intake import http_server, payload_app
from bot.chat.layout import Message
from bot.chat.listening import Connection, listen_until
from bot.chat.look import Look
from bot.chat.platform_plugin import Capabilities
from bot.chat.port import ErrorRow, Receiver, named_by
from bot.chat.replies import Outcome
from bot.notifications.messenger import (
    ChatMoved,
    DeliveryError,
    PermanentFailure,
    RetryLater,
    TransientFailure,
    Unreachable,
)
from bot.platform_names import TELEGRAM
from bot.settings import WebhookConfig
from handlers.telegram.inbound import event_of

log = logging.getLogger(__name__)

#: Telegram's flood limit for a bot: about 30 messages a second overall.
MESSAGES_PER_SECOND = 30
#: How often the rate limiter itself retries a 429 before the core's reply path sees it.
RATE_LIMIT_RETRIES = 2

CAPABILITIES = Capabilities(text_length=4096, caption_length=1024, buttons_per_row=5, albums=True,
                            text_units="utf-16")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: The Bot API, unless TELEGRAM_BASE_URL names another (a local Bot API server, a test's fake).
BOT_API = "https://api.telegram.org/bot"
#: Inline buttons in rows; the text goes apart, as HTML.
INLINE_KEYBOARD: Look[list[InlineKeyboardButton]] = Look(
    button=lambda label, data, _: InlineKeyboardButton(label, callback_data=data), row=lambda row, _: row)


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 deprecates the int form; both forms are handled
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


#: Telegram's errors as the core's, the first row whose type matches: BadRequest is a NetworkError, so it comes
#: before TelegramError (timeouts, connection errors, 5xx); a refused token is not a delivery's to name.
DELIVERY_ERRORS: tuple[ErrorRow[DeliveryError | None], ...] = (
    (RetryAfter, lambda error: RetryLater(retry_after_seconds(error), str(error))),
    (ChatMigrated, lambda error: ChatMoved(str(error.new_chat_id))),
    (Forbidden, lambda error: Unreachable(str(error))),
    (InvalidToken, lambda error: None),
    (BadRequest, lambda error: PermanentFailure(str(error))),
    (TelegramError, lambda error: TransientFailure(f"{type(error).__name__}: {error}")),
)


def markup_of(message: Message) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if message.choices:
        return InlineKeyboardMarkup(INLINE_KEYBOARD.rows(message.choices))
    if message.keyboard:
        return ReplyKeyboardMarkup([[KeyboardButton(label) for label in message.keyboard]],
                                   resize_keyboard=True, is_persistent=True)
    return None


class TelegramPort:
    name = TELEGRAM
    capabilities = CAPABILITIES

    def __init__(self, bot: Bot, application: Application | None = None, webhook: WebhookConfig | None = None, *,
                 username: str | None = None) -> None:
        self.bot, self.application, self.webhook = bot, application, webhook
        #: The bot's @username, once known: a group command addressed to another bot is not ours.
        self.username = username

    def hand_updates_to(self, receiver: Receiver) -> None:
        """The Application's one handler: every update to `receiver` (the runtime, whose engine notes each person's
        @handle and whose core answers the bot's own membership changes)."""
        async def to_receiver(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await receiver.receive(update, f"update {update.update_id}")

        async def log_failures(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
            log.error("a job, the network or a handler failed", exc_info=context.error)

        assert self.application is not None
        self.application.add_handler(TypeHandler(Update, to_receiver))
        self.application.add_error_handler(log_failures)

    async def listen(self, receiver: Receiver, stop: asyncio.Event) -> None:
        """The Application handing updates to `receiver`, taken by long polling or on the webhook. Pending updates
        are never dropped: what teachers sent while the bot was down is still answered."""
        application = self.application
        if application is None or application.updater is None:
            raise RuntimeError("this Telegram port has no Application to take updates with")
        self.hand_updates_to(receiver)
        updater = application.updater
        polling = Connection(lambda: updater.start_polling(allowed_updates=Update.ALL_TYPES,
                                                           drop_pending_updates=False), updater.stop)
        await listen_until(stop, Connection(application.initialize, application.shutdown),
                           Connection(application.start, application.stop),
                           *self.webhook_steps(application) if self.webhook else (polling,))

    def webhook_steps(self, application: Application) -> tuple[Connection, ...]:
        """Telegram posts each update to a public HTTPS URL (a reverse proxy in front of one or more `teachlog run
        --webhook-url` processes): the core's HTTP intake puts it on the Application's queue, then setWebhook.

        Rather than `Application.run_webhook`, whose server answers a wrong or missing secret with 403, the intake
        answers 401 and the request changes nothing. Stopping leaves the webhook set, so the other replicas
        behind the proxy go on receiving updates; pending updates are kept."""
        webhook = self.webhook
        assert webhook is not None
        intake = payload_app(webhook.path, lambda body: Update.de_json(json.loads(body), application.bot),
                             application.update_queue.put, header=SECRET_HEADER, secret=webhook.secret,
                             what="Telegram update")
        register = Connection(
            lambda: application.bot.set_webhook(webhook.url, secret_token=webhook.secret, drop_pending_updates=False,
                                                allowed_updates=Update.ALL_TYPES),
            refusals=((TelegramError, lambda error: f"Telegram refused the webhook {webhook.url}: {error}"),),
            opened=f"taking Telegram updates at {webhook.url} on {webhook.listen}:{webhook.port}")
        return (*http_server(intake, webhook.listen, webhook.port), register)

    async def event_of(self, raw: Any) -> Event | None:
        return event_of(raw, self.username) if isinstance(raw, Update) else None

    async def acknowledge(self, raw: Any, outcome: Outcome) -> None:
        query = raw.callback_query if isinstance(raw, Update) else None
        if query is None:
            return
        await query.answer(outcome.popup)
        if outcome.clear_tapped and query.message is not None:
            await query.edit_message_reply_markup(None)

    async def send(self, chat: ChatAddress, message: Message) -> None:
        chat_id = int(chat.chat_id)  # Telegram's chat ids are integers; teachlog keeps every platform's as text
        parse_mode = ParseMode.HTML if message.html else None
        if len(message.images) == 1:
            [image] = message.images
            await self.bot.send_photo(chat_id, InputFile(image.data, filename=image.name),
                                      caption=message.text or None, parse_mode=parse_mode)
        elif message.images:
            await self.bot.send_media_group(chat_id, [
                InputMediaPhoto(image.data, filename=image.name, caption=(message.text or None) if i == 0 else None,
                                parse_mode=parse_mode if i == 0 else None)
                for i, image in enumerate(message.images)])
        elif message.file is not None:
            await self.bot.send_document(chat_id, InputFile(message.file.data, filename=message.file.name),
                                         caption=message.file.caption or None)
        else:
            await self.bot.send_message(chat_id, message.text, parse_mode=parse_mode, reply_markup=markup_of(message))

    def delivery_error(self, error: Exception) -> DeliveryError | None:
        return named_by(error, DELIVERY_ERRORS)

    async def fetch_file(self, file_id: str) -> bytes:
        return bytes(await (await self.bot.get_file(file_id)).download_as_bytearray())


def even_rate_limiter() -> AIORateLimiter:
    """30 messages a second spaced evenly, one every 1/30 s, and 20 a minute per group.

    AIORateLimiter's default lets a burst of 30 through at once and then refills,
    which a strict one-second window answers with 429s (and a second's pause each);
    spacing the messages out keeps the bot just under the limit instead.
    """
    return AIORateLimiter(overall_max_rate=1, overall_time_period=1 / MESSAGES_PER_SECOND,
                          max_retries=RATE_LIMIT_RETRIES)


def standalone_bot(token: str, base_url: str | None = None) -> ExtBot:
    """A bot for `teachlog worker`, rate limited by :func:`even_rate_limiter`."""
    return ExtBot(token, base_url=base_url or BOT_API, rate_limiter=even_rate_limiter())
