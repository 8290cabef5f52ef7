"""Pairing members with students (结对帮扶): one at a time, from a roster, listing and removing.

A member is named by id or by display name; a name must be unique among the
school's active members (compared like student names: case and white space do
not matter). A student is paired with a member once: "Li Lei" and "li  lei"
are the same student (:func:`bot.people.students.student_key`), so pairing again adds
nothing. Members of another school are refused.
"""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.clean_text import clean_name
from bot.people.roster import RosterRow, read_roster
from bot.people.schools import SchoolError
from bot.people.students import student_key
from storage import pairings as pairing_queries
from storage import repository as repo
from storage.db import Database, Transaction
from storage.errors import ConstraintViolation
from storage.models import Member, Pairing

MAX_STUDENT_NAME = 60
MAX_SUGGESTIONS = 5
T = TypeVar("T")


class PairingError(SchoolError):
    """A pairing request that cannot be carried out; the message says why, in one line."""


@dataclass(frozen=True)
class PairingView:
    member_id: int
    display_name: str
    student_name: str


@dataclass(frozen=True)
class PairingOutcome:
    """What `pair add` did: ``created`` is False when the member was already paired with the student."""

    pairing: PairingView
    created: bool


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass(frozen=True)
class RosterReport:
    """What a roster import did; bad rows were skipped, every good row was imported."""

    paired: int
    already_paired: int
    bad_rows: tuple[BadRow, ...]

    @property
    def good_rows(self) -> int:
        return self.paired + self.already_paired


def clean_student_name(text: str | None) -> str:
    """A student's name, cleaned as every stored name is; PairingError when empty or longer than 60 characters."""
    name = clean_name(text or "")
    if not name:
        raise PairingError("empty student name")
    if len(name) > MAX_STUDENT_NAME:
        raise PairingError(f"student name too long ({len(name)} characters; at most {MAX_STUDENT_NAME})")
    return name


def describe(member: Member) -> str:
    """How a member is named in messages: ``王芳 (#3)``."""
    return f"{member.display_name} (#{member.id})"


class MemberDirectory:
    """The members of one school, to find the one a command or roster row names."""

    def __init__(self, school_id: int, members: Sequence[Member]) -> None:
        self.school_id = school_id
        self.by_id = {member.id: member for member in members}
        self.by_name: dict[str, list[Member]] = {}
        for member in members:
            if member.active:
                self.by_name.setdefault(student_key(member.display_name), []).append(member)

    @classmethod
    async def load(cls, session: Transaction, school_id: int) -> MemberDirectory:
        """Every member of the school, in one query; SchoolError when there is no such school."""
        if await repo.get_school(session, school_id) is None:
            raise SchoolError(f"no school with id {school_id}")
        return cls(school_id, await repo.school_members(session, school_id, active_only=False))

    async def find(self, session: Transaction, reference: str | None) -> Member:
        """The active member ``reference`` names (an id, or a unique display name); PairingError if none."""
        text = " ".join((reference or "").split())
        if not text:
            raise PairingError("empty member")
        if text.lstrip("#").isdigit():
            member = await self._by_id(session, int(text.lstrip("#")))
            if member is not None:
                return member
        matches = self.by_name.get(student_key(text), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            listed = ", ".join(f"{m.display_name} (#{m.id}, {m.role})" for m in matches)
            raise PairingError(f"ambiguous member {text!r}: {listed}; use the id")
        raise PairingError(self._unknown(text))

    async def _by_id(self, session: Transaction, member_id: int) -> Member | None:
        member = self.by_id.get(member_id)
        if member is None:
            elsewhere = await repo.get_member(session, member_id)
            if elsewhere is not None:
                raise PairingError(f"member {member_id} belongs to another school, not school {self.school_id}")
            return None
        if not member.active:
            raise PairingError(f"member {describe(member)} has left school {self.school_id}")
        return member

    def _unknown(self, text: str) -> str:
        names = {key: members[0].display_name for key, members in self.by_name.items()}
        close = difflib.get_close_matches(student_key(text), list(names), n=MAX_SUGGESTIONS, cutoff=0.5)
        message = f"unknown member {text!r}: no member of school {self.school_id} has that id or name"
        if close:
            suggestions = ", ".join(describe(m) for key in close for m in self.by_name[key])
            message += f" (did you mean {suggestions}?)"
        return message


async def add_pairing(db: Database, school_id: int, member: str, student: str) -> PairingOutcome:
    """Pair a member of the school with a student; pairing the same student again adds nothing."""
    name = clean_student_name(student)

    async def attempt() -> PairingOutcome:
        async with db.transaction() as session:
            found = await (await MemberDirectory.load(session, school_id)).find(session, member)
            existing = await pairing_queries.find_pairing(session, found.id, student_key(name))
            if existing is not None:
                return PairingOutcome(PairingView(found.id, found.display_name, existing.student_name), False)
            await pairing_queries.add_pairings(session, [_new_pairing(school_id, found.id, name)])
            return PairingOutcome(PairingView(found.id, found.display_name, name), True)

    return await _retry_once_on_conflict(attempt)


async def list_pairings(db: Database, school_id: int, member: str | None = None) -> list[PairingView]:
    """The school's pairings, or one member's, by member id then in the order they were made."""
    async with db.transaction() as session:
        directory = await MemberDirectory.load(session, school_id)
        member_id = None if member is None else (await directory.find(session, member)).id
        pairings = await pairing_queries.school_pairings(session, school_id, member_id)
        return [PairingView(p.member_id, directory.by_id[p.member_id].display_name, p.student_name)
                for p in pairings]


async def remove_pairing(db: Database, school_id: int, member: str, student: str) -> PairingView:
    """Unpair a member and a student; PairingError when they were not paired."""
    name = clean_student_name(student)
    async with db.transaction() as session:
        found = await (await MemberDirectory.load(session, school_id)).find(session, member)
        existing = await pairing_queries.find_pairing(session, found.id, student_key(name))
        if existing is None:
            raise PairingError(f"{describe(found)} is not paired with {name!r}")
        await pairing_queries.delete_pairing(session, found.id, existing.student_key)
        return PairingView(found.id, found.display_name, existing.student_name)


async def import_roster(db: Database, school_id: int, text: str) -> RosterReport:
    """Pair every good row of a roster CSV in one transaction, and say what happened to each bad one.

    A header without a member or a student column raises
    :class:`bot.people.roster.RosterHeaderError` before anything is imported.
    """
    rows = read_roster(text)

    async def attempt() -> RosterReport:
        async with db.transaction() as session:
            directory = await MemberDirectory.load(session, school_id)
            paired = await pairing_queries.paired_keys(session, school_id)
            new: list[Pairing] = []
            already, bad = 0, []
            for row in rows:
                try:
                    member, name = await _row_pairing(session, directory, row)
                except PairingError as error:
                    bad.append(BadRow(row.line, str(error)))
                    continue
                key = (member.id, student_key(name))
                if key in paired:
                    already += 1
                    continue
                paired.add(key)
                new.append(_new_pairing(school_id, member.id, name))
            await pairing_queries.add_pairings(session, new)
            return RosterReport(len(new), already, tuple(bad))

    return await _retry_once_on_conflict(attempt)


async def _row_pairing(session: Transaction, directory: MemberDirectory, row: RosterRow) -> tuple[Member, str]:
    """The row's member and student; PairingError naming every problem of the row, joined by "; "."""
    problems: list[str] = []
    member = name = None
    try:
        member = await directory.find(session, row.member) if row.member is not None else None
    except PairingError as error:
        problems.append(str(error))
    if row.member is None:
        problems.append("missing column 'member'")
    try:
        name = clean_student_name(row.student) if row.student is not None else None
    except PairingError as error:
        problems.append(str(error))
    if row.student is None:
        problems.append("missing column 'student'")
    if problems or member is None or name is None:
        raise PairingError("; ".join(problems))
    return member, name


def _new_pairing(school_id: int, member_id: int, name: str) -> Pairing:
    return Pairing(school_id=school_id, member_id=member_id, student_name=name, student_key=student_key(name))


async def _retry_once_on_conflict(attempt: Callable[[], Awaitable[T]]) -> T:
    """Run ``attempt``; if a concurrent writer paired the same student first, run it again (it then sees that)."""
    try:
        return await attempt()
    except ConstraintViolation:
        return await attempt()
