"""/settings: the member's language and reminders (daily, weekly or off; `/settings 17:30` for the time)."""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.actions import Frequency, IsKind, SetLanguage, SetReminders
from bot.availability import ReminderSettings, ReminderTimeError, reminder_settings, set_frequency, set_reminder_time
from bot.chat.render import day_text
from bot.core import Core
from bot.i18n import N_, Translator, translator
from bot.membership import set_language
from handlers.telegram.common import Context, answer_tap, caller, not_a_member_text, reply, tapped
from handlers.telegram.keyboards import inline, main_keyboard
from handlers.telegram.required import tapped_query

LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
FREQUENCY_BUTTONS: dict[Frequency, str] = {"daily": N_("Daily"), "weekly": N_("Weekly"), "off": N_("Off")}
FREQUENCY_TEXTS = {
    "daily": N_("Reminders: every working day at {time}, when you are behind pace."),
    "weekly": N_("Reminders: on the first working day of each week at {time}, when you are behind pace."),
    "off": N_("Reminders: off."),
}
TIME_ERRORS = {
    "unparseable": N_("I could not read that time. Send it like this: /settings 17:30"),
    "quiet": N_("That is in the quiet hours ({start}–{end}), when I send nothing. Choose another time."),
}


def reminders_text(settings: ReminderSettings, t: Translator, today: dt.date) -> str:
    lines = [t(FREQUENCY_TEXTS[settings.frequency], time=settings.time)]
    if settings.away_until is not None:
        lines.append(t("You are away until {day}: no reminders until then. /back ends it.",
                       day=day_text(settings.away_until, t, today)))
    if settings.frequency != "off":
        lines.append(t("To change the time, send e.g. /settings 17:30."))
    return "\n".join(lines)


def settings_keyboard(current_frequency: str, t: Translator) -> InlineKeyboardMarkup:
    languages = inline([(name, SetLanguage(code)) for code, name in LANGUAGE_NAMES.items()]).inline_keyboard
    frequencies = inline([(("✓ " if code == current_frequency else "") + t(label), SetReminders(code))
                          for code, label in FREQUENCY_BUTTONS.items()], per_row=len(FREQUENCY_BUTTONS)).inline_keyboard
    return InlineKeyboardMarkup([*languages, *frequencies])


class SettingsHandlers:
    def __init__(self, core: Core) -> None:
        self.core = core

    def handlers(self) -> list:
        return [
            CommandHandler("settings", self.show, filters=filters.ChatType.PRIVATE),
            CallbackQueryHandler(self.on_language, pattern=IsKind(SetLanguage)),
            CallbackQueryHandler(self.on_frequency, pattern=IsKind(SetReminders)),
        ]

    async def show(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return
        t = who.t
        if context.args:
            await self.set_time(update, who.profile.member_id, " ".join(context.args), t, who.today)
            return
        settings = await reminder_settings(self.core.db, who.profile.member_id)
        text = t("Language: {language}. Choose the language I write to you in:", language=LANGUAGE_NAMES[t.language])
        await reply(update, text + "\n\n" + reminders_text(settings, t, who.today),
                    reply_markup=settings_keyboard(settings.frequency, t))

    async def set_time(self, update: Update, member_id: int, text: str, t: Translator, today: dt.date) -> None:
        try:
            await set_reminder_time(self.core.db, member_id, text)
        except ReminderTimeError as problem:
            settings = await reminder_settings(self.core.db, member_id)
            await reply(update, t(TIME_ERRORS[problem.code], start=settings.quiet_start, end=settings.quiet_end))
            return
        await reply(update, reminders_text(await reminder_settings(self.core.db, member_id), t, today))

    async def on_language(self, update: Update, context: Context) -> None:
        await answer_tap(update)
        who = await caller(self.core, update)
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return
        language = tapped(update, SetLanguage).language
        await set_language(self.core.db, who.profile.member_id, language)
        t = translator(language)
        await tapped_query(update).edit_message_reply_markup(None)
        await reply(update, t("Done: I will write to you in English."), reply_markup=main_keyboard(t))

    async def on_frequency(self, update: Update, context: Context) -> None:
        await answer_tap(update)
        who = await caller(self.core, update)
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return
        await set_frequency(self.core.db, who.profile.member_id, tapped(update, SetReminders).frequency)
        await tapped_query(update).edit_message_reply_markup(None)
        await reply(update, reminders_text(await reminder_settings(self.core.db, who.profile.member_id), who.t,
                                           who.today))
