"""What no other flow answers: /help, /cancel with nothing open, commands in the wrong place, stale buttons."""

from __future__ import annotations

from bot.chat.actions import SaveEntry
from bot.chat.caller import not_a_member_text
from bot.chat.flow import END, Flow
from bot.chat.turn import Turn
from bot.i18n import Translator
from bot.logbook import entries
from bot.logbook.activity_words import activities_phrase

PRIVATE_ONLY_COMMANDS = frozenset({"log", "mine", "history", "undo", "settings", "away", "back", "export",
                                   "problems"})


def help_text(t: Translator, *, leader: bool = False, activities: str | None = None) -> str:
    """What the bot can do; `activities` names the school's own.

    See :func:`bot.logbook.activity_words.activities_phrase`.
    """
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
            turn.say(help_text(t, leader=bool(profile and profile.is_leader), activities=activities))
        elif not private:
            if name in PRIVATE_ONLY_COMMANDS:
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
