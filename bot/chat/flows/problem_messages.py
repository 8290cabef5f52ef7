"""What /problems says: a problem as its leader or assignee reads it, and the refusals of the problem list."""

from __future__ import annotations

import datetime as dt

from bot.chat.render import day_text
from bot.i18n import N_, Translator
from bot.logbook.problems import ProblemView

WHO_TAKES_IT = N_("Who should take care of it? Tap a name, or type part of a name.")
#: Said when something other than the answer arrives while a step waits, per step.
IN_THE_MIDDLE = {
    "assignee": N_("You are in the middle of assigning a problem. Tap a name or type part of one, "
                   "or send /cancel to stop."),
    "result": N_("You are in the middle of closing a problem. Type what was done about it, "
                 "or send /cancel to stop."),
}


def problem_text(problem: ProblemView, t: Translator, today: dt.date) -> str:
    """One problem as a leader or its assignee sees it in a direct message (student name included)."""
    lines = [f"❗ {problem.text}"]
    about = t("raised by {name} on {day}", name=problem.raised_by, day=day_text(problem.raised_on, t, today))
    lines.append(f"👤 {problem.student} · {about}" if problem.student else f"👤 {about}")
    lines.append("📌 " + (t("Assigned to {name}", name=problem.assignee) if problem.assignee
                          else t("Not assigned yet")))
    return "\n".join(lines)


def assigned_text(problem: ProblemView, leader_name: str, t: Translator, today: dt.date) -> str:
    """The direct message to the member a problem was given to."""
    return "\n\n".join([
        t("📌 {leader} gave you a problem from the problem list:", leader=leader_name),
        problem_text(problem, t, today),
        t("When it is solved, tap Close and write what was done. /problems lists yours."),
    ])
