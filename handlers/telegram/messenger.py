"""The Telegram messenger: sends planned notifications through a `telegram.Bot` and names its failures.

Used inside `teachlog run` with the Application's bot (which already has an
AIORateLimiter), and standalone by `teachlog worker` through :func:`standalone_bot`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from collections.abc import AsyncIterator

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, ExtBot

from bot.notifications.messenger import Buttons, ChatMoved, PermanentFailure, RetryLater, TransientFailure, Unreachable
from bot.settings import ConfigError

#: Telegram's flood limit for a bot: about 30 messages a second overall.
MESSAGES_PER_SECOND = 30
#: How often the standalone bot's rate limiter itself retries a 429 before the sender reschedules it.
STANDALONE_RATE_LIMIT_RETRIES = 2


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 deprecates the int form; both forms are handled
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def keyboard(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in buttons])


class TelegramMessenger:
    """:class:`bot.notifications.messenger.Messenger` over a python-telegram-bot `Bot`."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, text: str, *, buttons: Buttons | None = None, parse_mode: str | None = None,
                   photo: bytes | None = None, photo_name: str | None = None) -> None:
        markup = keyboard(buttons)
        chat = int(chat_id)  # Telegram's chat ids are integers; teachlog keeps every platform's as text
        try:
            if photo is not None:
                await self.bot.send_photo(chat, InputFile(photo, filename=photo_name or "chart.png"),
                                          caption=text or None, parse_mode=parse_mode, reply_markup=markup)
            else:
                await self.bot.send_message(chat, text, parse_mode=parse_mode, reply_markup=markup)
        except RetryAfter as error:
            raise RetryLater(retry_after_seconds(error), str(error)) from error
        except ChatMigrated as error:
            raise ChatMoved(str(error.new_chat_id)) from error
        except Forbidden as error:
            raise Unreachable(str(error)) from error
        except InvalidToken:
            raise
        except BadRequest as error:  # before NetworkError: BadRequest is one of its subclasses
            raise PermanentFailure(str(error)) from error
        except (NetworkError, TelegramError) as error:  # TimedOut, connection errors, 5xx
            raise TransientFailure(f"{type(error).__name__}: {error}") from error


def even_rate_limiter() -> AIORateLimiter:
    """30 messages a second spaced evenly, one every 1/30 s, and 20 a minute per group.

    AIORateLimiter's default lets a burst of 30 through at once and then refills,
    which a strict one-second window answers with 429s (and a second's pause each);
    spacing the messages out keeps the bot just under the limit instead.
    """
    return AIORateLimiter(overall_max_rate=1, overall_time_period=1 / MESSAGES_PER_SECOND,
                          max_retries=STANDALONE_RATE_LIMIT_RETRIES)


def standalone_bot(token: str, base_url: str | None = None) -> ExtBot:
    """A bot for `teachlog worker`, rate limited by :func:`even_rate_limiter`."""
    if base_url:
        return ExtBot(token, base_url=base_url, rate_limiter=even_rate_limiter())
    return ExtBot(token, rate_limiter=even_rate_limiter())


@contextlib.asynccontextmanager
async def standalone_messenger(token: str, base_url: str | None = None) -> AsyncIterator[TelegramMessenger]:
    """A messenger over a bot of its own; a refused token is a ConfigError, no answer a TransientFailure."""
    telegram_bot = standalone_bot(token, base_url)
    try:
        await telegram_bot.initialize()
    except InvalidToken as error:
        raise ConfigError(f"Telegram refused TELEGRAM_BOT_TOKEN ({error})") from None
    except TelegramError as error:
        raise TransientFailure(f"cannot reach Telegram: {error}") from None
    try:
        yield TelegramMessenger(telegram_bot)
    finally:
        await telegram_bot.shutdown()
