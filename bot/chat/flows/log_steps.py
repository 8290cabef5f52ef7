"""The log conversation's questions, and how each step reads its answer, typed or tapped.

Each function returns the step the conversation waits at next. The draft and
what was offered as buttons live in the conversation's data, saved with it.
"""

from __future__ import annotations

import datetime as dt
import functools

from bot.chat.actions import (
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
    SaveEntry,
    SkipNotes,
)
from bot.chat.flows.log_texts import USE_THE_BUTTONS
from bot.chat.problem_texts import noted_problems_text
from bot.chat.refusals import DURATION_ERRORS, NAME_ERRORS, NOTES_ERRORS, PLACE_ERRORS, PROBLEM_TEXT_ERRORS, WHEN_ERRORS
from bot.chat.render import draft_summary, duration_text
from bot.chat.replies import Choice
from bot.chat.turn import Turn
from bot.i18n import LANGUAGES, translator
from bot.logbook import entries
from bot.logbook.dates import DurationError, WhenError
from bot.logbook.drafts import DraftTextError, EntryDraft, clean_notes, clean_student_name
from bot.logbook.log_rules import MAX_DAYS_BACK, read_duration, read_when
from bot.logbook.problems import MAX_PROBLEMS_PER_ENTRY, clean_problem_text, problems_to_record
from bot.people.assignments import assigned_place_names

ACTIVITY, STUDENT, PLACE, COVISITOR, WHEN, DURATION, NOTES, PROBLEMS = (
    "activity", "student", "place", "covisitor", "when", "duration", "notes", "problems")
#: The summary with Save / Edit / Cancel, and the menu of what to change.
CONFIRM, EDIT = "confirm", "edit"
QUESTIONS = (ACTIVITY, STUDENT, PLACE, COVISITOR, WHEN, DURATION, NOTES, PROBLEMS)
#: The buttons each step takes; any other tap there is out of date.
STEP_ACTIONS: dict[str, tuple[type[Action], ...]] = {
    ACTIVITY: (ChooseActivity,), STUDENT: (ChooseStudent,), PLACE: (ChoosePlace,), COVISITOR: (ChooseCovisitor,),
    WHEN: (ChooseDay,), DURATION: (ChooseDuration,), NOTES: (SkipNotes,), PROBLEMS: (AnswerProblems,),
    CONFIRM: (SaveEntry, EditEntry, CancelEntry), EDIT: (EditField,),
}
DURATION_CHOICES = (15, 30, 45, 60, 90)
DRAFT, EDITING = "draft", "editing"
#: Where the names offered as buttons are kept, so a tap on the n-th reads the n-th.
OFFERED = {STUDENT: "recent_names", PLACE: "assigned_places"}


def draft_choice(label: str, action: Action, draft: EntryDraft) -> Choice:
    """A button of this draft: its data ends with the draft's id, so a button of an older draft is recognised."""
    return Choice(label, ForDraft(action, draft.short_id))


def load_draft(turn: Turn) -> EntryDraft | None:
    data = turn.data.get(DRAFT)
    return EntryDraft.from_json(data) if data else None


def store_draft(turn: Turn, draft: EntryDraft) -> None:
    turn.data[DRAFT] = draft.to_json()


def local_now(turn: Turn) -> dt.datetime:
    return turn.member.local_now(turn.now())


def activity_fields(turn: Turn, draft: EntryDraft) -> tuple[str, ...]:
    """The fields the draft's activity asks for, once one is chosen."""
    activity = turn.member.policy.find_activity(draft.activity) if draft.activity else None
    if activity is None:
        raise LookupError(f"the draft's activity {draft.activity!r} is not in the school's policy")
    return activity.fields


# --- asking ------------------------------------------------------------------------------------

async def ask(turn: Turn, step: str, draft: EntryDraft) -> str:
    t, profile = turn.t, turn.member
    if step == ACTIVITY:
        turn.say(t("What did you do?"), choices=[draft_choice(a.label(t.language), ChooseActivity(a.code), draft)
                                                 for a in profile.policy.activities])
    elif step == STUDENT:
        names = await entries.student_choices(turn.core.db, profile)
        offer_names(turn, draft, STUDENT, names, 3, t("Which student or family? Type the name, or tap a recent one.")
                    if names else t("Which student or family? Type the name."))
    elif step == PLACE:
        places = await assigned_place_names(turn.core.db, profile.school_id, profile.member_id)
        offer_names(turn, draft, PLACE, places, 2, t("Where was it? Tap one of your places, or type it.")
                    if places else t("Where was it (class, branch, village, contact point)? Type it."))
    elif step == COVISITOR:
        colleagues = await entries.recent_colleagues(turn.core.db, profile)
        return ask_covisitor(turn, draft, colleagues,
                             t("Did a colleague come along? Tap their name or type it; tap “No, alone” if not."))
    elif step == WHEN:
        turn.say(t("When was it? Tap a day, or type it, e.g. “yesterday 4pm”, “fri”, “昨天下午3点”."),
                 choices=[draft_choice(t("Today"), ChooseDay("today"), draft),
                          draft_choice(t("Yesterday"), ChooseDay("yesterday"), draft)])
    elif step == DURATION:
        turn.say(t("How long did it take? Tap or type, e.g. “45”, “1h”, “半小时”."), per_row=5,
                 choices=[draft_choice(duration_text(m, t), ChooseDuration(m), draft) for m in DURATION_CHOICES])
    elif step == NOTES:
        turn.say(t("Any notes? Type them, or tap Skip."), choices=[draft_choice(t("Skip"), SkipNotes(), draft)])
    elif step == PROBLEMS:
        return ask_problems(turn, draft, t("Did the family raise any problems? Type one per message, "
                                           "then tap Done; tap None if there were none."))
    else:
        raise ValueError(f"the log conversation has no question {step!r}")
    return step


def offer_names(turn: Turn, draft: EntryDraft, step: str, names: list[str], per_row: int, question: str) -> None:
    """Ask `question` with `names` as buttons, remembered for the tap."""
    turn.data[OFFERED[step]] = names
    kind = ChoosePlace if step == PLACE else ChooseStudent
    turn.say(question, per_row=per_row, choices=[draft_choice(name, kind(i), draft) for i, name in enumerate(names)])


def ask_problems(turn: Turn, draft: EntryDraft, question: str) -> str:
    t = turn.t
    if not draft.problems:
        turn.say(question, choices=[draft_choice(t("None"), AnswerProblems("none"), draft)])
    else:
        turn.say(question + "\n\n" + noted_problems_text(draft.problems, t),
                 choices=[draft_choice(t("Done"), AnswerProblems("done"), draft),
                          draft_choice(t("Clear the list"), AnswerProblems("clear"), draft)])
    return PROBLEMS


def ask_covisitor(turn: Turn, draft: EntryDraft, colleagues: list[entries.Colleague], question: str) -> str:
    choices = [draft_choice(c.name, ChooseCovisitor(c.member_id), draft) for c in colleagues]
    choices.append(draft_choice(turn.t("No, alone"), ChooseCovisitor(None), draft))
    turn.say(question, choices=choices, per_row=3)
    return COVISITOR


def show_summary(turn: Turn, draft: EntryDraft) -> str:
    t, policy = turn.t, turn.member.policy
    turn.data.pop(EDITING, None)
    summary = draft_summary(draft, policy, t, turn.today)
    if problems := problems_to_record(draft, policy):
        summary += "\n" + noted_problems_text(problems, t)
    turn.say(summary, per_row=3, choices=[Choice(t("✅ Save"), SaveEntry(draft.token)),
                                          draft_choice(t("✏️ Edit"), EditEntry(), draft),
                                          draft_choice(t("✖️ Cancel"), CancelEntry(), draft)])
    return CONFIRM


def show_edit_menu(turn: Turn, draft: EntryDraft) -> str:
    t = turn.t
    fields = activity_fields(turn, draft)
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
    turn.say(t("What do you want to change?"), choices=[draft_choice(label, EditField(field), draft)
                                                        for label, field in choices])
    return EDIT


async def advance(turn: Turn, draft: EntryDraft) -> str:
    """Keep the draft and ask for what is still missing (or, when editing one field, go back), else summarise."""
    store_draft(turn, draft)
    if turn.data.get(EDITING):
        return show_summary(turn, draft)
    step = draft.next_missing(activity_fields(turn, draft))
    return show_summary(turn, draft) if step is None else await ask(turn, step, draft)


async def ask_again(turn: Turn, step: str, draft: EntryDraft) -> str:
    """The open step's question once more (after an out-of-date button, say)."""
    if step == CONFIRM:
        return show_summary(turn, draft)
    if step == EDIT:
        return show_edit_menu(turn, draft)
    return await ask(turn, step, draft)


# --- typed answers -----------------------------------------------------------------------------

async def answer_text(turn: Turn, step: str, draft: EntryDraft, text: str) -> str:
    t = turn.t
    if (typed := typed_button(step, draft, text)) is not None:
        return await answer_tap(turn, draft, typed)
    if step == ACTIVITY:
        code = turn.member.policy.aliases_map().get(text.strip().lower())
        if code is None:
            turn.say(t("Please tap one of the activities below."))
            return await ask(turn, ACTIVITY, draft)
        draft.activity = code
    elif step in (STUDENT, PLACE):
        try:
            setattr(draft, step, clean_student_name(text))
        except DraftTextError as problem:
            turn.say(t((PLACE_ERRORS if step == PLACE else NAME_ERRORS)[problem.code], limit=problem.limit))
            return step
    elif step == COVISITOR:
        found = await entries.find_colleagues(turn.core.db, turn.member, text)
        if not found:
            return ask_covisitor(turn, draft, [], t(
                "No colleague at your school is called “{name}”. Type the name again, or tap “No, alone”.",
                name=text.strip()))
        if len(found) > 1:
            return ask_covisitor(turn, draft, found, t("Which one?"))
        draft.covisitor_member_id, draft.covisitor_name = found[0].member_id, found[0].name
        draft.covisitor_asked = True
    elif step == WHEN:
        try:
            when = read_when(text, local_now(turn))
        except WhenError as problem:
            turn.say(t(WHEN_ERRORS[problem.code], days=MAX_DAYS_BACK))
            return step
        draft.day, draft.time = when.day, when.time
    elif step == DURATION:
        try:
            draft.duration_minutes = read_duration(text)
        except DurationError as problem:
            turn.say(t(DURATION_ERRORS[problem.code]))
            return step
    elif step == NOTES:
        try:
            draft.notes = clean_notes(text)
        except DraftTextError as problem:
            turn.say(t(NOTES_ERRORS[problem.code], limit=problem.limit, length=len(text.strip())))
            return step
        draft.notes_asked = True
    elif step == PROBLEMS:
        return note_problem(turn, draft, text)
    else:  # at the summary or the edit menu, where only buttons answer
        turn.say(t(USE_THE_BUTTONS))
        return show_summary(turn, draft)
    return await advance(turn, draft)


#: Buttons whose label typed instead of tapped (in any language) answers as the tap, per step: without this a
#: typed "跳过" would be saved as the note, a typed "没有" listed as a problem, "不，独自一人" looked up as a colleague.
TYPED_BUTTONS: dict[str, tuple[tuple[str, Action], ...]] = {
    COVISITOR: (("No, alone", ChooseCovisitor(None)),),
    NOTES: (("Skip", SkipNotes()),),
    PROBLEMS: (("None", AnswerProblems("none")), ("Done", AnswerProblems("done"))),
}
#: What people type for a button besides its label: "没有" or "no" is how one answers "did a colleague come along?"
#: and "any notes?".
SAID_FOR_BUTTON: dict[str, frozenset[str]] = {
    "No, alone": frozenset({"没有", "没", "无", "不", "不是", "否", "独自", "独自一人", "一个人", "我一个人",
                            "就我一个", "自己", "我自己", "no", "none", "nobody", "no one", "noone", "alone",
                            "just me", "myself", "by myself"}),
    "Skip": frozenset({"没有", "无", "没什么", "不用", "none", "no", "nothing", "no notes", "n/a"}),
}
#: Ends of a typed answer that do not change it ("没有。", "no!").
TRAILING_MARKS = " \t。.！!，,～~"


@functools.cache
def labels_of(label: str) -> frozenset[str]:
    """A button's label in every language, as typed (case aside)."""
    return frozenset(translator(language)(label).casefold() for language in LANGUAGES)


def typed_button(step: str, draft: EntryDraft, text: str) -> Action | None:
    """The step's button whose label (or what people say for it, :data:`SAID_FOR_BUTTON`) `text` is; None for any
    other text. "None" is offered (and read) only while no problem is listed, so a typed "none" never clears a
    list."""
    said = text.strip().casefold()
    bare = said.strip(TRAILING_MARKS)
    for label, action in TYPED_BUTTONS.get(step, ()):
        if (said in labels_of(label) or bare in SAID_FOR_BUTTON.get(label, ())) \
                and not (label == "None" and draft.problems):
            return action
    return None


def note_problem(turn: Turn, draft: EntryDraft, text: str) -> str:
    """One problem per message; the step stays open until Done."""
    t = turn.t
    if len(draft.problems) >= MAX_PROBLEMS_PER_ENTRY:
        return ask_problems(turn, draft, t("That is {n} problems, the most one entry can hold. Tap Done.",
                                           n=MAX_PROBLEMS_PER_ENTRY))
    try:
        draft.problems.append(clean_problem_text(text))
    except DraftTextError as problem:
        turn.say(t(PROBLEM_TEXT_ERRORS[problem.code], limit=problem.limit, length=len(text.strip())))
        return PROBLEMS
    store_draft(turn, draft)
    return ask_problems(turn, draft, t("Noted. Type another problem, or tap Done."))


# --- tapped answers ----------------------------------------------------------------------------

async def answer_tap(turn: Turn, draft: EntryDraft, action: Action) -> str:
    """A button of the open draft, of the kind its step takes (Save and Cancel are the flow's)."""
    if isinstance(action, ChooseActivity):
        if turn.member.policy.find_activity(action.activity) is None:
            return await ask(turn, ACTIVITY, draft)
        draft.activity = action.activity
    elif isinstance(action, ChooseStudent | ChoosePlace):
        step = PLACE if isinstance(action, ChoosePlace) else STUDENT
        names = turn.data.get(OFFERED[step]) or []
        if action.index >= len(names):
            return await ask(turn, step, draft)
        setattr(draft, step, names[action.index])
    elif isinstance(action, ChooseCovisitor):
        chosen = action.member_id
        found = None if chosen is None else await entries.colleague(turn.core.db, turn.member, chosen)
        if chosen is not None and found is None:  # not a colleague (any more): ask again rather than "alone"
            return await ask(turn, COVISITOR, draft)
        draft.covisitor_member_id = found.member_id if found else None
        draft.covisitor_name = found.name if found else None
        draft.covisitor_asked = True
    elif isinstance(action, ChooseDay):
        draft.day = turn.today if action.day == "today" else turn.today - dt.timedelta(days=1)
        draft.time = None
    elif isinstance(action, ChooseDuration):
        draft.duration_minutes = action.minutes
    elif isinstance(action, SkipNotes):
        draft.notes_asked = True
    elif isinstance(action, AnswerProblems):
        if action.choice == "clear":
            draft.problems = []
            store_draft(turn, draft)
            return await ask(turn, PROBLEMS, draft)
        if action.choice == "none":
            draft.problems = []
        draft.problems_asked = True
    elif isinstance(action, EditEntry):
        return show_edit_menu(turn, draft)
    elif isinstance(action, EditField):
        return await edit_field(turn, draft, action.field)
    else:
        raise TypeError(f"the log conversation does not take {action!r} here")
    return await advance(turn, draft)


async def edit_field(turn: Turn, draft: EntryDraft, field: EntryStep) -> str:
    if field not in QUESTIONS:  # "done": back to the summary
        return show_summary(turn, draft)
    if field == ACTIVITY:
        # A new activity may ask for other fields: walk through what is missing, then summarise.
        turn.data.pop(EDITING, None)
    else:
        turn.data[EDITING] = True
    return await ask(turn, field, draft)
