"""The rules of logging an entry: how far back a date may go, which tally a saved entry reports, and how a one-line
/log or a spoken sentence fills a draft. Plain functions over plain data; the log conversation
(`bot/chat/flows/log.py`) words them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from bot.logbook.dates import When, parse_duration, parse_when
from bot.logbook.drafts import DraftTextError, EntryDraft, clean_notes, clean_student_name
from bot.logbook.spoken import read_log_line
from bot.quotas.periods import period_bounds
from bot.quotas.policy import Policy

#: Activities further back than this are for a leader to record (`teachlog entries import` has no such limit).
MAX_DAYS_BACK = 60
#: After Save the member sees their count in the first of these periods that holds the entry's day.
TALLY_PERIODS = ("week", "month", "quarter")


def read_when(text: str, local_now: dt.datetime) -> When:
    """A typed date phrase, at most MAX_DAYS_BACK days back and not in the future; WhenError says why not."""
    return parse_when(text, local_now, max_days_back=MAX_DAYS_BACK)


def read_duration(text: str) -> int:
    """Minutes from a typed duration; DurationError says why not."""
    return parse_duration(text)


@dataclass(frozen=True)
class Tally:
    """The running count a saved entry counts in: its period and that period's days."""

    period: str
    start: dt.date
    end: dt.date


def tally_for(day: dt.date, today: dt.date, policy: Policy) -> Tally | None:
    """The current period (week, else month, else quarter) that holds `day`; None for a day before them all.

    The current one, so a backfilled entry never reads as "0 this week" when it counts this month.
    """
    for period in TALLY_PERIODS:
        bounds = period_bounds(period, today, policy)
        if bounds is not None and bounds[0] <= day <= bounds[1]:
            return Tally(period, *bounds)
    return None


@dataclass(frozen=True)
class Refusal:
    """A part of a one-liner that could not go into the draft: the field, the error code, what its text needs."""

    field: Literal["student", "notes", "when", "duration"]
    code: str
    limit: int = 0
    length: int = 0


@dataclass
class OneLiner:
    draft: EntryDraft
    refusals: list[Refusal] = field(default_factory=list)


def draft_from_one_liner(text: str, policy: Policy, local_now: dt.datetime,
                         students: Iterable[str] = ()) -> OneLiner:
    """A new draft from `/log <text>` or a spoken sentence, what of it could not be used, in the order it was said.

    `students` are the member's paired and recent students, the names a sentence is searched for first.
    """
    parsed = read_log_line(text, policy.aliases_map(), local_now, students=students, max_days_back=MAX_DAYS_BACK)
    draft, refusals = EntryDraft(), []
    if parsed.activity and policy.find_activity(parsed.activity):
        draft.activity = parsed.activity
    if parsed.student:
        try:
            draft.student = clean_student_name(parsed.student)
        except DraftTextError as problem:
            refusals.append(Refusal("student", problem.code, problem.limit))
    if parsed.when:
        draft.day, draft.time = parsed.when.day, parsed.when.time
    draft.duration_minutes = parsed.duration_minutes
    if parsed.notes:
        try:
            draft.notes = clean_notes(parsed.notes)
            draft.notes_asked = True
        except DraftTextError as problem:
            refusals.append(Refusal("notes", problem.code, problem.limit, len(parsed.notes)))
    for part, code in parsed.errors.items():
        if part == "when":
            refusals.append(Refusal("when", code, MAX_DAYS_BACK))
        elif part == "duration_minutes":
            refusals.append(Refusal("duration", code))
    if draft.activity is not None and (draft.student or draft.day or draft.duration_minutes is not None):
        # The line said what it had to say: an omitted note, colleague or problem is not asked for
        # (Edit still adds them).
        draft.notes_asked = draft.covisitor_asked = draft.problems_asked = True
    return OneLiner(draft, refusals)


def missing_step(draft: EntryDraft, policy: Policy) -> str | None:
    """What the chat would ask next for this draft ("activity" first); None when it is whole and only needs Save."""
    activity = policy.find_activity(draft.activity) if draft.activity else None
    if activity is None:
        return "activity"
    return draft.next_missing(activity.fields)
