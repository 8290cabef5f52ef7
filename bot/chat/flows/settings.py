"""/settings: the member's language and reminders (daily, weekly or off; `/settings 17:30` for the time)."""

from __future__ import annotations

import datetime as dt

from bot.chat.actions import Frequency, SetLanguage, SetReminders
from bot.chat.caller import not_a_member_text
from bot.chat.flow import END, Flow
from bot.chat.keyboard import main_keyboard
from bot.chat.refusals import REMINDER_TIME_ERRORS
from bot.chat.render import day_text
from bot.chat.replies import Choice
from bot.chat.turn import Turn
from bot.i18n import N_, Translator, translator
from bot.notifications.availability import (
    ReminderSettings,
    ReminderTimeError,
    reminder_settings,
    set_frequency,
    set_reminder_time,
)
from bot.people.membership import set_language

LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
FREQUENCY_BUTTONS: dict[Frequency, str] = {"daily": N_("Daily"), "weekly": N_("Weekly"), "off": N_("Off")}
FREQUENCY_TEXTS = {
    "daily": N_("Reminders: every working day at {time}, when you are behind pace."),
    "weekly": N_("Reminders: on the first working day of each week at {time}, when you are behind pace."),
    "off": N_("Reminders: off."),
}


def reminders_text(settings: ReminderSettings, t: Translator, today: dt.date) -> str:
    lines = [t(FREQUENCY_TEXTS[settings.frequency], time=settings.time)]
    if settings.away_until is not None:
        lines.append(t("You are away until {day}: no reminders until then. /back ends it.",
                       day=day_text(settings.away_until, t, today)))
    if settings.frequency != "off":
        lines.append(t("To change the time, send e.g. /settings 17:30."))
    return "\n".join(lines)


def settings_choices(current_frequency: str, t: Translator) -> list[list[Choice]]:
    """The languages on one row, the reminder frequencies (the current one ticked) on the next."""
    languages = [Choice(name, SetLanguage(code)) for code, name in LANGUAGE_NAMES.items()]
    frequencies = [Choice(("✓ " if code == current_frequency else "") + t(label), SetReminders(code))
                   for code, label in FREQUENCY_BUTTONS.items()]
    return [languages, frequencies]


class Settings(Flow):
    name = "settings"
    actions = (SetLanguage, SetReminders)

    async def start(self, turn: Turn) -> None:
        action = turn.event.action
        if turn.profile is None:
            turn.say(not_a_member_text(turn.t))
        elif isinstance(action, SetLanguage):
            await self.on_language(turn, action)
        elif isinstance(action, SetReminders):
            await self.on_frequency(turn, action)
        elif turn.event.command is not None and turn.event.command.args:
            await self.set_time(turn, turn.event.command.args)
        else:
            await self.show(turn)
        return END

    async def show(self, turn: Turn) -> None:
        t = turn.t
        settings = await reminder_settings(turn.core.db, turn.member.member_id)
        text = t("Language: {language}. Choose the language I write to you in:", language=LANGUAGE_NAMES[t.language])
        turn.say(text + "\n\n" + reminders_text(settings, t, turn.today),
                 rows=settings_choices(settings.frequency, t))

    async def set_time(self, turn: Turn, text: str) -> None:
        t, member_id = turn.t, turn.member.member_id
        try:
            await set_reminder_time(turn.core.db, member_id, " ".join(text.split()))
        except ReminderTimeError as problem:
            settings = await reminder_settings(turn.core.db, member_id)
            turn.say(t(REMINDER_TIME_ERRORS[problem.code], start=settings.quiet_start, end=settings.quiet_end))
            return
        turn.say(reminders_text(await reminder_settings(turn.core.db, member_id), t, turn.today))

    async def on_language(self, turn: Turn, action: SetLanguage) -> None:
        await set_language(turn.core.db, turn.member.member_id, action.language)
        t = translator(action.language)
        turn.clear_tapped()
        turn.say(t("Done: I will write to you in English."), keyboard=main_keyboard(t))

    async def on_frequency(self, turn: Turn, action: SetReminders) -> None:
        member_id = turn.member.member_id
        await set_frequency(turn.core.db, member_id, action.frequency)
        turn.clear_tapped()
        turn.say(reminders_text(await reminder_settings(turn.core.db, member_id), turn.t, turn.today))
