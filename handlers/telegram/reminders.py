"""A member and their reminders: /away, /back and the "Remind me tomorrow" button."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.actions import IsKind, Snooze
from bot.availability import come_back, go_away, snooze
from bot.chat.render import day_text
from bot.core import Core
from bot.future_dates import MAX_DAYS_AHEAD, FutureDayError, parse_last_day
from bot.i18n import N_
from handlers.telegram.common import Context, answer_tap, caller, not_a_member_text, reply
from handlers.telegram.required import tapped_query

AWAY_ERRORS = {
    "unparseable": N_("I could not read that day. Try “/away until 2026-12-03”, “/away 11月30号”, "
                      "“/away dec 3” or “/away 3 days”."),
    "past": N_("That day has already passed. Give the last day you will be away."),
    "too_far": N_("That is more than {days} days ahead. Give a nearer day."),
}


class ReminderHandlers:
    def __init__(self, core: Core) -> None:
        self.core = core

    def handlers(self) -> list:
        private = filters.ChatType.PRIVATE
        return [
            CommandHandler("away", self.away, filters=private),
            CommandHandler("back", self.back, filters=private),
            CallbackQueryHandler(self.on_snooze, pattern=IsKind(Snooze)),
        ]

    async def away(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return
        t = who.t
        if not context.args:
            await reply(update, t("Going away? Tell me your last day away, e.g. “/away until 2026-12-03”, "
                                  "“/away 11月30号” or “/away 3 days”. I send no reminders until then."))
            return
        today = who.today
        try:
            last_day = parse_last_day(" ".join(context.args), today)
        except FutureDayError as problem:
            await reply(update, t(AWAY_ERRORS[problem.code], days=MAX_DAYS_AHEAD))
            return
        await go_away(self.core.db, who.profile.member_id, last_day)
        await reply(update, t("Got it: no reminders up to and including {day}. Send /back if you return earlier.",
                              day=day_text(last_day, t, today)))

    async def back(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return
        was_away = await come_back(self.core.db, who.profile.member_id)
        t = who.t
        if was_away is None or was_away < who.today:
            await reply(update, t("You were not away. Your reminders are on as usual."))
        else:
            await reply(update, t("Welcome back! Your reminders are on again."))

    async def on_snooze(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        if who.profile is None:
            await answer_tap(update)
            await reply(update, not_a_member_text(who.t))
            return
        await answer_tap(update)
        day = await snooze(self.core.db, who.profile.member_id, who.today)
        t = who.t
        await tapped_query(update).edit_message_reply_markup(None)
        await reply(update, t("OK, I will remind you on {day}.", day=day_text(day, t, who.today)))
