"""What the log conversation says when an answer cannot be used, and the fixed sentences it repeats."""

from __future__ import annotations

from bot.i18n import N_

WHEN_ERRORS = {
    "unparseable": N_("I could not read that date. Try “yesterday 4pm”, “fri”, “昨天下午3点” or “11月20号”."),
    "future": N_("That is in the future. Log activities that have already happened."),
    "too_old": N_("That is more than {days} days ago. Ask a leader to record older activities."),
    "weekday_mismatch": N_("That date is not on the weekday you wrote. Check both, or send the date alone, "
                           "e.g. “11月20号”."),
}
DURATION_ERRORS = {
    "unparseable": N_("I could not read that duration. Try “45”, “1h”, “1h30” or “半小时”."),
    "too_long": N_("That is more than 12 hours. Type the duration in minutes or hours, e.g. “90” or “1.5h”."),
    "not_positive": N_("The duration must be more than zero minutes."),
}
NAME_ERRORS = {
    "empty": N_("Please type the student's or family's name."),
    "too_long": N_("That name is too long (at most {limit} characters)."),
}
PLACE_ERRORS = {"empty": N_("Please type the place's name."), "too_long": NAME_ERRORS["too_long"]}
NOTES_ERRORS = {
    "empty": N_("Please type your notes, or tap Skip."),
    "too_long": N_("Notes can be at most {limit} characters; yours has {length}. Please shorten them."),
}
#: The running count shown after Save, by the period it counts in (see :func:`bot.logbook.log_rules.tally_for`).
TALLY_TEXTS = {
    "week": N_("{activity} this week: {n}."),
    "month": N_("{activity} this month: {n}."),
    "quarter": N_("{activity} this quarter: {n}."),
}

MIDDLE_OF_LOGGING = N_("You are in the middle of logging an entry. Answer the question above, or send /cancel to stop.")
ANSWER_WITH_TEXT = N_("Please answer with text or tap a button, or send /cancel to stop.")
STALE_BUTTON = N_("This button is out of date. Please answer the question below.")
CANCELLED = N_("Cancelled. Nothing was saved.")
IDLE_CLOSED = N_("This entry was idle for 15 minutes, so I closed it. Nothing was saved. Send /log to start again.")
NO_LONGER_OPEN = N_("This entry is no longer open. Send /log to start again.")
USE_THE_BUTTONS = N_("Please use the buttons above: Save, Edit or Cancel. Or send /cancel.")
