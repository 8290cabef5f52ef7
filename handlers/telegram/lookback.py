"""/mine, /history and /undo: a member looking back at their own entries."""

from __future__ import annotations

from datetime import date
from html import escape

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import entries
from bot.actions import IsKind, UndoEntry
from bot.core import Core
from bot.holiday_horizon import leader_note, years_without_holidays_now
from bot.i18n import N_
from bot.mine_text import counts_lines
from bot.periods import period_bounds
from bot.progress_text import rule_lines, shown
from bot.standing import member_standing
from handlers.telegram.common import Caller, Context, answer_tap, caller, not_a_member_text, reply, tapped
from handlers.telegram.keyboards import inline, mine_button_pattern
from handlers.telegram.render import entry_line
from handlers.telegram.required import member, tapped_query

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
            CallbackQueryHandler(self.on_undo_choice, pattern=IsKind(UndoEntry)),
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
        today = who.today
        parts = [await self.progress_text(who, today), await self.counts_text(who, today),
                 self.leader_note(who, today)]
        await reply(update, "\n\n".join(part for part in parts if part), parse_mode=ParseMode.HTML)

    async def progress_text(self, who: Caller, today) -> str:
        t, policy = who.t, member(who).policy
        standing = await member_standing(self.core.db, member(who), today)
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
        profile = member(who)
        years = years_without_holidays_now(profile.policy, today) if profile.role == "leader" else ()
        return escape(leader_note(years, who.t)) if years else ""

    async def counts_text(self, who: Caller, today) -> str:
        t, profile = who.t, member(who)
        periods = []
        for period, title in MINE_PERIODS:
            bounds = period_bounds(period, today, profile.policy)
            if bounds is None:  # no such period runs today
                continue
            start, end = bounds
            periods.append((t(title), await entries.counts_between(self.core.db, profile, start, end)))
        return "\n".join(escape(line) for line in counts_lines(periods, profile.policy, t))

    async def history(self, update: Update, context: Context) -> None:
        who = await self.member(update)
        if who is None:
            return
        t = who.t
        recent = await entries.history(self.core.db, member(who), HISTORY_LENGTH)
        if not recent:
            await reply(update, t("You have not logged anything yet. Send /log to log your first activity."))
            return
        lines = [t("Your last {n} entries:", n=len(recent))]
        lines += [f"{i}. {entry_line(e, member(who).policy, t, who.today)}" for i, e in enumerate(recent, 1)]
        await reply(update, "\n".join(lines))

    async def undo(self, update: Update, context: Context) -> None:
        who = await self.member(update)
        if who is None:
            return
        t = who.t
        entry = await entries.undoable_entry(self.core.db, member(who), self.core.clock.now())
        if entry is None:
            await reply(update, t("There is nothing to undo: you have logged nothing in the last 24 hours."))
            return
        await reply(update, t("Remove this entry?") + "\n" + entry_line(entry, member(who).policy, t, who.today),
                    reply_markup=inline([(t("Yes, remove it"), UndoEntry(entry.id)),
                                         (t("No, keep it"), UndoEntry(None))]))

    async def on_undo_choice(self, update: Update, context: Context) -> None:
        query = tapped_query(update)
        who = await caller(self.core, update)
        t = who.t
        await answer_tap(update)
        await query.edit_message_reply_markup(None)
        entry_id = tapped(update, UndoEntry).entry_id
        if who.profile is None:
            await reply(update, not_a_member_text(t))
            return
        if entry_id is None:
            await reply(update, t("Kept. Nothing was removed."))
            return
        removed = await entries.undo_entry(self.core.db, who.profile, entry_id, self.core.clock.now())
        if removed:
            await reply(update, t("Removed. It no longer counts towards your totals."))
        else:
            await reply(update, t("That entry can no longer be removed: it is older than 24 hours or already removed."))
