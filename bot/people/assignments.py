"""Assigning members to places (plan 001: 蹲点班级, 联系党支部、备课组; plan 003: 联系点): add, list, remove.

Pairings (:mod:`bot.people.pairings`) assign a member to students; these assign a
member to places of a kind — a class, a party branch, a lesson-prep group, a
village or a contact point — with, optionally, the person in charge there
(plan 003's 负责人). Place names compare like student names (case and white
space do not matter), so assigning the same place again adds nothing. A
``scope: assigned_place`` rule is met place by place, counting entries whose
activity asks for a ``place``.

In a district, a contact point is a school: the name given (a unique part is enough) is matched against the
district's other schools and stored as that school's name, so visits logged at it count for the leader's
contact-point rules and the contact-point form. A name no school of the district has stays a place of its
own (an office, 股室, or a class).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.people.pairings import MemberDirectory, PairingError, describe
from bot.people.place_kinds import PLACE_KINDS
from bot.people.students import named, student_key
from storage import assignments as queries
from storage import districts as district_queries
from storage.db import Database, Transaction
from storage.models import Member, PlaceAssignment, School

MAX_PLACE_NAME = 60
CONTACT_POINT = "contact_point"


@dataclass(frozen=True)
class AssignmentView:
    member_id: int
    display_name: str
    kind: str
    place: str
    head: str | None = None
    school_id: int | None = None
    """The district's school the contact point is, when it is one."""


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
        point_school = await district_school_named(session, school_id, name) if kind == CONTACT_POINT else None
        if point_school is not None:
            name = point_school.name
        existing = await queries.find_assignment(session, found.id, kind, student_key(name))
        if existing is not None:
            if head_name is not None:
                existing.head_name = head_name
            return AssignmentOutcome(_view(existing, found.display_name, point_school), False)
        assignment = PlaceAssignment(school_id=school_id, member_id=found.id, kind=kind, place_name=name,
                                     place_key=student_key(name), head_name=head_name)
        session.add(assignment)
        await session.flush()
        return AssignmentOutcome(_view(assignment, found.display_name, point_school), True)


async def bureau_of_member(db: Database, member: str) -> int:
    """The school of the member a contact point is given to without a school: a member id's own school, else the
    bureau whose active member has that display name; PairingError when none has, or several bureaus do."""
    text = " ".join(member.split())
    async with db.transaction() as session:
        if text.lstrip("#").isdigit():
            found = await session.get(Member, int(text.lstrip("#")))
            if found is None:
                raise PairingError(f"no member with id {text.lstrip('#')}")
            return found.school_id
        matches = [(m, school) for m, school in await queries.bureau_members(session)
                   if student_key(m.display_name) == student_key(text)]
    bureaus = {school.id: school for _, school in matches}
    if len(bureaus) == 1:
        return next(iter(bureaus))
    if not bureaus:
        raise PairingError(f"no bureau has a member called {text!r}; give --school N")
    listed = ", ".join(f"{m.display_name} (#{m.id}) of {school.name} (school {school.id})" for m, school in matches)
    raise PairingError(f"{text!r} is a member of several bureaus: {listed}; give --school N or the member's id")


async def district_school_named(session: Transaction, school_id: int, name: str) -> School | None:
    """The other school of the school's district that `name` means; None outside a district or when no school
    is called so; PairingError when the name fits several."""
    school = await session.get(School, school_id)
    if school is None or school.district_id is None:
        return None
    others = [s for s in await district_queries.district_schools(session, school.district_id) if s.id != school_id]
    found = named(others, name, lambda s: s.name)
    if len(found) > 1:
        raise PairingError(f"{name!r} fits several schools of the district: {', '.join(s.name for s in found)}")
    return found[0] if found else None


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
        await queries.delete_assignment(session, existing)
        return view


async def assigned_place_names(db: Database, school_id: int, member_id: int) -> list[str]:
    """The names of a member's assigned places, oldest first: the choices when an entry asks for its place."""
    async with db.transaction() as session:
        rows = await queries.school_assignments(session, school_id, [member_id])
    return list(dict.fromkeys(row.place_name for row in rows))


def _view(row: PlaceAssignment, display_name: str, school: School | None = None) -> AssignmentView:
    return AssignmentView(row.member_id, display_name, row.kind, row.place_name, row.head_name,
                          school.id if school is not None else None)
