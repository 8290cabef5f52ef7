"""/help, /cancel outside a conversation, commands used in the wrong place, and stale buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.core import Core
from handlers.telegram.common import Context, caller, reply
from handlers.telegram.log import answer_stale_button

PRIVATE_ONLY_COMMANDS = ("log", "mine", "history", "undo", "settings")


def help_text(t) -> str:
    return "\n".join([
        t("What I can do:"),
        "/log — " + t("log a home visit, call or tutoring session (or tap 📝 Log)"),
        "/log " + t("home visit Wang Xiaoming yesterday 40min notes — log in one line"),
        "/mine — " + t("your counts this week, month and quarter"),
        "/history — " + t("your last 10 entries"),
        "/undo — " + t("remove your last entry (within 24 hours)"),
        "/settings — " + t("language"),
        "/cancel — " + t("stop what you are doing"),
    ])


class Basics:
    def __init__(self, core: Core) -> None:
        self.core = core

    def handlers(self) -> list:
        group = filters.ChatType.GROUPS
        return [
            CommandHandler("help", self.help),
            CommandHandler("cancel", self.cancel, filters=filters.ChatType.PRIVATE),
            CommandHandler(list(PRIVATE_ONLY_COMMANDS), self.private_only, filters=group),
            CallbackQueryHandler(self.stale_button),
            MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, self.unknown_command),
        ]

    async def help(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        await reply(update, help_text(who.t))

    async def cancel(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        await reply(update, who.t("There is nothing to cancel."))

    async def private_only(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        await reply(update, who.t("Please use this in a private chat with me: tap my name, then “Send message”."))

    async def unknown_command(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        await reply(update, who.t("I don't know that command. /help lists what I can do."))

    async def stale_button(self, update: Update, context: Context) -> None:
        await answer_stale_button(self.core, update, context)
