"""An entry being composed in a conversation: plain data that survives a restart as JSON."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from bot.clean_text import clean_name

MAX_STUDENT_NAME = 60
MAX_NOTES = 1000
FIELD_ORDER = ("student", "place", "covisitor", "when", "duration", "notes", "problems")


@dataclass
class EntryDraft:
    """What the teacher has told us so far; `token` makes a double-tapped Save store one entry."""

    activity: str | None = None
    student: str | None = None
    #: Where it happened, for activities asking for a ``place`` (one of the member's assigned places, or typed).
    place: str | None = None
    day: dt.date | None = None
    time: dt.time | None = None
    duration_minutes: int | None = None
    notes: str | None = None
    covisitor_member_id: int | None = None
    covisitor_name: str | None = None
    problems: list[str] = field(default_factory=list)
    notes_asked: bool = False
    covisitor_asked: bool = False
    problems_asked: bool = False
    token: str = field(default_factory=lambda: secrets.token_hex(8))

    @property
    def short_id(self) -> str:
        """Enough of the token to tell this draft's buttons from an older draft's."""
        return self.token[:8]

    def to_json(self) -> dict:
        # Field by field, not `asdict`, which deep-copies every value: this runs at every step of /log.
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["problems"] = list(self.problems)
        data["day"] = self.day.isoformat() if self.day else None
        data["time"] = self.time.isoformat(timespec="minutes") if self.time else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> EntryDraft:
        values = dict(data)
        values["day"] = dt.date.fromisoformat(values["day"]) if values.get("day") else None
        values["time"] = dt.time.fromisoformat(values["time"]) if values.get("time") else None
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in values.items() if k in known})

    def take_from(self, said: EntryDraft) -> None:
        """What a later sentence said (`said`), over what this draft has; its token stays."""
        for name in ("activity", "student", "day", "time", "duration_minutes", "notes"):
            if getattr(said, name) is not None:
                setattr(self, name, getattr(said, name))
        self.notes_asked = self.notes_asked or said.notes_asked
        self.covisitor_asked = self.covisitor_asked or said.covisitor_asked
        self.problems_asked = self.problems_asked or said.problems_asked

    def next_missing(self, fields: list[str] | tuple[str, ...]) -> str | None:
        """The first step still to ask for, given the fields the activity wants."""
        for name in FIELD_ORDER:
            if name == "when":
                if self.day is None:
                    return "when"
            elif name not in fields:
                continue
            elif name == "student" and not self.student:
                return "student"
            elif name == "place" and not self.place:
                return "place"
            elif name == "covisitor" and not self.covisitor_asked:
                return "covisitor"
            elif name == "duration" and self.duration_minutes is None:
                return "duration"
            elif name == "notes" and not self.notes_asked and self.notes is None:
                return "notes"
            elif name == "problems" and not self.problems_asked:
                return "problems"
        return None


class DraftTextError(ValueError):
    """Typed text that cannot go into a draft; `.code` says why ('empty', 'too_long')."""

    def __init__(self, code: str, limit: int = 0) -> None:
        super().__init__(code)
        self.code, self.limit = code, limit


def clean_student_name(text: str) -> str:
    """A typed student or family name, cleaned as every stored name is; DraftTextError when empty or too long."""
    name = clean_name(text)
    if not name:
        raise DraftTextError("empty")
    if len(name) > MAX_STUDENT_NAME:
        raise DraftTextError("too_long", MAX_STUDENT_NAME)
    return name


def clean_notes(text: str) -> str:
    notes = text.strip()
    if not notes:
        raise DraftTextError("empty")
    if len(notes) > MAX_NOTES:
        raise DraftTextError("too_long", MAX_NOTES)
    return notes
