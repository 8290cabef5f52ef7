"""Telegram's word on the bot's own membership: a user blocked or unblocked it, a group removed it."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import ChatMemberHandler

from bot.availability import mark_blocked, mark_unblocked
from bot.core import Core
from bot.groups import bot_left_group
from bot.platforms import TELEGRAM
from handlers.telegram.common import Context

GONE = (ChatMember.BANNED, ChatMember.LEFT)


class ChatMemberUpdates:
    def __init__(self, core: Core) -> None:
        self.core = core

    def handlers(self) -> list:
        return [ChatMemberHandler(self.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)]

    async def on_my_chat_member(self, update: Update, context: Context) -> None:
        change = update.my_chat_member
        if change is None:  # only my_chat_member updates are routed here
            return
        status = change.new_chat_member.status
        if change.chat.type == "private":
            if status in GONE:
                await mark_blocked(self.core.db, TELEGRAM, str(change.chat.id), self.core.clock.now())
            elif status == ChatMember.MEMBER:
                await mark_unblocked(self.core.db, TELEGRAM, str(change.chat.id))
        elif status in GONE:
            await bot_left_group(self.core.db, TELEGRAM, str(change.chat.id))
