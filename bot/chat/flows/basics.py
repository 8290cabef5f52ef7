"""What no other flow answers: /help, /cancel with nothing open, commands in the wrong place, stale buttons."""

from __future__ import annotations

from bot.chat.actions import SaveEntry
from bot.chat.caller import not_a_member_text
from bot.chat.commands import PRIVATE_ONLY, help_text
from bot.chat.flow import END, Flow
from bot.chat.turn import Turn
from bot.logbook import entries
from bot.logbook.activity_words import activities_phrase


class Basics(Flow):
    """The fallback: answers every event no other flow wants, and never opens a conversation."""

    name = "basics"

    async def start(self, turn: Turn) -> None:
        event, t = turn.event, turn.t
        if event.tap is not None:
            await self.stale_button(turn)
        elif event.command is not None:
            self.command(turn, event.command.name)
        elif event.private and event.text is not None:
            turn.say(not_a_member_text(t) if turn.profile is None else
                     t("Send /log to log an activity, /mine to see your progress, /help for everything."))
        return END

    def command(self, turn: Turn, name: str) -> None:
        t, profile, private = turn.t, turn.profile, turn.event.private
        if name == "help":
            activities = activities_phrase(profile.policy, profile.role, t) if profile else None
            turn.say(help_text(t, leader=bool(profile and profile.is_leader), activities=activities,
                               records=bool(profile and profile.policy.records)))
        elif not private:
            if name in PRIVATE_ONLY:
                turn.say(t("Please use this in a private chat with me: tap my name, then “Send message”."))
        elif name == "cancel":
            turn.say(t("There is nothing to cancel."))
        else:
            turn.say(t("I don't know that command. /help lists what I can do."))

    async def stale_button(self, turn: Turn) -> None:
        """A tap no flow takes: forged data, a second Save, or an old keyboard."""
        t, tap = turn.t, turn.event.tap
        action = turn.event.action
        if isinstance(action, SaveEntry) and turn.profile is not None:
            if await entries.is_saved(turn.core.db, turn.profile, action.token):
                turn.popup(t("Already saved."))
                return
        if isinstance(action, SaveEntry) or (tap is not None and tap.draft_id is not None):
            turn.popup(t("This button is out of date. Send /log to start again."))
        else:
            turn.popup(t("This button is out of date."))
