"""/problems: the problem list in a direct message — leaders assign and close, members close theirs.

Tapping **Assign** asks whom to give the problem to (the school's members as
buttons, a page at a time, or a typed part of a name); the member it goes to
gets a direct message with a **Close** button. Tapping **Close** asks for the
result, which is stored with the problem (销号办结). Problems name students, so
none of this ever happens in a group: there the command only points to the
private chat.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import warnings

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot import problems
from bot.actions import Action, AssignProblem, AssignTo, CandidatesPage, CloseProblem, IsKind
from bot.chat.render import day_text
from bot.chat_state import ChatStateStore
from bot.core import Core
from bot.drafts import DraftTextError
from bot.i18n import N_, Translator, translator
from bot.platforms import TELEGRAM
from handlers.telegram.checkpoint import checkpointed_conversation
from handlers.telegram.common import Caller, Context, answer_tap, caller, not_a_member_text, reply, tapped
from handlers.telegram.keyboards import inline, log_button_pattern, mine_button_pattern
from handlers.telegram.required import member, message_text, user_data

log = logging.getLogger(__name__)

CHOOSE_ASSIGNEE, RESULT = range(2)
PAGE_SIZE = 8
PROBLEM_KEY = "problem_id"

PROBLEM_TEXT_ERRORS = {
    "empty": N_("Please type the problem, or tap Done."),
    "too_long": N_("A problem can be at most {limit} characters; yours has {length}. Please shorten it."),
}
RESULT_ERRORS = {
    "empty": N_("Please type what was done about it."),
    "too_long": N_("The result can be at most {limit} characters; yours has {length}. Please shorten it."),
}
NOT_ALLOWED = N_("Only leaders and the member it is assigned to can do that.")
REFUSALS = {
    "unknown": N_("This problem is no longer on the list."),
    "closed": N_("This problem is already closed."),
    "not_allowed": NOT_ALLOWED,
}


def noted_problems_text(texts: list[str], t: Translator) -> str:
    """The problems noted on a draft entry, numbered."""
    return "\n".join([t("Problems raised:"), *(f"{n}. {text}" for n, text in enumerate(texts, 1))])


def problem_text(problem: problems.ProblemView, t: Translator, today: dt.date) -> str:
    """One problem as a leader or its assignee sees it in a direct message (student name included)."""
    lines = [f"❗ {problem.text}"]
    about = t("raised by {name} on {day}", name=problem.raised_by, day=day_text(problem.raised_on, t, today))
    lines.append(f"👤 {problem.student} · {about}" if problem.student else f"👤 {about}")
    lines.append("📌 " + (t("Assigned to {name}", name=problem.assignee) if problem.assignee
                          else t("Not assigned yet")))
    return "\n".join(lines)


class ProblemHandlers:
    def __init__(self, core: Core, idle_timeout: dt.timedelta | float) -> None:
        self.core = core
        self.idle_timeout = idle_timeout

    def handlers(self) -> list:
        private = filters.ChatType.PRIVATE
        keyboard_buttons = filters.Regex(log_button_pattern()) | filters.Regex(mine_button_pattern())
        typed = private & filters.TEXT & ~filters.COMMAND & ~keyboard_buttons
        with warnings.catch_warnings():
            # One problem is handled at a time per chat; buttons of other problems restart the conversation.
            warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
            conversation = checkpointed_conversation(
                ChatStateStore(self.core.db),
                entry_points=[CallbackQueryHandler(self.start_assign, pattern=IsKind(AssignProblem)),
                              CallbackQueryHandler(self.start_close, pattern=IsKind(CloseProblem))],
                states={
                    CHOOSE_ASSIGNEE: [CallbackQueryHandler(self.on_assignee_button, pattern=IsKind(AssignTo)),
                                      CallbackQueryHandler(self.on_page, pattern=IsKind(CandidatesPage)),
                                      MessageHandler(typed, self.on_assignee_text)],
                    RESULT: [MessageHandler(typed, self.on_result_text)],
                },
                fallbacks=[CommandHandler("cancel", self.on_cancel, filters=private)],
                allow_reentry=True,
                name="problems",
                conversation_timeout=self.idle_timeout,
            )
        # In a group, /problems falls through to Basics, which points to the private chat.
        return [conversation, CommandHandler("problems", self.list_problems, filters=private)]

    # --- listing -------------------------------------------------------------------------------

    async def list_problems(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return
        t, profile = who.t, who.profile
        found = await problems.problems_for(self.core.db, profile)
        if not found.total:
            await reply(update, t("No open problems. 🎉") if profile.is_leader
                        else t("No problems are assigned to you."))
            return
        heading = t("Open problems: {n}", n=found.total) if profile.is_leader \
            else t("Problems assigned to you: {n}", n=found.total)
        if found.total > len(found.problems):
            heading += "\n" + t("Showing the oldest {n}; close some to see the rest.", n=len(found.problems))
        await reply(update, heading)
        for problem in found.problems:
            buttons: list[tuple[str, Action]] = []
            if profile.is_leader:
                buttons.append((t("Assign"), AssignProblem(problem.id)))
            buttons.append((t("Close"), CloseProblem(problem.id)))
            await reply(update, problem_text(problem, t, who.today), reply_markup=inline(buttons))

    # --- assigning -----------------------------------------------------------------------------

    async def start_assign(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who = await caller(self.core, update)
        problem_id = tapped(update, AssignProblem).problem_id
        problem = await self.actionable(update, who, problem_id)
        if problem is None:
            return ConversationHandler.END
        if not member(who).is_leader:
            await reply(update, who.t(NOT_ALLOWED))
            return ConversationHandler.END
        user_data(context)[PROBLEM_KEY] = problem_id
        candidates = await problems.assignment_candidates(self.core.db, member(who))
        question = who.t("Who should take care of it? Tap a name, or type part of a name.")
        text = problem_text(problem, who.t, who.today) + "\n\n" + question
        return await self.show_candidates(update, who.t, candidates, 0, text)

    async def show_candidates(self, update: Update, t: Translator, candidates: list[problems.Candidate], page: int,
                              text: str) -> int:
        pages = max((len(candidates) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        page = min(max(page, 0), pages - 1)
        shown = candidates[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        buttons: list[tuple[str, Action]] = [(c.name, AssignTo(c.member_id)) for c in shown]
        if page > 0:
            buttons.append((t("◀ Previous"), CandidatesPage(page - 1)))
        if page < pages - 1:
            buttons.append((t("Next ▶"), CandidatesPage(page + 1)))
        await reply(update, text, reply_markup=inline(buttons) if buttons else None)
        return CHOOSE_ASSIGNEE

    async def on_page(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who = await caller(self.core, update)
        if who.profile is None or PROBLEM_KEY not in user_data(context):
            return await self.lost(update, who)
        candidates = await problems.assignment_candidates(self.core.db, who.profile)
        page = tapped(update, CandidatesPage).page
        return await self.show_candidates(update, who.t, candidates, page,
                                          who.t("Who should take care of it? Tap a name, or type part of a name."))

    async def on_assignee_text(self, update: Update, context: Context) -> int:
        who = await caller(self.core, update)
        if who.profile is None or PROBLEM_KEY not in user_data(context):
            return await self.lost(update, who)
        t = who.t
        found = await problems.assignment_candidates(self.core.db, member(who), message_text(update))
        if len(found) == 1:
            return await self.assign(update, context, who, found[0].member_id)
        if not found:
            everyone = await problems.assignment_candidates(self.core.db, who.profile)
            return await self.show_candidates(update, t, everyone, 0, t(
                "Nobody at your school is called “{name}”. Tap a name, or type it again.",
                name=message_text(update).strip()))
        return await self.show_candidates(update, t, found, 0, t("Which one?"))

    async def on_assignee_button(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who = await caller(self.core, update)
        if who.profile is None or PROBLEM_KEY not in user_data(context):
            return await self.lost(update, who)
        return await self.assign(update, context, who, tapped(update, AssignTo).member_id)

    async def assign(self, update: Update, context: Context, who: Caller, member_id: int) -> int:
        t, problem_id = who.t, user_data(context).pop(PROBLEM_KEY)
        problem = await self.actionable(update, who, problem_id)
        if problem is None:
            return ConversationHandler.END
        try:
            assignee = await problems.assign_problem(self.core.db, member(who), problem_id, member_id,
                                                     self.core.clock.now())
        except problems.ProblemRefused as refused:
            await reply(update, t(REFUSALS[refused.code]))
            return ConversationHandler.END
        if assignee.member_id == member(who).member_id:
            await reply(update, t("Assigned to you. Tap Close on it when it is solved."))
        elif await self.notify_assignee(context, assignee, dataclasses.replace(
                problem, assignee_id=assignee.member_id, assignee=assignee.name), member(who).display_name, who.today):
            await reply(update, t("Assigned to {name}. I told them in a direct message.", name=assignee.name))
        else:
            await reply(update, t("Assigned to {name}, but I could not message them: please tell them yourself.",
                                  name=assignee.name))
        return ConversationHandler.END

    async def notify_assignee(self, context: Context, assignee: problems.Assignee, problem: problems.ProblemView,
                              leader_name: str, today: dt.date) -> bool:
        """A direct message to the member the problem went to; False when it could not be delivered."""
        if assignee.address is None or assignee.address.platform != TELEGRAM:
            return False
        t = translator(assignee.language)
        text = "\n\n".join([
            t("📌 {leader} gave you a problem from the problem list:", leader=leader_name),
            problem_text(problem, t, today),
            t("When it is solved, tap Close and write what was done. /problems lists yours."),
        ])
        try:
            await context.bot.send_message(int(assignee.address.chat_id), text,
                                           reply_markup=inline([(t("Close"), CloseProblem(problem.id))]))
        except TelegramError as error:
            log.warning("could not tell member %s about problem %s: %s", assignee.member_id, problem.id, error)
            return False
        return True

    # --- closing -------------------------------------------------------------------------------

    async def start_close(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who = await caller(self.core, update)
        problem_id = tapped(update, CloseProblem).problem_id
        problem = await self.actionable(update, who, problem_id)
        if problem is None:
            return ConversationHandler.END
        user_data(context)[PROBLEM_KEY] = problem_id
        await reply(update, problem_text(problem, who.t, who.today) + "\n\n" + who.t(
            "What was done about it? Type the result; it is kept with the problem. Or send /cancel."))
        return RESULT

    async def on_result_text(self, update: Update, context: Context) -> int:
        who = await caller(self.core, update)
        if who.profile is None or PROBLEM_KEY not in user_data(context):
            return await self.lost(update, who)
        t, text = who.t, message_text(update)
        try:
            result = problems.clean_problem_text(text, problems.MAX_RESULT_TEXT)
        except DraftTextError as problem:
            await reply(update, t(RESULT_ERRORS[problem.code], limit=problem.limit, length=len(text.strip())))
            return RESULT
        problem_id = user_data(context).pop(PROBLEM_KEY)
        try:
            await problems.close_problem(self.core.db, who.profile, problem_id, result, self.core.clock.now())
        except problems.ProblemRefused as refused:
            await reply(update, t(REFUSALS[refused.code]))
            return ConversationHandler.END
        await reply(update, t("✅ Closed. The result is on the problem list."))
        return ConversationHandler.END

    # --- shared --------------------------------------------------------------------------------

    async def actionable(self, update: Update, who: Caller, problem_id: int) -> problems.ProblemView | None:
        """The problem if the caller may act on it here; otherwise say why and None."""
        if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
            return None
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return None
        try:
            return await problems.actionable_problem(self.core.db, who.profile, problem_id)
        except problems.ProblemRefused as refused:
            await reply(update, who.t(REFUSALS[refused.code]))
            return None

    async def lost(self, update: Update, who: Caller) -> int:
        await reply(update, who.t("This step is no longer open. Send /problems to start again."))
        return ConversationHandler.END

    async def on_cancel(self, update: Update, context: Context) -> int:
        who = await caller(self.core, update)
        user_data(context).pop(PROBLEM_KEY, None)
        await reply(update, who.t("Stopped. Nothing was changed."))
        return ConversationHandler.END
