"""Bringing a school's staff in from its organisation's directory (DingTalk's departments and users).

Platform-neutral: it takes the people a platform's directory lists, as
(department, user id, name), and makes each a member of the school with their
account on that platform already linked, so nobody needs an invite. A person in
several departments is one member; their role is the one given for the first of
their departments that has one (`--role DEPT=ROLE`), else the school's default
role. Running it again changes nothing twice: a person whose account is linked
is left alone (or given the role now asked for), a member the roster imported
under the same name gets the account, and only the rest are added.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.people.membership import clean_display_name
from bot.people.schools import SchoolError, existing_school, policy_of
from bot.people.staff_import import role_words_of
from bot.people.students import student_key
from bot.quotas.policy import Policy
from storage import repository as repo
from storage.db import Database
from storage.models import Member

#: The role of people whose departments were given none, the first of these the school's policy has.
DEFAULT_ROLES = ("teacher", "staff")


@dataclass(frozen=True)
class DirectoryPerson:
    """One person as a directory lists them, in one of their departments."""

    department: str
    user_id: str
    name: str


@dataclass
class DirectorySync:
    """What a sync did, by name (the role beside each added one)."""

    added: list[tuple[str, str]] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: People left out, each with why (another school's member, a name that is no name).
    skipped: list[tuple[str, str]] = field(default_factory=list)


class DirectoryRoleError(SchoolError):
    """A `--role DEPT=ROLE` names no department of the directory, or no role of the school."""


def default_role(policy: Policy) -> str:
    return next((code for code in DEFAULT_ROLES if code in policy.role_codes), policy.role_codes[-1])


def department_roles(policy: Policy, roles: Mapping[str, str], departments: set[str]) -> dict[str, str]:
    """The role code for each department given one; DirectoryRoleError for an unknown department or role."""
    words = role_words_of(policy)
    chosen = {}
    for department, role in roles.items():
        if department not in departments:
            known = "、".join(sorted(d for d in departments if d)) or "none"
            raise DirectoryRoleError(f"no department {department!r} in the directory: it has {known}")
        code = words.get(role.strip().casefold())
        if code is None:
            raise DirectoryRoleError(f"unknown role {role!r} for {department}: use one of "
                                     f"{', '.join(policy.role_codes)}")
        chosen[department] = code
    return chosen


def people_by_account(people: Sequence[DirectoryPerson]) -> dict[str, tuple[str, list[str]]]:
    """Each user id once, in directory order: their name and all their departments."""
    found: dict[str, tuple[str, list[str]]] = {}
    for person in people:
        name, departments = found.setdefault(person.user_id, (person.name, []))
        if person.department not in departments:
            departments.append(person.department)
    return found


async def sync_staff(db: Database, school_id: int, platform: str, people: Sequence[DirectoryPerson],
                     roles: Mapping[str, str], now: dt.datetime) -> DirectorySync:
    """Make every person of the directory a member with a linked account (see the module docstring)."""
    report = DirectorySync()
    async with db.transaction() as session:
        school = await existing_school(session, school_id)
        policy = policy_of(school)
        by_department = department_roles(policy, roles, {person.department for person in people})
        fallback = default_role(policy)
        today = now.astimezone(zoneinfo.ZoneInfo(school.timezone)).date()
        unlinked = {student_key(m.display_name): m for m in await repo.school_members(session, school_id)}
        linked_ids = await repo.members_with_account_on(session, [m.id for m in unlinked.values()], platform)
        unlinked = {key: m for key, m in unlinked.items() if m.id not in linked_ids}
        for user_id, (raw_name, departments) in people_by_account(people).items():
            name = clean_display_name(raw_name)
            if name is None:
                report.skipped.append((raw_name or user_id, "the directory gives no usable name"))
                continue
            asked = next((by_department[d] for d in departments if d in by_department), None)
            member = await repo.member_by_account(session, platform, user_id)
            if member is not None and member.school_id != school_id:
                report.skipped.append((name, "already a member of another school"))
            elif member is not None:
                if asked is not None and member.role != asked:
                    member.role = asked
                    report.updated.append(name)
                else:
                    report.unchanged.append(name)
            elif (existing := unlinked.pop(student_key(name), None)) is not None:
                if asked is not None:
                    existing.role = asked
                await repo.add_account(session, existing, platform, user_id, now)
                report.linked.append(name)
            else:
                role = asked or fallback
                member = Member(school_id=school_id, role=role, display_name=name, joined_on=today)
                session.add(member)
                await session.flush()
                await repo.add_account(session, member, platform, user_id, now)
                report.added.append((name, role))
    return report
