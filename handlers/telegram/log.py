"""The /log conversation: activity → student → when → duration → notes → problems → Save / Edit / Cancel.

The draft lives in `user_data` and the conversation state in the bot's
persistence, so both survive a graceful restart. Every step re-asks with the
reason when the answer cannot be used; `/cancel` ends it at any step.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import warnings

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import entries
from bot.actions import (
    Action,
    AnswerProblems,
    CancelEntry,
    ChooseActivity,
    ChooseCovisitor,
    ChooseDay,
    ChooseDuration,
    ChoosePlace,
    ChooseStudent,
    EditEntry,
    EditField,
    EntryStep,
    ForDraft,
    IsKind,
    LogNow,
    SaveEntry,
    SkipNotes,
    draft_id_of,
)
from bot.assignments import assigned_place_names
from bot.chat.problem_texts import PROBLEM_TEXT_ERRORS, noted_problems_text
from bot.chat.render import activity_label, draft_summary, duration_text, when_text
from bot.chat_state import ChatStateStore
from bot.core import Core
from bot.dates import DurationError, WhenError, parse_duration, parse_when
from bot.drafts import DraftTextError, EntryDraft, clean_notes, clean_student_name
from bot.i18n import N_, Translator
from bot.membership import Profile
from bot.oneliner import parse_one_liner
from bot.periods import period_bounds
from bot.problems import MAX_PROBLEMS_PER_ENTRY, clean_problem_text, problems_to_record
from handlers.telegram.checkpoint import Callback, checkpointed_conversation
from handlers.telegram.common import (
    Caller,
    Context,
    answer_tap,
    caller,
    not_a_member_text,
    reply,
    tapped,
    tapped_action,
)
from handlers.telegram.keyboards import (
    DURATION_CHOICES,
    inline,
    log_button_pattern,
    main_keyboard,
    mine_button_pattern,
)
from handlers.telegram.required import member, message_text, tapped_query, user_data

log = logging.getLogger(__name__)

ACTIVITY, STUDENT, WHEN, DURATION, NOTES, CONFIRM, EDIT, COVISITOR, PROBLEMS, PLACE = range(10)
STATE_OF_STEP = {"activity": ACTIVITY, "student": STUDENT, "covisitor": COVISITOR, "when": WHEN,
                 "duration": DURATION, "notes": NOTES, "problems": PROBLEMS, "place": PLACE}
STEP_OF_STATE = {state: step for step, state in STATE_OF_STEP.items()}
IDLE_TIMEOUT = dt.timedelta(minutes=15)
TALLIES = (("week", N_("{activity} this week: {n}.")), ("month", N_("{activity} this month: {n}.")),
           ("quarter", N_("{activity} this quarter: {n}.")))
MAX_DAYS_BACK = 60
DRAFT_KEY, EDITING_KEY = "draft", "editing"

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


def draft_button(label: str, action: Action, draft: EntryDraft) -> tuple[str, ForDraft]:
    """A button of this draft: its data ends with the draft's id, so a button of an older draft is recognised."""
    return label, ForDraft(action, draft.short_id)


def tapped_draft_id(update: Update) -> str | None:
    query = update.callback_query
    return draft_id_of(query.data if query else None)


def _load_draft(context: Context) -> EntryDraft | None:
    data = user_data(context).get(DRAFT_KEY)
    return EntryDraft.from_json(data) if data else None


def _store_draft(context: Context, draft: EntryDraft) -> None:
    user_data(context)[DRAFT_KEY] = draft.to_json()


def _activity_fields(profile: Profile, draft: EntryDraft) -> tuple[str, ...]:
    """The fields the draft's activity asks for, once one is chosen."""
    activity = profile.policy.find_activity(draft.activity) if draft.activity else None
    if activity is None:
        raise LookupError(f"the draft's activity {draft.activity!r} is not in the school's policy")
    return activity.fields


def _forget_draft(context: Context) -> None:
    user_data(context).pop(DRAFT_KEY, None)
    user_data(context).pop(EDITING_KEY, None)


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
            return checkpointed_conversation(
                ChatStateStore(self.core.db),
                entry_points=[
                    CommandHandler("log", self.start, filters=private),
                    MessageHandler(private & filters.Regex(log_button_pattern()), self.start),
                    CallbackQueryHandler(self.start_with_activity, pattern=IsKind(LogNow)),
                ],
                states=self.with_stale_buttons({
                    ACTIVITY: [CallbackQueryHandler(self.on_activity_button, pattern=IsKind(ChooseActivity)),
                               MessageHandler(typed, self.on_activity_text)],
                    STUDENT: [CallbackQueryHandler(self.on_student_button, pattern=IsKind(ChooseStudent)),
                              MessageHandler(typed, self.on_student_text)],
                    PLACE: [CallbackQueryHandler(self.on_place_button, pattern=IsKind(ChoosePlace)),
                            MessageHandler(typed, self.on_place_text)],
                    COVISITOR: [CallbackQueryHandler(self.on_covisitor_button, pattern=IsKind(ChooseCovisitor)),
                                MessageHandler(typed, self.on_covisitor_text)],
                    WHEN: [CallbackQueryHandler(self.on_when_button, pattern=IsKind(ChooseDay)),
                           MessageHandler(typed, self.on_when_text)],
                    DURATION: [CallbackQueryHandler(self.on_duration_button, pattern=IsKind(ChooseDuration)),
                               MessageHandler(typed, self.on_duration_text)],
                    NOTES: [CallbackQueryHandler(self.on_skip_notes, pattern=IsKind(SkipNotes)),
                            MessageHandler(typed, self.on_notes_text)],
                    PROBLEMS: [CallbackQueryHandler(self.on_problems_button, pattern=IsKind(AnswerProblems)),
                               MessageHandler(typed, self.on_problem_text)],
                    CONFIRM: [CallbackQueryHandler(self.on_save, pattern=IsKind(SaveEntry)),
                              CallbackQueryHandler(self.on_edit, pattern=IsKind(EditEntry)),
                              CallbackQueryHandler(self.on_cancel, pattern=IsKind(CancelEntry)),
                              MessageHandler(typed, self.on_text_at_buttons)],
                    EDIT: [CallbackQueryHandler(self.on_edit_field, pattern=IsKind(EditField)),
                           MessageHandler(typed, self.on_text_at_buttons)],
                    ConversationHandler.TIMEOUT: [TypeHandler(Update, self.on_timeout)],
                }),
                fallbacks=[
                    CommandHandler("cancel", self.on_cancel),
                    MessageHandler(filters.COMMAND | keyboard_buttons, self.on_other_command),
                    MessageHandler(filters.ALL, self.on_unexpected_message),
                ],
                name="log",
                conversation_timeout=self.idle_timeout,
            )

    def with_stale_buttons(self, states: dict[object, list[BaseHandler]]) -> dict[object, list[BaseHandler]]:
        """Each step takes only the buttons of the open draft; any other button re-asks the step's question."""
        for state, handlers in states.items():
            if state == ConversationHandler.TIMEOUT or not isinstance(state, int):
                continue
            for handler in handlers:
                if isinstance(handler, CallbackQueryHandler) and handler.callback != self.on_save:
                    handler.callback = self.fresh_only(state, handler.callback)
            handlers.append(CallbackQueryHandler(functools.partial(self.on_stale_button, state=state)))
        return states

    def fresh_only(self, state: int, callback: Callback) -> Callback:
        async def fresh(update: Update, context: Context) -> object:
            draft = _load_draft(context)
            if draft is None or tapped_draft_id(update) != draft.short_id:
                return await self.on_stale_button(update, context, state=state)
            return await callback(update, context)
        return fresh

    # --- asking --------------------------------------------------------------------------------

    async def ask(self, update: Update, context: Context, who: Caller, step: str, draft: EntryDraft) -> int:
        t, profile = who.t, member(who)
        if step == "activity":
            buttons = [draft_button(a.label(t.language), ChooseActivity(a.code), draft)
                       for a in profile.policy.activities]
            await reply(update, t("What did you do?"), reply_markup=inline(buttons))
        elif step == "student":
            names = await entries.student_choices(self.core.db, profile)
            await self.offer_names(update, context, draft, "recent_names", names, ChooseStudent, 3, t(
                "Which student or family? Type the name, or tap a recent one.") if names else t(
                "Which student or family? Type the name."))
        elif step == "place":
            places = await assigned_place_names(self.core.db, profile.school_id, profile.member_id)
            await self.offer_names(update, context, draft, "assigned_places", places, ChoosePlace, 2, t(
                "Where was it? Tap one of your places, or type it.") if places else t(
                "Where was it (class, branch, village, contact point)? Type it."))
        elif step == "covisitor":
            colleagues = await entries.recent_colleagues(self.core.db, profile)
            await self.ask_covisitor(update, t, draft, colleagues, t(
                "Did a colleague come along? Tap their name or type it; tap “No, alone” if not."))
        elif step == "when":
            await reply(update, t("When was it? Tap a day, or type it, e.g. “yesterday 4pm”, “fri”, “昨天下午3点”."),
                        reply_markup=inline([draft_button(t("Today"), ChooseDay("today"), draft),
                                             draft_button(t("Yesterday"), ChooseDay("yesterday"), draft)]))
        elif step == "duration":
            buttons = [draft_button(duration_text(m, t), ChooseDuration(m), draft) for m in DURATION_CHOICES]
            await reply(update, t("How long did it take? Tap or type, e.g. “45”, “1h”, “半小时”."),
                        reply_markup=inline(buttons, per_row=5))
        elif step == "notes":
            await reply(update, t("Any notes? Type them, or tap Skip."),
                        reply_markup=inline([draft_button(t("Skip"), SkipNotes(), draft)]))
        elif step == "problems":
            await self.ask_problems(update, t, draft, t("Did the family raise any problems? Type one per message, "
                                                        "then tap Done; tap None if there were none."))
        return STATE_OF_STEP[step]

    async def offer_names(self, update: Update, context: Context, draft: EntryDraft, offered_key: str,
                          names: list[str], kind: type[ChooseStudent] | type[ChoosePlace], per_row: int,
                          question: str) -> None:
        """Ask ``question`` with ``names`` as buttons, remembered under ``offered_key`` for the tap."""
        user_data(context)[offered_key] = names
        markup = inline([draft_button(name, kind(i), draft) for i, name in enumerate(names)],
                        per_row=per_row) if names else None
        await reply(update, question, reply_markup=markup)

    async def ask_problems(self, update: Update, t: Translator, draft: EntryDraft, question: str) -> int:
        if not draft.problems:
            await reply(update, question, reply_markup=inline([draft_button(t("None"), AnswerProblems("none"), draft)]))
        else:
            await reply(update, question + "\n\n" + noted_problems_text(draft.problems, t), reply_markup=inline(
                [draft_button(t("Done"), AnswerProblems("done"), draft),
                 draft_button(t("Clear the list"), AnswerProblems("clear"), draft)]))
        return PROBLEMS

    async def ask_covisitor(self, update: Update, t: Translator, draft: EntryDraft, colleagues: list[entries.Colleague],
                            question: str) -> int:
        buttons = [draft_button(c.name, ChooseCovisitor(c.member_id), draft) for c in colleagues]
        buttons.append(draft_button(t("No, alone"), ChooseCovisitor(None), draft))
        await reply(update, question, reply_markup=inline(buttons, per_row=3))
        return COVISITOR

    async def show_summary(self, update: Update, context: Context, who: Caller, draft: EntryDraft) -> int:
        t = who.t
        user_data(context).pop(EDITING_KEY, None)
        summary = draft_summary(draft, member(who).policy, t, who.today)
        if problems := problems_to_record(draft, member(who).policy):
            summary += "\n" + noted_problems_text(problems, t)
        await reply(update, summary, reply_markup=inline(
            [(t("✅ Save"), SaveEntry(draft.token)), draft_button(t("✏️ Edit"), EditEntry(), draft),
             draft_button(t("✖️ Cancel"), CancelEntry(), draft)], per_row=3))
        return CONFIRM

    async def advance(self, update: Update, context: Context, who: Caller, draft: EntryDraft) -> int:
        """Store the draft and ask for what is still missing, or show the summary."""
        _store_draft(context, draft)
        if user_data(context).get(EDITING_KEY):
            return await self.show_summary(update, context, who, draft)
        fields = _activity_fields(member(who), draft)
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
        text = (not_a_member_text(who.t) if who.profile is None
                else who.t("This entry is no longer open. Send /log to start again."))
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
        t, policy = who.t, member(who).policy
        parsed = parse_one_liner(text, policy.aliases_map(), self.local_now(member(who)))
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
        code = tapped(update, LogNow).activity
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
        code = tapped(update, ChooseActivity).activity
        if who.profile.policy.find_activity(code) is None:
            return await self.ask(update, context, who, "activity", draft)
        draft.activity = code
        return await self.advance(update, context, who, draft)

    async def on_activity_text(self, update: Update, context: Context) -> int:
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        code = member(who).policy.aliases_map().get(message_text(update).strip().lower())
        if code is None:
            await reply(update, who.t("Please tap one of the activities below."))
            return await self.ask(update, context, who, "activity", draft)
        draft.activity = code
        return await self.advance(update, context, who, draft)

    async def on_student_button(self, update: Update, context: Context) -> int:
        return await self.on_name_button(update, context, "student", "recent_names")

    async def on_student_text(self, update: Update, context: Context) -> int:
        return await self.on_name_text(update, context, "student", NAME_ERRORS)

    async def on_name_button(self, update: Update, context: Context, step: str, offered_key: str) -> int:
        """A tap on one of the names offered for ``step`` (the draft field of that name) under ``offered_key``."""
        await answer_tap(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        names = user_data(context).get(offered_key) or []
        choice: ChoosePlace | ChooseStudent = (tapped(update, ChoosePlace) if step == "place"
                                               else tapped(update, ChooseStudent))
        index = choice.index
        if index >= len(names):
            return await self.ask(update, context, who, step, draft)
        setattr(draft, step, names[index])
        return await self.advance(update, context, who, draft)

    async def on_name_text(self, update: Update, context: Context, step: str, errors: dict[str, str]) -> int:
        """A typed name for ``step`` (the draft field of that name), tidied like a student's name."""
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        try:
            setattr(draft, step, clean_student_name(message_text(update)))
        except DraftTextError as problem:
            await reply(update, who.t(errors[problem.code], limit=problem.limit))
            return STATE_OF_STEP[step]
        return await self.advance(update, context, who, draft)

    async def on_place_button(self, update: Update, context: Context) -> int:
        return await self.on_name_button(update, context, "place", "assigned_places")

    async def on_place_text(self, update: Update, context: Context) -> int:
        return await self.on_name_text(update, context, "place", PLACE_ERRORS)

    async def on_covisitor_button(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        chosen = tapped(update, ChooseCovisitor).member_id
        found = None if chosen is None else await entries.colleague(self.core.db, who.profile, chosen)
        if chosen is not None and found is None:  # not a colleague (any more): ask again rather than "alone"
            return await self.ask(update, context, who, "covisitor", draft)
        draft.covisitor_member_id = found.member_id if found else None
        draft.covisitor_name = found.name if found else None
        draft.covisitor_asked = True
        return await self.advance(update, context, who, draft)

    async def on_covisitor_text(self, update: Update, context: Context) -> int:
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        t = who.t
        found = await entries.find_colleagues(self.core.db, member(who), message_text(update))
        if len(found) == 1:
            draft.covisitor_member_id, draft.covisitor_name = found[0].member_id, found[0].name
            draft.covisitor_asked = True
            return await self.advance(update, context, who, draft)
        if not found:
            return await self.ask_covisitor(update, t, draft, [], t(
                "No colleague at your school is called “{name}”. Type the name again, or tap “No, alone”.",
                name=message_text(update).strip()))
        return await self.ask_covisitor(update, t, draft, found, t("Which one?"))

    async def on_when_button(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        today = who.today
        draft.day = today if tapped(update, ChooseDay).day == "today" else today - dt.timedelta(days=1)
        draft.time = None
        return await self.advance(update, context, who, draft)

    async def on_when_text(self, update: Update, context: Context) -> int:
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        try:
            when = parse_when(message_text(update), self.local_now(member(who)), max_days_back=MAX_DAYS_BACK)
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
        draft.duration_minutes = tapped(update, ChooseDuration).minutes
        return await self.advance(update, context, who, draft)

    async def on_duration_text(self, update: Update, context: Context) -> int:
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        try:
            draft.duration_minutes = parse_duration(message_text(update))
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
        text = message_text(update)
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
        choice = tapped(update, AnswerProblems).choice
        if choice == "clear":
            draft.problems = []
            _store_draft(context, draft)
            return await self.ask(update, context, who, "problems", draft)
        if choice == "none":
            draft.problems = []
        draft.problems_asked = True
        return await self.advance(update, context, who, draft)

    async def on_problem_text(self, update: Update, context: Context) -> int:
        """One problem per message; the step stays open until Done."""
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        t, text = who.t, message_text(update)
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

    async def on_save(self, update: Update, context: Context) -> int | None:
        query = tapped_query(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None or tapped(update, SaveEntry).token != draft.token:
            return await self.on_stale_button(update, context, state=CONFIRM)
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
        t, profile = who.t, member(who)
        if not created:
            return t("This entry was already saved.")
        if draft.activity is None or draft.day is None:
            raise ValueError("a saved draft has an activity and a day")
        label = activity_label(profile.policy, draft.activity, t)
        today = who.today
        text = t("✅ Saved: {activity} on {when}.", activity=label, when=when_text(draft.day, draft.time, t, today))
        for period, tally in TALLIES:
            bounds = period_bounds(period, today, profile.policy)
            if bounds is not None and bounds[0] <= draft.day <= bounds[1]:
                start, end = bounds
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
        return await self.show_edit_menu(update, who, draft)

    async def show_edit_menu(self, update: Update, who: Caller, draft: EntryDraft) -> int:
        t = who.t
        fields = _activity_fields(member(who), draft)
        choices: list[tuple[str, EntryStep]] = [(t("Activity"), "activity")]
        if "student" in fields:
            choices.append((t("Student or family"), "student"))
        if "covisitor" in fields:
            choices.append((t("Colleague"), "covisitor"))
        choices.append((t("When"), "when"))
        if "duration" in fields:
            choices.append((t("Duration"), "duration"))
        if "notes" in fields:
            choices.append((t("Notes"), "notes"))
        if "problems" in fields:
            choices.append((t("Problems raised"), "problems"))
        choices.append((t("Back to summary"), "done"))
        buttons = [draft_button(label, EditField(field), draft) for label, field in choices]
        await reply(update, t("What do you want to change?"), reply_markup=inline(buttons))
        return EDIT

    async def on_edit_field(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who, draft = await self.current(update, context)
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        step = tapped(update, EditField).field
        if step not in STATE_OF_STEP:
            return await self.show_summary(update, context, who, draft)
        if step == "activity":
            # A new activity may ask for other fields: walk through what is missing, then summarise.
            user_data(context).pop(EDITING_KEY, None)
        else:
            user_data(context)[EDITING_KEY] = True
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

    async def on_stale_button(self, update: Update, context: Context, state: int) -> int:
        """A button of an older step or an older draft: say so, and ask the open step's question again."""
        who, draft = await self.current(update, context)
        await answer_tap(update, who.t("This button is out of date. Please answer the question below."))
        if who.profile is None or draft is None:
            return await self.lost_draft(update, context, who)
        if state == CONFIRM:
            return await self.show_summary(update, context, who, draft)
        if state == EDIT:
            return await self.show_edit_menu(update, who, draft)
        return await self.ask(update, context, who, STEP_OF_STATE[state], draft)


async def answer_stale_button(core: Core, update: Update, context: Context) -> None:
    """A button tapped outside any conversation: a second Save, or an old keyboard."""
    who = await caller(core, update)
    action = tapped_action(update)
    if isinstance(action, SaveEntry) and who.profile is not None:
        if await entries.is_saved(core.db, who.profile, action.token):
            await answer_tap(update, who.t("Already saved."))
            return
    if isinstance(action, SaveEntry) or tapped_draft_id(update) is not None:
        await answer_tap(update, who.t("This button is out of date. Send /log to start again."))
    else:
        await answer_tap(update, who.t("This button is out of date."))
