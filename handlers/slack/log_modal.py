"""Logging by modal: `/teachlog log` alone, an incomplete `/teachlog log <words>` or the Home tab's Log button opens
a form; a one-liner and the submission are read with the chat's log rules (bot.logbook.log_rules, drafts) and
limits, refused with the chat's messages (errors shown on their fields), and the entry saved and confirmed by DM
as the chat confirms it (bot.chat.entry_texts), tally included.

The form shows every field the school's activities ask for; which ones are required
depends on the activity chosen, and is checked on submit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.chat.entry_texts import refusal_text
from bot.chat.refusals import DURATION_ERRORS, NAME_ERRORS, NOTES_ERRORS, PROBLEM_TEXT_ERRORS, WHEN_ERRORS
from bot.i18n import Translator
from bot.logbook import entries
from bot.logbook.dates import DurationError, WhenError
from bot.logbook.drafts import DraftTextError, EntryDraft, clean_notes, clean_student_name
from bot.logbook.log_rules import MAX_DAYS_BACK, Refusal, draft_from_one_liner, missing_step, read_duration, read_when
from bot.logbook.problems import MAX_PROBLEMS_PER_ENTRY, clean_problem_text
from bot.people.membership import Profile, profile_for_account
from bot.platform_names import SLACK
from storage.db import Database

CALLBACK_ID = "log_entry"
VALUE = "value"
#: Slack's limit on the options of a static select.
MAX_OPTIONS = 100

Block = dict[str, Any]


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def option(label: str, value: str) -> dict[str, Any]:
    return {"text": plain(label[:75]), "value": value[:150]}


def input_block(block_id: str, label: str, element: Block, *, optional: bool = True, hint: str | None = None) -> Block:
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element,
                    "optional": optional}
    if hint:
        block["hint"] = plain(hint)
    return block


def text_input(*, multiline: bool = False, initial: str | None = None, placeholder: str | None = None,
               max_length: int | None = None) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": VALUE, "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = plain(placeholder)
    if max_length:
        element["max_length"] = max_length
    return element


def school_fields(profile: Profile) -> set[str]:
    return {name for activity in profile.policy.activities for name in activity.fields}


def modal_view(profile: Profile, t: Translator, today: dt.date, students: list[str],
               one_liner: OneLinerForm | None = None) -> Block:
    """The form, with what a one-liner could read filled in, and the chat's messages on what it left out.

    A date the line gave but the rules refused leaves the date empty, to be chosen; otherwise it starts at today.
    """
    draft = one_liner.draft if one_liner else EntryDraft()
    refusals = [refusal_text(t, refusal) for refusal in one_liner.refusals] if one_liner else []
    date_refused = one_liner is not None and any(refusal.field == "when" for refusal in one_liner.refusals)
    fields = school_fields(profile)
    activities = [option(activity.label(t.language), activity.code) for activity in profile.policy.activities]
    activity_select: Block = {"type": "static_select", "action_id": VALUE, "options": activities[:MAX_OPTIONS],
                              "placeholder": plain(t("Activity"))}
    chosen = next((o for o in activities if o["value"] == draft.activity), None)
    if chosen is not None:
        activity_select["initial_option"] = chosen
    elif len(activities) == 1:
        activity_select["initial_option"] = activities[0]
    blocks: list[Block] = [{"type": "context", "elements": [plain(refusal) for refusal in refusals]}] if refusals \
        else []
    blocks.append(input_block("activity", t("Activity"), activity_select, optional=False))
    if "student" in fields:
        if students:
            blocks.append(input_block("student", t("Student or family"), {
                "type": "static_select", "action_id": VALUE,
                "options": [option(name, name) for name in students[:MAX_OPTIONS]],
                "placeholder": plain(t("Your paired and recent students"))}))
        blocks.append(input_block("student_typed", t("Or type a name") if students else t("Student or family"),
                                  text_input(initial=draft.student)))
    if "covisitor" in fields:
        blocks.append(input_block("covisitor", t("Visited with a colleague"),
                                  {"type": "users_select", "action_id": VALUE}))
    date_picker: Block = {"type": "datepicker", "action_id": VALUE}
    if draft.day is not None or not date_refused:
        date_picker["initial_date"] = (draft.day or today).isoformat()
    blocks.append(input_block("day", t("Date"), date_picker, optional=False))
    time_picker: Block = {"type": "timepicker", "action_id": VALUE}
    if draft.time is not None:
        time_picker["initial_time"] = draft.time.strftime("%H:%M")
    blocks.append(input_block("time", t("Time"), time_picker))
    if "duration" in fields:
        blocks.append(input_block("duration", t("Duration"), text_input(
            initial=str(draft.duration_minutes) if draft.duration_minutes else None, placeholder="45, 1h30, 半小时")))
    blocks.append(input_block("notes", t("Notes"), text_input(multiline=True, initial=draft.notes)))
    if "problems" in fields:
        blocks.append(input_block("problems", t("Problems raised"), text_input(multiline=True),
                                  hint=t("One problem per line; they go on the school's problem list.")))
    return {"type": "modal", "callback_id": CALLBACK_ID, "title": plain(t("Log an activity")[:24]),
            "submit": plain(t("Save")), "close": plain(t("Cancel")), "blocks": blocks}


def value_of(values: Mapping[str, Any], block_id: str) -> Any:
    """What a field holds: typed text, the chosen option's value, a date, a time or a user id."""
    state = (values.get(block_id) or {}).get(VALUE) or {}
    for key in ("selected_date", "selected_time", "selected_user"):
        if state.get(key):
            return state[key]
    if state.get("selected_option"):
        return state["selected_option"]["value"]
    text = state.get("value")
    return text.strip() if isinstance(text, str) and text.strip() else None


@dataclass
class OneLinerForm:
    """What the form makes of `/teachlog log <words>`, read by the log rules as the chat's /log reads it."""

    draft: EntryDraft
    #: The parts of the line left out, and why (shown with the chat's messages).
    refusals: list[Refusal] = field(default_factory=list)

    def is_whole(self, profile: Profile) -> bool:
        """Nothing is missing: the chat shows it with a Save button (and the refusals) instead of the form."""
        return missing_step(self.draft, profile.policy) is None


def read_one_liner(profile: Profile, text: str, local_now: dt.datetime) -> OneLinerForm:
    one_liner = draft_from_one_liner(text, profile.policy, local_now)
    return OneLinerForm(one_liner.draft, one_liner.refusals)


@dataclass
class Submission:
    draft: EntryDraft = field(default_factory=EntryDraft)
    #: Field (block id) → what is wrong with it, in the member's language.
    errors: dict[str, str] = field(default_factory=dict)


async def read_submission(db: Database, profile: Profile, t: Translator, values: Mapping[str, Any],
                          local_now: dt.datetime, view_id: str) -> Submission:
    """The draft the form describes, or what is wrong with each field (the chat's rules and messages)."""
    # One entry per form, however often Save is pressed.
    token = "slack-" + hashlib.sha256(view_id.encode()).hexdigest()[:24]
    result = Submission(EntryDraft(token=token, notes_asked=True, covisitor_asked=True, problems_asked=True))
    draft, errors = result.draft, result.errors
    activity = profile.policy.find_activity(value_of(values, "activity") or "")
    if activity is None:
        errors["activity"] = t("Choose the activity.")
        return result
    draft.activity = activity.code
    try:
        when = read_when(" ".join(filter(None, [value_of(values, "day"), value_of(values, "time")])), local_now)
        draft.day, draft.time = when.day, when.time
    except WhenError as problem:
        errors["time" if problem.code == "future" and value_of(values, "time") else "day"] = \
            t(WHEN_ERRORS[problem.code], days=MAX_DAYS_BACK)
    if "student" in activity.fields:
        typed, picked = value_of(values, "student_typed"), value_of(values, "student")
        where = "student_typed" if typed or "student" not in values else "student"
        try:
            draft.student = clean_student_name(typed or picked or "")
        except DraftTextError as problem:
            errors[where] = t(NAME_ERRORS[problem.code], limit=problem.limit)
    if "duration" in activity.fields:
        try:
            draft.duration_minutes = read_duration(value_of(values, "duration") or "")
        except DurationError as problem:
            errors["duration"] = t(DURATION_ERRORS[problem.code])
    if notes := value_of(values, "notes"):
        try:
            draft.notes = clean_notes(notes)
        except DraftTextError as problem:
            errors["notes"] = t(NOTES_ERRORS[problem.code], limit=problem.limit, length=len(notes))
    if "covisitor" in activity.fields and (user_id := value_of(values, "covisitor")):
        colleague = await profile_for_account(db, SLACK, user_id)
        if colleague is None or colleague.school_id != profile.school_id or colleague.member_id == profile.member_id:
            errors["covisitor"] = t("Choose a colleague at your school, or leave this empty.")
        else:
            draft.covisitor_member_id, draft.covisitor_name = colleague.member_id, colleague.display_name
    if "problems" in activity.fields and (text := value_of(values, "problems")):
        problems = [line.strip() for line in text.splitlines() if line.strip()]
        try:
            draft.problems = [clean_problem_text(line) for line in problems[:MAX_PROBLEMS_PER_ENTRY]]
        except DraftTextError as problem:
            errors["problems"] = t(PROBLEM_TEXT_ERRORS[problem.code], limit=problem.limit,
                                   length=max(map(len, problems)))
    return result


async def save(db: Database, profile: Profile, draft: EntryDraft, now: dt.datetime) -> entries.Saved:
    return await entries.save_entry(db, profile, draft, source="slack", now=now)
