"""Button actions: the typed meaning of every inline button, and the one codec for its callback data.

Every button the bot shows carries ``encode(action)``; every tap is read back
with :func:`decode`, which returns ``None`` for anything the bot could not
have made — malformed, forged, out of range or too long — so the code behind a
button only ever sees a well-formed action of its kind. The wire format is
``prefix:part:part`` with a schema per kind (a button of one log draft adds
``#<draft id>``, so a button of an older draft is told apart): ids are positive and fit the
int32 ``Integer`` columns they are looked up in, choices are enumerated, codes
and tokens have a pattern and a length, and the whole fits Telegram's 64-byte
callback data. Platform-neutral: nothing here knows a chat platform.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

from bot.i18n import LANGUAGES

#: Telegram's limit on an inline button's callback data, in UTF-8 bytes.
MAX_DATA_BYTES = 64
#: The largest id an ``Integer`` column holds on PostgreSQL (int32).
MAX_ID = 2**31 - 1
#: More recent student names than the log conversation ever offers as buttons.
MAX_NAME_CHOICES = 100
MAX_DURATION_MINUTES = 720
MAX_PAGE = 10_000

_INVALID = object()
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,9}")  # no sign, no leading zeros, no exponent: at most ten digits


class Part(Protocol):
    """One ``:``-separated part of the data: checked both when it is written and when it is read."""

    def parse(self, text: str) -> Any: ...

    def format(self, value: object) -> str: ...


@dataclass(frozen=True)
class Number:
    """A whole number in ``[low, high]``; ``none_word`` (if set) stands for ``None``."""

    low: int
    high: int
    none_word: str | None = None

    def parse(self, text: str) -> object:
        if self.none_word is not None and text == self.none_word:
            return None
        if not _DECIMAL.fullmatch(text):
            return _INVALID
        value = int(text)
        return value if self.low <= value <= self.high else _INVALID

    def format(self, value: object) -> str:
        if value is None and self.none_word is not None:
            return self.none_word
        if not isinstance(value, int) or isinstance(value, bool) or not self.low <= value <= self.high:
            raise ValueError(f"{value!r} is not a number in [{self.low}, {self.high}]")
        return str(value)


@dataclass(frozen=True)
class Word:
    """Text matching ``pattern`` in full."""

    pattern: re.Pattern[str]

    @classmethod
    def one_of(cls, *choices: str) -> Word:
        return cls(re.compile("|".join(map(re.escape, choices))))

    def parse(self, text: str) -> object:
        return text if self.pattern.fullmatch(text) else _INVALID

    def format(self, value: object) -> str:
        if not isinstance(value, str) or not self.pattern.fullmatch(value):
            raise ValueError(f"{value!r} does not match {self.pattern.pattern}")
        return value


ID = Number(1, MAX_ID)
ACTIVITY_CODE = Word(re.compile(r"[a-z][a-z0-9_]{0,47}"))  # the policy's code pattern, bounded
DRAFT_TOKEN = Word(re.compile(r"[0-9a-f]{8,32}"))
DRAFT_MARK = "#"
DRAFT_ID = Word(re.compile(r"[0-9a-f]{8}"))
Frequency = Literal["daily", "weekly", "off"]
EntryStep = Literal["activity", "student", "covisitor", "when", "duration", "notes", "problems", "done"]


# --- the log conversation ------------------------------------------------------------------------

@dataclass(frozen=True)
class LogNow:
    """A reminder's "Log now": start logging with the activity chosen."""

    activity: str
    PREFIX: ClassVar[str] = "lognow"
    PARTS: ClassVar[tuple[Part, ...]] = (ACTIVITY_CODE,)


@dataclass(frozen=True)
class ChooseActivity:
    activity: str
    PREFIX: ClassVar[str] = "act"
    PARTS: ClassVar[tuple[Part, ...]] = (ACTIVITY_CODE,)


@dataclass(frozen=True)
class ChooseStudent:
    """One of the recent names offered, by its position in the offer."""

    index: int
    PREFIX: ClassVar[str] = "stu"
    PARTS: ClassVar[tuple[Part, ...]] = (Number(0, MAX_NAME_CHOICES - 1),)


@dataclass(frozen=True)
class ChoosePlace:
    """One of the member's assigned places offered, by its position in the offer."""

    index: int
    PREFIX: ClassVar[str] = "place"
    PARTS: ClassVar[tuple[Part, ...]] = (Number(0, MAX_NAME_CHOICES - 1),)


@dataclass(frozen=True)
class ChooseCovisitor:
    """A colleague who came along, or ``None`` for "No, alone"."""

    member_id: int | None
    PREFIX: ClassVar[str] = "cov"
    PARTS: ClassVar[tuple[Part, ...]] = (Number(1, MAX_ID, none_word="none"),)


@dataclass(frozen=True)
class ChooseDay:
    day: Literal["today", "yesterday"]
    PREFIX: ClassVar[str] = "when"
    PARTS: ClassVar[tuple[Part, ...]] = (Word.one_of("today", "yesterday"),)


@dataclass(frozen=True)
class ChooseDuration:
    minutes: int
    PREFIX: ClassVar[str] = "dur"
    PARTS: ClassVar[tuple[Part, ...]] = (Number(1, MAX_DURATION_MINUTES),)


@dataclass(frozen=True)
class SkipNotes:
    PREFIX: ClassVar[str] = "notes:skip"
    PARTS: ClassVar[tuple[Part, ...]] = ()


@dataclass(frozen=True)
class AnswerProblems:
    """At the problems step: none raised, done listing them, or clear the list."""

    choice: Literal["none", "done", "clear"]
    PREFIX: ClassVar[str] = "problems"
    PARTS: ClassVar[tuple[Part, ...]] = (Word.one_of("none", "done", "clear"),)


@dataclass(frozen=True)
class SaveEntry:
    """Save the draft whose token the summary showed (a second tap finds it saved)."""

    token: str
    PREFIX: ClassVar[str] = "save"
    PARTS: ClassVar[tuple[Part, ...]] = (DRAFT_TOKEN,)


@dataclass(frozen=True)
class EditEntry:
    PREFIX: ClassVar[str] = "edit"
    PARTS: ClassVar[tuple[Part, ...]] = ()


@dataclass(frozen=True)
class CancelEntry:
    PREFIX: ClassVar[str] = "cancel"
    PARTS: ClassVar[tuple[Part, ...]] = ()


@dataclass(frozen=True)
class EditField:
    """Which part of the draft to change, or ``done`` for back to the summary."""

    field: EntryStep
    PREFIX: ClassVar[str] = "editf"
    PARTS: ClassVar[tuple[Part, ...]] = (
        Word.one_of("activity", "student", "covisitor", "when", "duration", "notes", "problems", "done"),)


# --- /undo, /settings, reminders -----------------------------------------------------------------

@dataclass(frozen=True)
class UndoEntry:
    """Remove the entry /undo showed, or ``None`` for "No, keep it"."""

    entry_id: int | None
    PREFIX: ClassVar[str] = "undo"
    PARTS: ClassVar[tuple[Part, ...]] = (Number(1, MAX_ID, none_word="keep"),)


@dataclass(frozen=True)
class SetLanguage:
    language: str
    PREFIX: ClassVar[str] = "lang"
    PARTS: ClassVar[tuple[Part, ...]] = (Word.one_of(*LANGUAGES),)


@dataclass(frozen=True)
class SetReminders:
    frequency: Frequency
    PREFIX: ClassVar[str] = "remind"
    PARTS: ClassVar[tuple[Part, ...]] = (Word.one_of("daily", "weekly", "off"),)


@dataclass(frozen=True)
class Snooze:
    """A reminder's "Remind me tomorrow"."""

    PREFIX: ClassVar[str] = "snooze"
    PARTS: ClassVar[tuple[Part, ...]] = ()


# --- /problems -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AssignProblem:
    problem_id: int
    PREFIX: ClassVar[str] = "prb:assign"
    PARTS: ClassVar[tuple[Part, ...]] = (ID,)


@dataclass(frozen=True)
class CloseProblem:
    problem_id: int
    PREFIX: ClassVar[str] = "prb:close"
    PARTS: ClassVar[tuple[Part, ...]] = (ID,)


@dataclass(frozen=True)
class AssignTo:
    """The member a problem being assigned goes to."""

    member_id: int
    PREFIX: ClassVar[str] = "prb:to"
    PARTS: ClassVar[tuple[Part, ...]] = (ID,)


@dataclass(frozen=True)
class CandidatesPage:
    page: int
    PREFIX: ClassVar[str] = "prb:page"
    PARTS: ClassVar[tuple[Part, ...]] = (Number(0, MAX_PAGE),)


# --- /record --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChooseRecord:
    """The kind of written record being sent (a code of the policy's ``records``)."""

    kind: str
    PREFIX: ClassVar[str] = "rec"
    PARTS: ClassVar[tuple[Part, ...]] = (ACTIVITY_CODE,)


# --- /report district ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ShowSchoolReport:
    """A button under a district report: one school's overview over the same period (``this`` or ``last``)."""

    school_id: int
    kind: str
    which: str
    PREFIX: ClassVar[str] = "rep:school"
    PARTS: ClassVar[tuple[Part, ...]] = (ID, Word.one_of("week", "month", "quarter", "term", "year"),
                                         Word.one_of("this", "last"))


Action = (LogNow | ChooseActivity | ChooseStudent | ChoosePlace | ChooseCovisitor | ChooseDay | ChooseDuration
          | SkipNotes | AnswerProblems | SaveEntry | EditEntry | CancelEntry | EditField | UndoEntry | SetLanguage
          | SetReminders | Snooze | AssignProblem | CloseProblem | AssignTo | CandidatesPage | ChooseRecord
          | ShowSchoolReport)
ACTION_KINDS: tuple[type[Action], ...] = (
    LogNow, ChooseActivity, ChooseStudent, ChoosePlace, ChooseCovisitor, ChooseDay, ChooseDuration, SkipNotes,
    AnswerProblems, SaveEntry, EditEntry, CancelEntry, EditField, UndoEntry, SetLanguage, SetReminders, Snooze,
    AssignProblem, CloseProblem, AssignTo, CandidatesPage, ChooseRecord, ShowSchoolReport)
_BY_PREFIX: dict[str, type[Action]] = {kind.PREFIX: kind for kind in ACTION_KINDS}
_LONGEST_PREFIX = max(kind.PREFIX.count(":") + 1 for kind in ACTION_KINDS)


@dataclass(frozen=True)
class ForDraft:
    """An action on one log draft's button: its data ends with the draft's id."""

    action: Action
    draft_id: str


def encode(action: Action | ForDraft) -> str:
    """The callback data of a button; ``ValueError`` if the action breaks its own schema or the size limit."""
    if isinstance(action, ForDraft):
        data = _encode_parts(action.action) + DRAFT_MARK + DRAFT_ID.format(action.draft_id)
    else:
        data = _encode_parts(action)
    if len(data.encode()) > MAX_DATA_BYTES:
        raise ValueError(f"callback data {data!r} is longer than {MAX_DATA_BYTES} bytes")
    return data


def _encode_parts(action: Action) -> str:
    values = [getattr(action, field.name) for field in dataclasses.fields(action)]
    return ":".join([action.PREFIX, *(part.format(value) for part, value in zip(action.PARTS, values, strict=True))])


def _split_draft_id(data: str) -> tuple[str, str | None] | None:
    """The data without its draft id, and the id; ``None`` when the id is malformed."""
    body, mark, draft_id = data.partition(DRAFT_MARK)
    if not mark:
        return body, None
    return (body, draft_id) if DRAFT_ID.parse(draft_id) is not _INVALID else None


def decode(data: object) -> Action | None:
    """The action behind a tap's data, or ``None`` when no button of this bot could carry it."""
    if not isinstance(data, str) or not data or len(data.encode()) > MAX_DATA_BYTES:
        return None
    split = _split_draft_id(data)
    if split is None:
        return None
    tokens = split[0].split(":")
    for length in range(1, min(_LONGEST_PREFIX, len(tokens)) + 1):
        kind = _BY_PREFIX.get(":".join(tokens[:length]))
        if kind is not None and len(tokens) - length == len(kind.PARTS):
            values = [part.parse(text) for part, text in zip(kind.PARTS, tokens[length:], strict=True)]
            if any(value is _INVALID for value in values):
                return None
            return kind(*values)
    return None


def draft_id_of(data: object) -> str | None:
    """The draft id a log button's data ends with; ``None`` for a button of no draft or malformed data."""
    if decode(data) is None:
        return None
    split = _split_draft_id(str(data))
    return split[1] if split else None
