"""What the log conversation says when an answer cannot be used, and the fixed sentences it repeats."""

from __future__ import annotations

from bot.i18n import N_

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
#: A voice message's words, quoted before what was read from them.
HEARD = N_("I heard: “{text}”")
VOICE_WITHOUT_WORDS = N_("I could not make out any words in that voice message. Please type it instead, "
                         "e.g. /log home visit Wang Xiaoming yesterday 40min.")
