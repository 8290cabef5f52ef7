"""The /log conversation: activity → student → when → duration → notes → problems → Save / Edit / Cancel.

The draft lives in `user_data` and the conversation state in the bot's
persistence, so both survive a graceful restart. Every step re-asks with the
reason when the answer cannot be used; `/cancel` ends it at any step.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import entries
from bot.core import Core
from bot.dates import DurationError, WhenError, parse_duration, parse_when
from bot.drafts import DraftTextError, EntryDraft, clean_notes, clean_student_name
from bot.i18n import N_, Translator
from bot.membership import Profile
from bot.oneliner import parse_one_liner
from bot.periods import period_bounds
from bot.problems import MAX_PROBLEMS_PER_ENTRY, clean_problem_text, problems_to_record
from handlers.telegram.common import Caller, Context, answer_tap, caller, not_a_member_text, reply
from handlers.telegram.keyboards import (
    DURATION_CHOICES,
    inline,
    log_button_pattern,
    main_keyboard,
    mine_button_pattern,
)
from handlers.telegram.problems import PROBLEM_TEXT_ERRORS, noted_problems_text
from handlers.telegram.render import activity_label, draft_summary, duration_text, when_text

log = logging.getLogger(__name__)

ACTIVITY, STUDENT, WHEN, DURATION, NOTES, CONFIRM, EDIT, COVISITOR, PROBLEMS = range(9)
STATE_OF_STEP = {"activity": ACTIVITY, "student": STUDENT, "covisitor": COVISITOR, "when": WHEN,
                 "duration": DURATION, "notes": NOTES, "problems": PROBLEMS}
IDLE_TIMEOUT = dt.timedelta(minutes=15)
TALLIES = (("week", N_("{activity} this week: {n}.")), ("month", N_("{activity} this month: {n}.")),
           ("quarter", N_("{activity} this quarter: {n}.")))
MAX_DAYS_BACK = 60
DRAFT_KEY, EDITING_KEY = "draft", "editing"

WHEN_ERRORS = {
    "unparseable": N_("I could not read that date. Try “yesterday 4pm”, “fri”, “昨天下午3点” or “11月20号”."),
    "future": N_("That is in the future. Log activities that have already happened."),
    "too_old": N_("That is more than {days} days ago. Ask a leader to record older activities."),
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
NOTES_ERRORS = {
    "empty": N_("Please type your notes, or tap Skip."),
    "too_long": N_("Notes can be at most {limit} characters; yours has {length}. Please shorten them."),
}


def _load_draft(context: Context) -> EntryDraft | None:
    data = context.user_data.get(DRAFT_KEY)
    return EntryDraft.from_json(data) if data else None


def _store_draft(context: Context, draft: EntryDraft) -> None:
    context.user_data[DRAFT_KEY] = draft.to_json()


def _forget_draft(context: Context) -> None:
    context.user_data.pop(DRAFT_KEY, None)
    context.user_data.pop(EDITING_KEY, None)


class LogConversation:
    """Builds the ConversationHandler and holds its callbacks."""

    def __init__(self, core: Core, idle_timeout: dt.timedelta | float = IDLE_TIMEOUT) -> None:
        self.core = core
        self.idle_timeout = idle_timeout

    # --- building ------------------------------------------------------------------------------

    def handler(self) -> ConversationHandler:
        private = filters.ChatType.PRIVATE
        keyboard_buttons = filters.Regex(log_button_pattern()) | filters.Regex(mine_button_pattern())
        typed = filters.TEXT & ~filters.COMMAND & ~keyboard_buttons
        with warnings.catch_warnings():
            # Callback buttons are tracked per chat, not per message, on purpose: the
            # conversation has one open entry at a time and stale buttons are handled below.
            warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
            return ConversationHandler(
                entry_points=[
                    CommandHandler("log", self.start, filters=private),
                    MessageHandler(private & filters.Regex(log_button_pattern()), self.start),
                    CallbackQueryHandler(self.start_with_activity, pattern=r"^lognow:"),
                ],
                states={
                    ACTIVITY: [CallbackQueryHandler(self.on_activity_button, pattern=r"^act:"),
                               MessageHandler(typed, self.on_activity_text)],
                    STUDENT: [CallbackQueryHandler(self.on_student_button, pattern=r"^stu:"),
                              MessageHandler(typed, self.on_student_text)],
                    COVISITOR: [CallbackQueryHandler(self.on_covisitor_button, pattern=r"^cov:"),
                                MessageHandler(typed, self.on_covisitor_text)],
                    WHEN: [CallbackQueryHandler(self.on_when_button, pattern=r"^when:"),
                           MessageHandler(typed, self.on_when_text)],
                    DURATION: [CallbackQueryHandler(self.on_duration_button, pattern=r"^dur:"),
                               MessageHandler(typed, self.on_duration_text)],
                    NOTES: [CallbackQueryHandler(self.on_skip_notes, pattern=r"^notes:skip$"),
                            MessageHandler(typed, self.on_notes_text)],
                    PROBLEMS: [CallbackQueryHandler(self.on_problems_button, pattern=r"^problems:"),
                               MessageHandler(typed, self.on_problem_text)],
                    CONFIRM: [CallbackQueryHandler(self.on_save, pattern=r"^save:"),
                              CallbackQueryHandler(self.on_edit, pattern=r"^edit$"),
                              CallbackQueryHandler(self.on_cancel, pattern=r"^cancel$"),
                              MessageHandler(typed, self.on_text_at_buttons)],
                    EDIT: [CallbackQueryHandler(self.on_edit_field, pattern=r"^editf:"),
                           MessageHandler(typed, self.on_text_at_buttons)],
                    ConversationHandler.TIMEOUT: [TypeHandler(Update, self.on_timeout)],
                },
                fallbacks=[
                    CommandHandler("cancel", self.on_cancel),
                    MessageHandler(filters.COMMAND | keyboard_buttons, self.on_other_command),
                    CallbackQueryHandler(self.on_stale_button),
                    MessageHandler(filters.ALL, self.on_unexpected_message),
                ],
                name="log",
                persistent=True,
                conversation_timeout=self.idle_timeout,
            )

    # --- asking --------------------------------------------------------------------------------

    async def ask(self, update: Update, context: Context, who: Caller, step: str, draft: EntryDraft) -> int:
        t, profile = who.t, who.profile
        if step == "activity":
            buttons = [(a.label(t.language), f"act:{a.code}") for a in profile.policy.activities]
            await reply(update, t("What did you do?"), reply_markup=inline(buttons))
        elif step == "student":
            names = await entries.student_choices(self.core.db, profile)
            context.user_data["recent_names"] = names
            markup = inline([(name, f"stu:{i}") for i, name in enumerate(names)], per_row=3) if names else None
            question = t("Which student or family? Type the name, or tap a recent one.") if names else \
                t("Which student or family? Type the name.")
            await reply(update, question, reply_markup=markup)
        elif step == "covisitor":
            colleagues = await entries.recent_colleagues(self.core.db, profile)
            await self.ask_covisitor(update, t, colleagues, t("Did a colleague come along? Tap their name or type "
                                                               "it; tap “No, alone” if not."))
        elif step == "when":
            await reply(update, t("When was it? Tap a day, or type it, e.g. “yesterday 4pm”, “fri”, “昨天下午3点”."),
                        reply_markup=inline([(t("Today"), "when:today"), (t("Yesterday"), "when:yesterday")]))
        elif step == "duration":
            buttons = [(duration_text(m, t), f"dur:{m}") for m in DURATION_CHOICES]
            await reply(update, t("How long did it take? Tap or type, e.g. “45”, “1h”, “半小时”."),
                        reply_markup=inline(buttons, per_row=5))
        elif step == "notes":
            await reply(update, t("Any notes? Type them, or tap Skip."),
                        reply_markup=inline([(t("Skip"), "notes:skip")]))
        elif step == "problems":
            await self.ask_problems(update, t, draft, t("Did the family raise any problems? Type one per message, "
                                                        "then tap Done; tap None if there were none."))
        return STATE_OF_STEP[step]

    async def ask_problems(self, update: Update, t: Translator, draft: EntryDraft, question: str) -> int:
        if not draft.problems:
            await reply(update, question, reply_markup=inline([(t("None"), "problems:none")]))
        else:
            await reply(update, question + "\n\n" + noted_problems_text(draft.problems, t), reply_markup=inline(
                [(t("Done"), "problems:done"), (t("Clear the list"), "problems:clear")]))
        return PROBLEMS

    async def ask_covisitor(self, update: Update, t: Translator, colleagues: list[entries.Colleague],
                            question: str) -> int:
        buttons = [(c.name, f"cov:{c.member_id}") for c in colleagues] + [(t("No, alone"), "cov:none")]
        await reply(update, question, reply_markup=inline(buttons, per_row=3))
        return COVISITOR

    async def show_summary(self, update: Update, context: Context, who: Caller, draft: EntryDraft) -> int:
        t = who.t
        context.user_data.pop(EDITING_KEY, None)
        summary = draft_summary(draft, who.profile.policy, t, who.today)
        if problems := problems_to_record(draft, who.profile.policy):
            summary += "\n" + noted_problems_text(problems, t)
        await reply(update, summary, reply_markup=inline(
            [(t("✅ Save"), f"save:{draft.token}"), (t("✏️ Edit"), "edit"), (t("✖️ Cancel"), "cancel")], per_row=3))
        return CONFIRM

    async def advance(self, update: Update, context: Context, who: Caller, draft: EntryDraft) -> int:
        """Store the draft and ask for what is still missing, or show the summary."""
        _store_draft(context, draft)
        if context.user_data.get(EDITING_KEY):
            return await self.show_summary(update, context, who, draft)
        fields = who.profile.policy.find_activity(draft.activity).fields
        step = draft.next_missing(fields)
        if step is None:
            return await self.show_summary(update, context, who, draft)
        return await self.ask(update, context, who, step, draft)

    async def current(self, update: Update, context: Context) -> tuple[Caller, EntryDraft | None]:
        who = await caller(self.core, update)
        return who, _load_draft(context)

    async def lost_draft(self, update: Update, context: Context, who: Caller) -> int:
        """The conversation state points at a draft we no longer have (e.g. the member left)."""
        _forget_draft(context)
        text = not_a_member_text(who.t) if who.profile is None else who.t("This entry is no longer open. Send /log to start again.")
        await reply(update, text)
        return ConversationHandler.END

    def local_now(self, profile: Profile) -> dt.datetime:
        return profile.local_now(self.core.clock.now())

    # --- entry points --------------------------------------------------------------------------

    async def start(self, update: Update, context: Context) -> int:
        who = await caller(self.core, update)
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return ConversationHandler.END
        draft = EntryDraft()
        _forget_draft(context)
        if context.args:
            return await self.start_from_one_liner(update, context, who, draft, " ".join(context.args))
        _store_draft(context, draft)
        return await self.ask(update, context, who, "activity", draft)

    async def start_from_one_liner(self, update: Update, context: Context, who: Caller, draft: EntryDraft,
                                   text: str) -> int:
        t, policy = who.t, who.profile.policy
        parsed = parse_one_liner(text, policy.aliases_map(), self.local_now(who.profile))
        if parsed.activity and policy.find_activity(parsed.activity):
            draft.activity = parsed.activity
        if parsed.student:
            try:
                draft.student = clean_student_name(parsed.student)
            except DraftTextError as problem:
                await reply(update, t(NAME_ERRORS[problem.code], limit=problem.limit))
        if parsed.when:
            draft.day, draft.time = parsed.when.day, parsed.when.time
        draft.duration_minutes = parsed.duration_minutes
        if parsed.notes:
            try:
                draft.notes = clean_notes(parsed.notes)
                draft.notes_asked = True
            except DraftTextError as problem:
                await reply(update, t(NOTES_ERRORS[problem.code], limit=problem.limit, length=len(parsed.notes)))
        for field, code in parsed.errors.items():
            if field == "when":
                await reply(update, t(WHEN_ERRORS[code], days=MAX_DAYS_BACK))
            elif field == "duration_minutes":
                await reply(update, t(DURATION_ERRORS[code]))
        if draft.activity is None:
            _store_draft(context, draft)
            return await self.ask(update, context, who, "activity", draft)
        if draft.student or draft.day or draft.duration_minutes is not None:
            # The one-liner said what it had to say; an omitted note or colleague is not asked for
            # (both can still be added with Edit).
            draft.notes_asked = draft.covisitor_asked = draft.problems_asked = True
        return await self.advance(update, context, who, draft)

    async def start_with_activity(self, update: Update, context: Context) -> int:
        """The "Log now" button of a reminder: the activity is already chosen."""
        await answer_tap(update)
        who = await caller(self.core, update)
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return ConversationHandler.END
        code = update.callback_query.data.split(":", 1)[1]
        draft = EntryDraft()
        _forget_draft(context)
        if who.profile.policy.find_activity(code) is None:
            _store_draft(context, draft)
            return await self.ask(update, context, who, "activity", draft)
        draft.activity = code
        return await self.advance(update, context, who, draft)

    # --- steps ---------------------------------------------------------------------------------

    async def on_activity_button(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        code = update.callback_query.data.split(":", 1)[1]
        if who.profile.policy.find_activity(code) is None:
            return await self.ask(update, context, who, "activity", draft)
        draft.activity = code
        return await self.advance(update, context, who, draft)

    async def on_activity_text(self, update: Update, context: Context) -> int:
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        code = who.profile.policy.aliases_map().get(update.message.text.strip().lower())
        if code is None:
            await reply(update, who.t("Please tap one of the activities below."))
            return await self.ask(update, context, who, "activity", draft)
        draft.activity = code
        return await self.advance(update, context, who, draft)

    async def on_student_button(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        names = context.user_data.get("recent_names") or []
        index = int(update.callback_query.data.split(":", 1)[1])
        if index >= len(names):
            return await self.ask(update, context, who, "student", draft)
        draft.student = names[index]
        return await self.advance(update, context, who, draft)

    async def on_student_text(self, update: Update, context: Context) -> int:
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        try:
            draft.student = clean_student_name(update.message.text)
        except DraftTextError as problem:
            await reply(update, who.t(NAME_ERRORS[problem.code], limit=problem.limit))
            return STUDENT
        return await self.advance(update, context, who, draft)

    async def on_covisitor_button(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        choice = update.callback_query.data.split(":", 1)[1]
        found = None if choice == "none" else await entries.colleague(self.core.db, who.profile, int(choice))
        draft.covisitor_member_id = found.member_id if found else None
        draft.covisitor_name = found.name if found else None
        draft.covisitor_asked = True
        return await self.advance(update, context, who, draft)

    async def on_covisitor_text(self, update: Update, context: Context) -> int:
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        t = who.t
        found = await entries.find_colleagues(self.core.db, who.profile, update.message.text)
        if len(found) == 1:
            draft.covisitor_member_id, draft.covisitor_name = found[0].member_id, found[0].name
            draft.covisitor_asked = True
            return await self.advance(update, context, who, draft)
        if not found:
            return await self.ask_covisitor(update, t, [], t("No colleague at your school is called “{name}”. "
                                                             "Type the name again, or tap “No, alone”.",
                                                             name=update.message.text.strip()))
        return await self.ask_covisitor(update, t, found, t("Which one?"))

    async def on_when_button(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        today = self.local_now(who.profile).date()
        draft.day = today if update.callback_query.data == "when:today" else today - dt.timedelta(days=1)
        draft.time = None
        return await self.advance(update, context, who, draft)

    async def on_when_text(self, update: Update, context: Context) -> int:
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        try:
            when = parse_when(update.message.text, self.local_now(who.profile), max_days_back=MAX_DAYS_BACK)
        except WhenError as problem:
            await reply(update, who.t(WHEN_ERRORS[problem.code], days=MAX_DAYS_BACK))
            return WHEN
        draft.day, draft.time = when.day, when.time
        return await self.advance(update, context, who, draft)

    async def on_duration_button(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        draft.duration_minutes = int(update.callback_query.data.split(":", 1)[1])
        return await self.advance(update, context, who, draft)

    async def on_duration_text(self, update: Update, context: Context) -> int:
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        try:
            draft.duration_minutes = parse_duration(update.message.text)
        except DurationError as problem:
            await reply(update, who.t(DURATION_ERRORS[problem.code]))
            return DURATION
        return await self.advance(update, context, who, draft)

    async def on_skip_notes(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        draft.notes_asked = True
        return await self.advance(update, context, who, draft)

    async def on_notes_text(self, update: Update, context: Context) -> int:
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        text = update.message.text
        try:
            draft.notes = clean_notes(text)
        except DraftTextError as problem:
            await reply(update, who.t(NOTES_ERRORS[problem.code], limit=problem.limit, length=len(text.strip())))
            return NOTES
        draft.notes_asked = True
        return await self.advance(update, context, who, draft)

    async def on_problems_button(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        if update.callback_query.data == "problems:clear":
            draft.problems = []
            _store_draft(context, draft)
            return await self.ask(update, context, who, "problems", draft)
        if update.callback_query.data == "problems:none":
            draft.problems = []
        draft.problems_asked = True
        return await self.advance(update, context, who, draft)

    async def on_problem_text(self, update: Update, context: Context) -> int:
        """One problem per message; the step stays open until Done."""
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        t, text = who.t, update.message.text
        if len(draft.problems) >= MAX_PROBLEMS_PER_ENTRY:
            return await self.ask_problems(update, t, draft, t("That is {n} problems, the most one entry can hold. "
                                                               "Tap Done.", n=MAX_PROBLEMS_PER_ENTRY))
        try:
            draft.problems.append(clean_problem_text(text))
        except DraftTextError as problem:
            await reply(update, t(PROBLEM_TEXT_ERRORS[problem.code], limit=problem.limit, length=len(text.strip())))
            return PROBLEMS
        _store_draft(context, draft)
        return await self.ask_problems(update, t, draft, t("Noted. Type another problem, or tap Done."))

    # --- summary -------------------------------------------------------------------------------

    async def on_save(self, update: Update, context: Context) -> int:
        query = update.callback_query
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None or query.data != f"save:{draft.token}":
            return await self.on_stale_button(update, context)
        t = who.t
        now = self.core.clock.now()
        try:
            saved = await entries.save_entry(self.core.db, who.profile, draft, source="telegram", now=now)
        except entries.EntryRefused as missing:
            await answer_tap(update)
            return await self.ask(update, context, who, missing.code, draft)
        except Exception:
            log.exception("saving an entry failed")
            await answer_tap(update, t("Not saved yet, please tap Save again."))
            await reply(update, t("Sorry, I could not save this entry just now. Nothing is lost: tap Save again."))
            return CONFIRM
        await answer_tap(update, t("Saved"))
        await query.edit_message_reply_markup(None)
        _forget_draft(context)
        await reply(update, await self.saved_text(who, draft, saved.created), reply_markup=main_keyboard(t))
        return ConversationHandler.END

    async def saved_text(self, who: Caller, draft: EntryDraft, created: bool) -> str:
        t, profile = who.t, who.profile
        label = activity_label(profile.policy, draft.activity, t)
        if not created:
            return t("This entry was already saved.")
        today = self.local_now(profile).date()
        text = t("✅ Saved: {activity} on {when}.", activity=label, when=when_text(draft.day, draft.time, t, today))
        for period, tally in TALLIES:
            start, end = period_bounds(period, today, profile.policy)
            if start <= draft.day <= end:
                # The tally the saved entry counts in, so a backfilled visit never reads as "0".
                count = (await entries.counts_between(self.core.db, profile, start, end)).get(draft.activity, 0)
                text += "\n" + t(tally, activity=label, n=count)
                break
        if problems := problems_to_record(draft, profile.policy):
            text += "\n" + t.n("{n} problem is on the school's problem list.",
                               "{n} problems are on the school's problem list.", len(problems))
        return text

    async def on_edit(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        t = who.t
        fields = who.profile.policy.find_activity(draft.activity).fields
        buttons = [(t("Activity"), "editf:activity")]
        if "student" in fields:
            buttons.append((t("Student or family"), "editf:student"))
        if "covisitor" in fields:
            buttons.append((t("Colleague"), "editf:covisitor"))
        buttons.append((t("When"), "editf:when"))
        if "duration" in fields:
            buttons.append((t("Duration"), "editf:duration"))
        if "notes" in fields:
            buttons.append((t("Notes"), "editf:notes"))
        if "problems" in fields:
            buttons.append((t("Problems raised"), "editf:problems"))
        buttons.append((t("Back to summary"), "editf:done"))
        await reply(update, t("What do you want to change?"), reply_markup=inline(buttons))
        return EDIT

    async def on_edit_field(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        step = update.callback_query.data.split(":", 1)[1]
        if step not in STATE_OF_STEP:
            return await self.show_summary(update, context, who, draft)
        if step == "activity":
            # A new activity may ask for other fields: walk through what is missing, then summarise.
            context.user_data.pop(EDITING_KEY, None)
        else:
            context.user_data[EDITING_KEY] = True
        return await self.ask(update, context, who, step, draft)

    async def on_text_at_buttons(self, update: Update, context: Context) -> int:
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        await reply(update, who.t("Please use the buttons above: Save, Edit or Cancel. Or send /cancel."))
        return await self.show_summary(update, context, who, draft)

    # --- leaving -------------------------------------------------------------------------------

    async def on_cancel(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        if update.callback_query is not None:
            await update.callback_query.edit_message_reply_markup(None)
        who = await caller(self.core, update)
        _forget_draft(context)
        keyboard = main_keyboard(who.t) if who.profile else None
        await reply(update, who.t("Cancelled. Nothing was saved."), reply_markup=keyboard)
        return ConversationHandler.END

    async def on_timeout(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        _forget_draft(context)
        await reply(update, who.t("This entry was idle for 15 minutes, so I closed it. Nothing was saved. "
                                  "Send /log to start again."))

    async def on_other_command(self, update: Update, context: Context) -> None:
        """Any other command mid-conversation: say what is going on and keep the conversation."""
        who = await caller(self.core, update)
        await reply(update, who.t("You are in the middle of logging an entry. Answer the question above, "
                                  "or send /cancel to stop."))

    async def on_unexpected_message(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        await reply(update, who.t("Please answer with text or tap a button, or send /cancel to stop."))

    async def on_stale_button(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        await answer_tap(update, who.t("This button belongs to an earlier step."))


async def answer_stale_button(core: Core, update: Update, context: Context) -> None:
    """A button tapped outside any conversation: a second Save, or an old keyboard."""
    who = await caller(core, update)
    data = update.callback_query.data or ""
    if data.startswith("save:") and who.profile is not None:
        if await entries.is_saved(core.db, who.profile, data.split(":", 1)[1]):
            await answer_tap(update, who.t("Already saved."))
            return
    await answer_tap(update, who.t("This button has expired. Send /log to start again."))
