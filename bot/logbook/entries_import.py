"""Past records from a spreadsheet (CSV or xlsx): date, member, activity, student, duration, notes.

A school that starts mid-term brings in the visits made before the bot. Each row is
checked as the log conversation checks it — a known member and activity, no future
date, a student where the activity asks for one, a readable duration of at most 12
hours, notes of at most 1,000 characters — but without the 60-day limit. Every bad
row is reported with its line and all its problems; the good rows are stored.

Each entry's ``client_token`` is a hash of its content (and of how many identical
rows came before it in the file), so importing the same file again — or a longer
version of it — stores each entry once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.logbook.dates import DurationError, WhenError, parse_duration, parse_when
from bot.logbook.drafts import DraftTextError, clean_notes, clean_student_name
from bot.people.schools import SchoolError, policy_of
from bot.people.staff_import import BadRow
from bot.people.students import student_key
from bot.quotas.policy import Policy
from bot.reporting.tables import TableRow, read_table
from storage import entry_imports
from storage import repository as repo
from storage.db import Database
from storage.models import Member

ALIASES = {**{name: "date" for name in ("date", "day", "日期")},
           **{name: "member" for name in ("member", "name", "teacher", "教师", "成员", "姓名")},
           **{name: "activity" for name in ("activity", "type", "活动", "类型")},
           **{name: "student" for name in ("student", "family", "学生", "家庭")},
           **{name: "duration" for name in ("duration", "minutes", "时长", "用时")},
           **{name: "notes" for name in ("notes", "note", "备注", "记录")}}
REQUIRED = ("date", "member", "activity")
NO_LIMIT_DAYS = 365 * 100


@dataclass
class EntriesImport:
    added: int = 0
    already_there: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)


@dataclass
class _Lookups:
    """What rows are checked against, with the answers to repeated cells remembered."""

    policy: Policy
    members: dict[str, list[Member]]
    now: dt.datetime
    days: dict[str, dt.date | str] = field(default_factory=dict)
    durations: dict[str, int | str] = field(default_factory=dict)

    def day(self, text: str) -> dt.date | str:
        if text not in self.days:
            self.days[text] = self._day(text)
        return self.days[text]

    def _day(self, text: str) -> dt.date | str:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            try:
                day = parse_when(text, self.now, max_days_back=NO_LIMIT_DAYS).day
            except WhenError as error:
                return "the date is in the future" if error.code == "future" else \
                    f"cannot read the date {text!r}: use YYYY-MM-DD"
        return "the date is in the future" if day > self.now.date() else day

    def duration(self, text: str) -> int | str:
        if text not in self.durations:
            try:
                self.durations[text] = parse_duration(text)
            except DurationError as error:
                self.durations[text] = "the duration is over 12 hours" if error.code == "too_long" else \
                    f"cannot read the duration {text!r}: use minutes, e.g. 45 or 1h30"
        return self.durations[text]


def _entry(row: TableRow, lookups: _Lookups, school_id: int) -> tuple[dict[str, Any] | None, list[str]]:
    """The entry's columns, or every problem of the row."""
    cells, problems = row.cells, []
    day = lookups.day(cells["date"]) if cells.get("date") else "the date is missing"
    if isinstance(day, str):
        problems.append(day)
    found = lookups.members.get(student_key(cells.get("member", "")), [])
    if len(found) != 1:
        problems.append(f"no member called {cells.get('member')!r}" if not found else
                        f"{len(found)} members are called {cells.get('member')!r}")
    activity = lookups.policy.find_activity(cells.get("activity", "")) if cells.get("activity") else None
    if activity is None:
        problems.append(f"unknown activity {cells.get('activity', '')!r}" if cells.get("activity")
                        else "the activity is missing")
    student = duration = notes = None
    try:
        student = clean_student_name(cells.get("student", "")) if cells.get("student") else None
    except DraftTextError as error:
        problems.append(f"the student's name is longer than {error.limit} characters")
    if activity is not None and "student" in activity.fields and not cells.get("student"):
        problems.append("the student is missing")
    if cells.get("duration"):
        minutes = lookups.duration(cells["duration"])
        if isinstance(minutes, str):
            problems.append(minutes)
        else:
            duration = minutes
    elif activity is not None and "duration" in activity.fields:
        problems.append("the duration is missing")
    try:
        notes = clean_notes(cells["notes"]) if cells.get("notes") else None
    except DraftTextError as error:
        problems.append(f"the notes are longer than {error.limit} characters")
    if problems or activity is None or isinstance(day, str):
        return None, problems
    return {"school_id": school_id, "member_id": found[0].id, "activity_code": activity.code, "occurred_on": day,
            "student_name": student, "student_key": student_key(student) if student else None,
            "duration_minutes": duration, "notes": notes, "source": "import", "logged_at": lookups.now}, []


def _token(entry: dict[str, Any], repeat: int) -> str:
    content = "\x1f".join(str(entry[key]) for key in ("school_id", "member_id", "activity_code", "occurred_on",
                                                       "student_key", "duration_minutes", "notes"))
    return "import:" + hashlib.sha256(f"{content}\x1f{repeat}".encode()).hexdigest()[:40]


async def import_entries(db: Database, school_id: int, path: Path, now: dt.datetime) -> EntriesImport:
    """Store the file's good rows once each; report every bad row (see the module docstring)."""
    rows = read_table(path, ALIASES, REQUIRED)
    report = EntriesImport()
    async with db.transaction() as session:
        school = await repo.get_school(session, school_id)
        if school is None:
            raise SchoolError(f"no school with id {school_id}")
        members: dict[str, list[Member]] = {}
        for member in await repo.school_members(session, school_id):
            members.setdefault(student_key(member.display_name), []).append(member)
        lookups = _Lookups(policy_of(school), members, now.astimezone(zoneinfo.ZoneInfo(school.timezone)))
        seen: Counter[str] = Counter()
        entries = []
        for row in rows:
            entry, problems = _entry(row, lookups, school_id)
            if entry is None:
                report.bad_rows.append(BadRow(row.line, tuple(problems)))
                continue
            first_token = _token(entry, 0)
            entry["client_token"] = _token(entry, seen[first_token])
            seen[first_token] += 1
            entries.append(entry)
        report.added = await entry_imports.insert_new_entries(session, entries)
    report.already_there = len(entries) - report.added
    return report
