"""Telegram's word on the bot's own membership: a user blocked or unblocked it, a group removed it or moved.

Telegram-only updates, answered by bot-level services; nobody is sent anything.
"""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import ChatMemberHandler, ContextTypes, MessageHandler, filters

from bot.app_context import AppContext
from bot.notifications.availability import mark_blocked, mark_unblocked
from bot.people.groups import bot_left_group, group_moved
from bot.platform_names import TELEGRAM

Context = ContextTypes.DEFAULT_TYPE

GONE = (ChatMember.BANNED, ChatMember.LEFT)


class ChatMemberUpdates:
    def __init__(self, core: AppContext) -> None:
        self.core = core

    def handlers(self) -> list:
        return [ChatMemberHandler(self.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
                MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate)]

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

    async def on_migrate(self, update: Update, context: Context) -> None:
        """A group became a supergroup: Telegram says so in the old chat and in the new one."""
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id:
            await group_moved(self.core.db, TELEGRAM, str(message.chat.id), str(message.migrate_to_chat_id))
        elif message.migrate_from_chat_id:
            await group_moved(self.core.db, TELEGRAM, str(message.migrate_from_chat_id), str(message.chat.id))
