"""A member and their reminders: /away, /back and the "Remind me tomorrow" button."""

from __future__ import annotations

from bot.chat.actions import Snooze
from bot.chat.flow import END, Flow
from bot.chat.refusals import AWAY_ERRORS
from bot.chat.render import day_text
from bot.chat.turn import Turn
from bot.logbook.future_dates import MAX_DAYS_AHEAD, FutureDayError, parse_last_day
from bot.notifications.availability import come_back, go_away, snooze


class Away(Flow):
    """/away until a day: no reminders up to and including it."""

    name = "away"

    async def start(self, turn: Turn) -> None:
        t = turn.t
        if not turn.members_only():
            return END
        command = turn.event.command
        args = command.args if command is not None else ""
        if not args:
            turn.say(t("Going away? Tell me your last day away, e.g. “/away until 2026-12-03”, "
                       "“/away 11月30号” or “/away 3 days”. I send no reminders until then."))
            return END
        try:
            last_day = parse_last_day(" ".join(args.split()), turn.today)
        except FutureDayError as problem:
            turn.say(t(AWAY_ERRORS[problem.code], days=MAX_DAYS_AHEAD))
            return END
        await go_away(turn.core.db, turn.member.member_id, last_day)
        turn.say(t("Got it: no reminders up to and including {day}. Send /back if you return earlier.",
                   day=day_text(last_day, t, turn.today)))
        return END


class Back(Flow):
    name = "back"

    async def start(self, turn: Turn) -> None:
        t = turn.t
        if not turn.members_only():
            return END
        was_away = await come_back(turn.core.db, turn.member.member_id)
        if was_away is None or was_away < turn.today:
            turn.say(t("You were not away. Your reminders are on as usual."))
        else:
            turn.say(t("Welcome back! Your reminders are on again."))
        return END


class RemindTomorrow(Flow):
    """The "Remind me tomorrow" button under a reminder."""

    name = "snooze"
    actions = (Snooze,)

    async def start(self, turn: Turn) -> None:
        t = turn.t
        if not turn.members_only():
            return END
        day = await snooze(turn.core.db, turn.member.member_id, turn.today)
        turn.clear_tapped()
        turn.say(t("OK, I will remind you on {day}.", day=day_text(day, t, turn.today)))
        return END
