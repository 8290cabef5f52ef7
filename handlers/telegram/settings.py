"""/settings: the member's language (and, as the product grows, their reminders)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core import Core
from bot.i18n import translator
from bot.membership import set_language
from handlers.telegram.common import Context, answer_tap, caller, not_a_member_text, reply
from handlers.telegram.keyboards import inline, main_keyboard

LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


class SettingsHandlers:
    def __init__(self, core: Core) -> None:
        self.core = core

    def handlers(self) -> list:
        return [
            CommandHandler("settings", self.show, filters=filters.ChatType.PRIVATE),
            CallbackQueryHandler(self.on_language, pattern=r"^lang:(zh|en)$"),
        ]

    async def show(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return
        t = who.t
        await reply(update, t("Language: {language}. Choose the language I write to you in:",
                              language=LANGUAGE_NAMES[t.language]),
                    reply_markup=inline([(name, f"lang:{code}") for code, name in LANGUAGE_NAMES.items()]))

    async def on_language(self, update: Update, context: Context) -> None:
        await answer_tap(update)
        who = await caller(self.core, update)
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return
        language = update.callback_query.data.split(":", 1)[1]
        await set_language(self.core.db, who.profile.member_id, language)
        t = translator(language)
        await update.callback_query.edit_message_reply_markup(None)
        await reply(update, t("Done: I will write to you in English."), reply_markup=main_keyboard(t))
