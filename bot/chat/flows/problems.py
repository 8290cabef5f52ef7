"""/problems: the problem list in a direct message — leaders assign and close, members close theirs.

Tapping **Assign** asks whom to give the problem to (the school's members as
choices, a page at a time, or a typed part of a name); the member it goes to
gets a direct message with a **Close** choice. Tapping **Close** asks for the
result, which is stored with the problem (销号办结). Problems name students, so
none of this ever happens in a group: there the fallback points to the private
chat, and taps on problem choices say nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from bot.chat.actions import AssignProblem, AssignTo, CandidatesPage, CloseProblem
from bot.chat.events import ChatAddress
from bot.chat.flow import END, Flow
from bot.chat.flows.problem_messages import (
    IN_THE_MIDDLE,
    WHO_TAKES_IT,
    assigned_text,
    problem_text,
)
from bot.chat.keyboard import is_log_button, is_mine_button
from bot.chat.outbound import Nowhere, Outbound
from bot.chat.refusals import NOT_ALLOWED, PROBLEM_REFUSALS, PROBLEM_RESULT_ERRORS
from bot.chat.replies import Choice, Reply, in_rows
from bot.chat.turn import Turn
from bot.i18n import translator
from bot.logbook import problems
from bot.logbook.drafts import DraftTextError

log = logging.getLogger(__name__)

ASSIGNEE, RESULT = "assignee", "result"
PAGE_SIZE = 8
PROBLEM_KEY = "problem_id"


class Problems(Flow):
    name = "problems"
    actions = (AssignProblem, CloseProblem)
    idle_timeout = dt.timedelta(minutes=15)

    def __init__(self, outbound: Outbound | None = None) -> None:
        #: Tells the member a problem was given to, in their direct messages.
        self.outbound = outbound or Nowhere()

    async def start(self, turn: Turn) -> str | None:
        action = turn.event.action
        if isinstance(action, AssignProblem):
            return await self.start_assign(turn, action.problem_id)
        if isinstance(action, CloseProblem):
            return await self.start_close(turn, action.problem_id)
        await self.list_problems(turn)
        return END

    async def resume(self, turn: Turn, step: str) -> str | None:
        event, t = turn.event, turn.t
        action = event.action
        if isinstance(action, AssignProblem | CloseProblem):
            turn.data.pop(PROBLEM_KEY, None)
            return await self.start(turn)
        if event.command is not None and event.command.name == "cancel":
            turn.say(t("Stopped. Nothing was changed."))
            return END
        if event.command is not None and event.command.name == "problems":
            await self.list_problems(turn)
            return step
        if turn.profile is None or PROBLEM_KEY not in turn.data:
            turn.say(t("This step is no longer open. Send /problems to start again."))
            return END
        text = event.text
        typed = text if text is not None and not is_log_button(text) and not is_mine_button(text) else None
        if step == ASSIGNEE and isinstance(action, AssignTo):
            return await self.assign(turn, action.member_id)
        if step == ASSIGNEE and isinstance(action, CandidatesPage):
            candidates = await problems.assignment_candidates(turn.core.db, turn.member)
            return self.show_candidates(turn, candidates, action.page, t(WHO_TAKES_IT))
        if step == ASSIGNEE and typed is not None:
            return await self.on_assignee_text(turn, typed)
        if step == RESULT and typed is not None:
            return await self.on_result_text(turn, typed)
        if isinstance(action, AssignTo | CandidatesPage):
            turn.popup(t("This button is out of date."))
            return step
        turn.say(t(IN_THE_MIDDLE[step]))
        return step

    # --- listing -------------------------------------------------------------------------------

    async def list_problems(self, turn: Turn) -> None:
        if not turn.members_only():
            return
        t, profile = turn.t, turn.member
        found = await problems.problems_for(turn.core.db, profile)
        if not found.total:
            turn.say(t("No open problems. 🎉") if profile.is_leader else t("No problems are assigned to you."))
            return
        heading = t("Open problems: {n}", n=found.total) if profile.is_leader \
            else t("Problems assigned to you: {n}", n=found.total)
        if found.total > len(found.problems):
            heading += "\n" + t("Showing the oldest {n}; close some to see the rest.", n=len(found.problems))
        turn.say(heading)
        for problem in found.problems:
            choices = [Choice(t("Assign"), AssignProblem(problem.id))] if profile.is_leader else []
            choices.append(Choice(t("Close"), CloseProblem(problem.id)))
            turn.say(problem_text(problem, t, turn.today), choices=choices)

    # --- assigning -----------------------------------------------------------------------------

    async def start_assign(self, turn: Turn, problem_id: int) -> str | None:
        problem = await self.actionable(turn, problem_id)
        if problem is None:
            return END
        if not turn.member.is_leader:
            turn.say(turn.t(NOT_ALLOWED))
            return END
        turn.data[PROBLEM_KEY] = problem_id
        candidates = await problems.assignment_candidates(turn.core.db, turn.member)
        text = problem_text(problem, turn.t, turn.today) + "\n\n" + turn.t(WHO_TAKES_IT)
        return self.show_candidates(turn, candidates, 0, text)

    def show_candidates(self, turn: Turn, candidates: list[problems.Candidate], page: int, text: str) -> str:
        t = turn.t
        pages = max((len(candidates) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        page = min(max(page, 0), pages - 1)
        shown = candidates[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        choices = [Choice(c.name, AssignTo(c.member_id)) for c in shown]
        if page > 0:
            choices.append(Choice(t("◀ Previous"), CandidatesPage(page - 1)))
        if page < pages - 1:
            choices.append(Choice(t("Next ▶"), CandidatesPage(page + 1)))
        turn.say(text, choices=choices)
        return ASSIGNEE

    async def on_assignee_text(self, turn: Turn, text: str) -> str | None:
        t, db = turn.t, turn.core.db
        found = await problems.assignment_candidates(db, turn.member, text)
        if len(found) == 1:
            return await self.assign(turn, found[0].member_id)
        if not found:
            everyone = await problems.assignment_candidates(db, turn.member)
            return self.show_candidates(turn, everyone, 0, t(
                "Nobody at your school is called “{name}”. Tap a name, or type it again.", name=text.strip()))
        return self.show_candidates(turn, found, 0, t("Which one?"))

    async def assign(self, turn: Turn, member_id: int) -> str | None:
        t, leader = turn.t, turn.member
        problem_id = turn.data.pop(PROBLEM_KEY)
        problem = await self.actionable(turn, problem_id)
        if problem is None:
            return END
        try:
            assignee = await problems.assign_problem(turn.core.db, leader, problem_id, member_id, turn.now())
        except problems.ProblemRefused as refused:
            turn.say(t(PROBLEM_REFUSALS[refused.code]))
            return END
        given = dataclasses.replace(problem, assignee_id=assignee.member_id, assignee=assignee.name)
        if assignee.member_id == leader.member_id:
            turn.say(t("Assigned to you. Tap Close on it when it is solved."))
        elif await self.notify_assignee(turn, assignee, given):
            turn.say(t("Assigned to {name}. I told them in a direct message.", name=assignee.name))
        else:
            turn.say(t("Assigned to {name}, but I could not message them: please tell them yourself.",
                       name=assignee.name))
        return END

    async def notify_assignee(self, turn: Turn, assignee: problems.Assignee, problem: problems.ProblemView) -> bool:
        """A direct message to the member the problem went to, in their language; False when it did not arrive."""
        if assignee.address is None:
            return False
        t = translator(assignee.language)
        assignment = Reply(assigned_text(problem, turn.member.display_name, t, turn.today),
                            in_rows([Choice(t("Close"), CloseProblem(problem.id))], 2))
        address = ChatAddress(assignee.address.platform, assignee.address.chat_id)
        delivered = await self.outbound.send(address, assignment)
        if not delivered:
            log.warning("could not tell member %s about problem %s", assignee.member_id, problem.id)
        return delivered

    # --- closing -------------------------------------------------------------------------------

    async def start_close(self, turn: Turn, problem_id: int) -> str | None:
        problem = await self.actionable(turn, problem_id)
        if problem is None:
            return END
        turn.data[PROBLEM_KEY] = problem_id
        turn.say(problem_text(problem, turn.t, turn.today) + "\n\n" + turn.t(
            "What was done about it? Type the result; it is kept with the problem. Or send /cancel."))
        return RESULT

    async def on_result_text(self, turn: Turn, text: str) -> str | None:
        t = turn.t
        try:
            result = problems.clean_problem_text(text, problems.MAX_RESULT_TEXT)
        except DraftTextError as problem:
            turn.say(t(PROBLEM_RESULT_ERRORS[problem.code], limit=problem.limit, length=len(text.strip())))
            return RESULT
        problem_id = turn.data.pop(PROBLEM_KEY)
        try:
            await problems.close_problem(turn.core.db, turn.member, problem_id, result, turn.now())
        except problems.ProblemRefused as refused:
            turn.say(t(PROBLEM_REFUSALS[refused.code]))
            return END
        turn.say(t("✅ Closed. The result is on the problem list."))
        return END

    # --- shared --------------------------------------------------------------------------------

    async def actionable(self, turn: Turn, problem_id: int) -> problems.ProblemView | None:
        """The problem if the caller may act on it here; otherwise say why (nothing in a group) and None."""
        if not turn.event.private:
            return None
        if not turn.members_only():
            return None
        try:
            return await problems.actionable_problem(turn.core.db, turn.member, problem_id)
        except problems.ProblemRefused as refused:
            turn.say(turn.t(PROBLEM_REFUSALS[refused.code]))
            return None
