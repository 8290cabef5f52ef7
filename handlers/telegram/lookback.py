"""/mine, /history and /undo: a member looking back at their own entries."""

from __future__ import annotations

from datetime import date
from html import escape

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import entries
from bot.core import Core
from bot.holiday_horizon import leader_note, years_without_holidays_now
from bot.i18n import N_
from bot.periods import period_bounds
from bot.progress_text import rule_lines, shown
from bot.standing import member_standing
from handlers.telegram.common import Caller, Context, answer_tap, caller, not_a_member_text, reply
from handlers.telegram.keyboards import inline, mine_button_pattern
from handlers.telegram.render import entry_line

MINE_PERIODS = (("week", N_("This week")), ("month", N_("This month")), ("quarter", N_("This quarter")))
HISTORY_LENGTH = 10


class LookBack:
    def __init__(self, core: Core) -> None:
        self.core = core

    def handlers(self) -> list:
        private = filters.ChatType.PRIVATE
        return [
            CommandHandler("mine", self.mine, filters=private),
            MessageHandler(private & filters.Regex(mine_button_pattern()), self.mine),
            CommandHandler("history", self.history, filters=private),
            CommandHandler("undo", self.undo, filters=private),
            CallbackQueryHandler(self.on_undo_choice, pattern=r"^undo:"),
        ]

    async def member(self, update: Update) -> Caller | None:
        who = await caller(self.core, update)
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return None
        return who

    async def mine(self, update: Update, context: Context) -> None:
        who = await self.member(update)
        if who is None:
            return
        today = who.profile.local_now(self.core.clock.now()).date()
        parts = [await self.progress_text(who, today), await self.counts_text(who, today), self.leader_note(who, today)]
        await reply(update, "\n\n".join(part for part in parts if part), parse_mode=ParseMode.HTML)

    async def progress_text(self, who: Caller, today) -> str:
        t, policy = who.t, who.profile.policy
        standing = await member_standing(self.core.db, who.profile, today)
        visible = [progress for progress in standing.rules if shown(progress, policy)]
        if not visible:
            return ""
        heading = t("Your quotas")
        lines = [f"<b>{escape(heading)}</b>"]
        for progress in visible:
            lines += [escape(line) for line in rule_lines(progress, policy, t)]
        return "\n".join(lines)

    def leader_note(self, who: Caller, today: date) -> str:
        """For leaders: that pace counts unknown public holidays as working days, when it does."""
        years = years_without_holidays_now(who.profile.policy, today) if who.profile.role == "leader" else ()
        return escape(leader_note(years, who.t)) if years else ""

    async def counts_text(self, who: Caller, today) -> str:
        t, profile = who.t, who.profile
        lines = []
        for period, title in MINE_PERIODS:
            start, end = period_bounds(period, today, profile.policy)
            counts = await entries.counts_between(self.core.db, profile, start, end)
            lines.append(f"<b>{escape(t(title))}</b>")
            for activity in profile.policy.activities:
                lines.append(f"  {escape(activity.label(t.language))}: {counts.get(activity.code, 0)}")
        return "\n".join(lines)

    async def history(self, update: Update, context: Context) -> None:
        who = await self.member(update)
        if who is None:
            return
        t = who.t
        recent = await entries.history(self.core.db, who.profile, HISTORY_LENGTH)
        if not recent:
            await reply(update, t("You have not logged anything yet. Send /log to log your first activity."))
            return
        lines = [t("Your last {n} entries:", n=len(recent))]
        lines += [f"{i}. {entry_line(e, who.profile.policy, t, who.today)}" for i, e in enumerate(recent, 1)]
        await reply(update, "\n".join(lines))

    async def undo(self, update: Update, context: Context) -> None:
        who = await self.member(update)
        if who is None:
            return
        t = who.t
        entry = await entries.undoable_entry(self.core.db, who.profile, self.core.clock.now())
        if entry is None:
            await reply(update, t("There is nothing to undo: you have logged nothing in the last 24 hours."))
            return
        await reply(update, t("Remove this entry?") + "\n" + entry_line(entry, who.profile.policy, t, who.today),
                    reply_markup=inline([(t("Yes, remove it"), f"undo:{entry.id}"), (t("No, keep it"), "undo:keep")]))

    async def on_undo_choice(self, update: Update, context: Context) -> None:
        query = update.callback_query
        who = await caller(self.core, update)
        t = who.t
        await answer_tap(update)
        await query.edit_message_reply_markup(None)
        choice = query.data.split(":", 1)[1]
        if who.profile is None:
            await reply(update, not_a_member_text(t))
            return
        if choice == "keep":
            await reply(update, t("Kept. Nothing was removed."))
            return
        removed = await entries.undo_entry(self.core.db, who.profile, int(choice), self.core.clock.now())
        if removed:
            await reply(update, t("Removed. It no longer counts towards your totals."))
        else:
            await reply(update, t("That entry can no longer be removed: it is older than 24 hours or already removed."))
