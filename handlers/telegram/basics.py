"""/help, /cancel outside a conversation, commands used in the wrong place, and stale or malformed buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.actions import is_malformed
from bot.activity_words import activities_phrase
from bot.core import Core
from bot.i18n import Translator
from handlers.telegram.common import Context, answer_tap, caller, not_a_member_text, reply
from handlers.telegram.log import answer_stale_button

PRIVATE_ONLY_COMMANDS = ("log", "mine", "history", "undo", "settings", "away", "back", "export", "problems")


def help_text(t: Translator, *, leader: bool = False, activities: str | None = None) -> str:
    """What the bot can do; `activities` names the school's own (see :func:`bot.activity_words.activities_phrase`)."""
    log_line = t("log a {activities} (or tap 📝 Log)", activities=activities) if activities else \
        t("log a home visit, call or tutoring session (or tap 📝 Log)")
    lines = [
        t("What I can do:"),
        "/log — " + log_line,
        "/log " + t("home visit Wang Xiaoming yesterday 40min notes — log in one line"),
        "/mine — " + t("where you stand on your quotas, and your counts"),
        "/report — " + t("your report with charts: /report month, /report last week, /report 家访"),
        "/history — " + t("your last 10 entries"),
        "/undo — " + t("remove your last entry (within 24 hours)"),
        "/problems — " + t("problems families raised that are assigned to you"),
        "/away " + t("until 12月3号 — no reminders until then; /back ends it"),
        "/settings — " + t("language, and daily, weekly or no reminders"),
        "/cancel — " + t("stop what you are doing"),
        "",
        t("In a staff group: /report (counts and rankings only, never students' names)."),
    ]
    if leader:
        lines += [
            "",
            t("For leaders:"),
            "/report @" + t("name — any member of your school, in detail"),
            "/problems — " + t("the school's open problems: assign them, close them with a result"),
            "/export " + t("2026-11-01 2026-11-30 — entries and progress as .xlsx and .csv"),
            "/link, /link top 5, /link totals — " + t("in a staff group: weekly leaderboard and /report there"),
            "/unlink — " + t("stop posting to that group"),
        ]
    return "\n".join(lines)


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
            MessageHandler(filters.TEXT & filters.ChatType.PRIVATE, self.text_outside_conversation),
        ]

    def guards(self) -> list[BaseHandler]:
        """Handlers that run before all others (a group of their own) and stop the update when they answer it."""
        return [CallbackQueryHandler(self.malformed_button, pattern=is_malformed)]

    async def malformed_button(self, update: Update, context: Context) -> None:
        """Button data that no button of ours carries (forged, or garbled): a popup, and nothing changes."""
        who = await caller(self.core, update)
        await answer_tap(update, who.t("This button does not work. Use the buttons of my latest message, "
                                       "or send /help."))
        raise ApplicationHandlerStop

    async def help(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        profile = who.profile
        activities = activities_phrase(profile.policy, profile.role, who.t) if profile else None
        await reply(update, help_text(who.t, leader=bool(profile and profile.is_leader), activities=activities))

    async def cancel(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        await reply(update, who.t("There is nothing to cancel."))

    async def private_only(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        await reply(update, who.t("Please use this in a private chat with me: tap my name, then “Send message”."))

    async def unknown_command(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        await reply(update, who.t("I don't know that command. /help lists what I can do."))

    async def text_outside_conversation(self, update: Update, context: Context) -> None:
        """Plain text that no conversation is waiting for: say how to start one (groups stay quiet)."""
        who = await caller(self.core, update)
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return
        await reply(update, who.t("Send /log to log an activity, /mine to see your progress, /help for everything."))

    async def stale_button(self, update: Update, context: Context) -> None:
        await answer_stale_button(self.core, update, context)
