"""Assigning members to places (plan 001: 蹲点班级, 联系党支部、备课组; plan 003: 联系点): add, list, remove.

Pairings (:mod:`bot.people.pairings`) assign a member to students; these assign a
member to places of a kind — a class, a party branch, a lesson-prep group, a
village or a contact point — with, optionally, the person in charge there
(plan 003's 负责人). Place names compare like student names (case and white
space do not matter), so assigning the same place again adds nothing. A
``scope: assigned_place`` rule is met place by place, counting entries whose
activity asks for a ``place``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.people.pairings import MemberDirectory, PairingError, describe
from bot.people.place_kinds import PLACE_KINDS
from bot.people.students import student_key
from storage import assignments as queries
from storage.db import Database
from storage.models import PlaceAssignment

MAX_PLACE_NAME = 60


@dataclass(frozen=True)
class AssignmentView:
    member_id: int
    display_name: str
    kind: str
    place: str
    head: str | None = None


@dataclass(frozen=True)
class AssignmentOutcome:
    """What `pair add --place` did: ``created`` is False when the member was already assigned there."""

    assignment: AssignmentView
    created: bool


def clean_place_name(text: str | None, what: str = "place name") -> str:
    """A place's (or its head's) name with white space tidied; PairingError when empty or too long."""
    name = " ".join((text or "").split())
    if not name:
        raise PairingError(f"empty {what}")
    if len(name) > MAX_PLACE_NAME:
        raise PairingError(f"{what} too long ({len(name)} characters; at most {MAX_PLACE_NAME})")
    return name


def check_kind(kind: str) -> str:
    """``kind`` if it is a known place kind; PairingError listing them otherwise."""
    if kind not in PLACE_KINDS:
        kinds = ", ".join(f"{code} ({zh})" for code, zh in PLACE_KINDS.items())
        raise PairingError(f"unknown place kind {kind!r}: use one of {kinds}")
    return kind


async def add_assignment(db: Database, school_id: int, member: str, kind: str, place: str,
                         head: str | None = None) -> AssignmentOutcome:
    """Assign a member of the school to a place; the same place again only updates who is in charge there."""
    name, kind = clean_place_name(place), check_kind(kind)
    head_name = clean_place_name(head, "name of the person in charge") if head is not None else None
    async with db.transaction() as session:
        found = await (await MemberDirectory.load(session, school_id)).find(session, member)
        existing = await queries.find_assignment(session, found.id, kind, student_key(name))
        if existing is not None:
            if head_name is not None:
                existing.head_name = head_name
            return AssignmentOutcome(_view(existing, found.display_name), False)
        assignment = PlaceAssignment(school_id=school_id, member_id=found.id, kind=kind, place_name=name,
                                     place_key=student_key(name), head_name=head_name)
        session.add(assignment)
        await session.flush()
        return AssignmentOutcome(_view(assignment, found.display_name), True)


async def list_assignments(db: Database, school_id: int, member: str | None = None) -> list[AssignmentView]:
    """The school's place assignments, or one member's, by member id then in the order they were made."""
    async with db.transaction() as session:
        directory = await MemberDirectory.load(session, school_id)
        member_ids = None if member is None else [(await directory.find(session, member)).id]
        rows = await queries.school_assignments(session, school_id, member_ids)
        return [_view(row, directory.by_id[row.member_id].display_name) for row in rows]


async def remove_assignment(db: Database, school_id: int, member: str, kind: str, place: str) -> AssignmentView:
    """Take a member off a place; PairingError when they were not assigned there."""
    name, kind = clean_place_name(place), check_kind(kind)
    async with db.transaction() as session:
        found = await (await MemberDirectory.load(session, school_id)).find(session, member)
        existing = await queries.find_assignment(session, found.id, kind, student_key(name))
        if existing is None:
            raise PairingError(f"{describe(found)} is not assigned to {kind} {name!r}")
        view = _view(existing, found.display_name)
        await queries.delete_assignment(session, existing.id)
        return view


async def assigned_place_names(db: Database, school_id: int, member_id: int) -> list[str]:
    """The names of a member's assigned places, oldest first: the choices when an entry asks for its place."""
    async with db.transaction() as session:
        rows = await queries.school_assignments(session, school_id, [member_id])
    return list(dict.fromkeys(row.place_name for row in rows))


def _view(row: PlaceAssignment, display_name: str) -> AssignmentView:
    return AssignmentView(row.member_id, display_name, row.kind, row.place_name, row.head_name)
