"""What flows reach beyond the chat they answer, on Telegram: a member's direct messages, files sent to the bot."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.chat.events import ChatAddress
from bot.chat.replies import Reply
from bot.platforms import TELEGRAM
from handlers.telegram.bridge import send_reply

log = logging.getLogger(__name__)


class TelegramOutbound:
    """:class:`bot.chat.outbound.Outbound` through the Application's bot."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat: ChatAddress, reply: Reply) -> bool:
        if chat.platform != TELEGRAM:
            return False
        try:
            await send_reply(self.bot, int(chat.chat_id), reply)
        except TelegramError as error:
            log.warning("could not send to chat %s: %s", chat.chat_id, error)
            return False
        return True

    async def fetch_file(self, platform: str, file_id: str) -> bytes:
        if platform not in (TELEGRAM, ""):  # records kept before accounts had platforms came from Telegram
            raise LookupError(f"a {platform} file cannot be fetched from Telegram")
        return bytes(await (await self.bot.get_file(file_id)).download_as_bytearray())
