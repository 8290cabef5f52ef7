"""/mine, /history and /undo: a member looking back at their own entries."""

from __future__ import annotations

from html import escape

from bot.chat.actions import UndoEntry
from bot.chat.events import Event
from bot.chat.flow import END, Flow
from bot.chat.keyboard import is_mine_button
from bot.chat.render import entry_line
from bot.chat.replies import Choice
from bot.chat.turn import Turn
from bot.i18n import N_
from bot.logbook import entries
from bot.quotas.holiday_horizon import leader_note, years_without_holidays_now
from bot.quotas.periods import period_bounds
from bot.quotas.progress_text import rule_lines, shown
from bot.quotas.standing import member_standing
from bot.reporting.mine_text import counts_lines

MINE_PERIODS = (("week", N_("This week")), ("month", N_("This month")), ("quarter", N_("This quarter")))
HISTORY_LENGTH = 10


class Mine(Flow):
    name = "mine"

    def wants(self, event: Event) -> bool:
        return super().wants(event) or (event.private and is_mine_button(event.text))

    async def start(self, turn: Turn) -> None:
        if not turn.members_only():
            return END
        parts = [await self.progress_text(turn), await self.counts_text(turn), self.leader_note(turn)]
        turn.say("\n\n".join(part for part in parts if part), html=True)
        return END

    async def progress_text(self, turn: Turn) -> str:
        t, policy = turn.t, turn.member.policy
        standing = await member_standing(turn.core.db, turn.member, turn.today)
        visible = [progress for progress in standing.rules if shown(progress, policy)]
        if not visible:
            return ""
        heading = t("Your quotas")
        lines = [f"<b>{escape(heading)}</b>"]
        for progress in visible:
            lines += [escape(line) for line in rule_lines(progress, policy, t)]
        return "\n".join(lines)

    def leader_note(self, turn: Turn) -> str:
        """For leaders: that pace counts unknown public holidays as working days, when it does."""
        profile = turn.member
        years = years_without_holidays_now(profile.policy, turn.today) if profile.role == "leader" else ()
        return escape(leader_note(years, turn.t)) if years else ""

    async def counts_text(self, turn: Turn) -> str:
        t, profile = turn.t, turn.member
        periods = []
        for period, title in MINE_PERIODS:
            bounds = period_bounds(period, turn.today, profile.policy)
            if bounds is None:  # no such period runs today
                continue
            start, end = bounds
            periods.append((t(title), await entries.counts_between(turn.core.db, profile, start, end)))
        return "\n".join(escape(line) for line in counts_lines(periods, profile.policy, t))


class History(Flow):
    name = "history"

    async def start(self, turn: Turn) -> None:
        if not turn.members_only():
            return END
        t, profile = turn.t, turn.member
        recent = await entries.history(turn.core.db, profile, HISTORY_LENGTH)
        if not recent:
            turn.say(t("You have not logged anything yet. Send /log to log your first activity."))
            return END
        lines = [t("Your last {n} entries:", n=len(recent))]
        lines += [f"{i}. {entry_line(e, profile.policy, t, turn.today)}" for i, e in enumerate(recent, 1)]
        turn.say("\n".join(lines))
        return END


class Undo(Flow):
    """/undo asks which entry, with Yes and No; the tap (any time later) removes it or keeps it."""

    name = "undo"
    actions = (UndoEntry,)

    async def start(self, turn: Turn) -> None:
        if isinstance(turn.event.action, UndoEntry):
            await self.on_choice(turn, turn.event.action)
            return END
        if not turn.members_only():
            return END
        t, profile = turn.t, turn.member
        entry = await entries.undoable_entry(turn.core.db, profile, turn.now())
        if entry is None:
            turn.say(t("There is nothing to undo: you have logged nothing in the last 24 hours."))
            return END
        turn.say(t("Remove this entry?") + "\n" + entry_line(entry, profile.policy, t, turn.today),
                 choices=[Choice(t("Yes, remove it"), UndoEntry(entry.id)), Choice(t("No, keep it"), UndoEntry(None))])
        return END

    async def on_choice(self, turn: Turn, action: UndoEntry) -> None:
        t = turn.t
        turn.clear_tapped()
        if not turn.members_only():
            return
        if action.entry_id is None:
            turn.say(t("Kept. Nothing was removed."))
            return
        removed = await entries.undo_entry(turn.core.db, turn.member, action.entry_id, turn.now())
        if removed:
            turn.say(t("Removed. It no longer counts towards your totals."))
        else:
            turn.say(t("That entry can no longer be removed: it is older than 24 hours or already removed."))
