"""Pre-registering a school's staff from a roster (CSV or xlsx of name, role, optional counts_from).

A school that adopts the bot mid-term imports its staff first: each becomes a member
without a chat account ("not joined yet") whom the digest lists and reports count, and
whom a personal invite (`teachlog invite create --member NAME`) binds to the person who
opens it. Every problem of every bad row is reported with its line; nothing is imported
while any row is bad. Importing the same file again changes nothing: a member is matched
by name (spaces and case ignored).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from bot.people.membership import clean_display_name
from bot.people.schools import existing_school, policy_of
from bot.people.students import student_key
from bot.quotas.policy import Policy
from bot.reporting.tables import read_table
from storage import repository as repo
from storage.db import Database
from storage.models import Member

ALIASES = {"name": "name", "姓名": "name", "教师": "name", "成员": "name", "member": "name",
           "role": "role", "职务": "role", "角色": "role",
           "counts_from": "counts_from", "counts from": "counts_from", "起算日期": "counts_from"}


@dataclass(frozen=True)
class BadRow:
    line: int
    problems: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.problems)


@dataclass
class StaffImport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)


def role_words_of(policy: Policy) -> dict[str, str]:
    """Each way a role may be written (its code, its Chinese and English labels), casefolded, to its code."""
    words = {code.casefold(): code for code in policy.role_codes}
    return words | {role.label(lang).casefold(): role.code for role in policy.roles for lang in ("zh", "en")}


def parse_day(text: str) -> dt.date:
    """'2026-09-01' (also 2026/9/1); ValueError otherwise."""
    return dt.date(*(int(part) for part in text.replace("/", "-").split("-")))


@dataclass(frozen=True)
class _Staff:
    name: str
    role: str
    counts_from: dt.date | None


def _check(cells: dict[str, str], roles: tuple[str, ...],
           role_words: dict[str, str]) -> tuple[_Staff | None, list[str]]:
    """The row's staff member, or every problem in it."""
    problems = []
    name = clean_display_name(cells.get("name", ""))
    if name is None:
        problems.append("the name is missing or not a name" if cells.get("name") else "the name is missing")
    role_text = cells.get("role", "")
    role = role_words.get(role_text.casefold())
    if role is None:
        problems.append(f"unknown role {role_text!r}: use one of {', '.join(roles)}" if role_text
                        else "the role is missing")
    counts_from = None
    if cells.get("counts_from"):
        try:
            counts_from = parse_day(cells["counts_from"])
        except (ValueError, TypeError):
            problems.append(f"cannot read the date {cells['counts_from']!r}: use YYYY-MM-DD")
    if problems or name is None or role is None:
        return None, problems
    return _Staff(name, role, counts_from), []


async def import_staff(db: Database, school_id: int, path: Path, now: dt.datetime) -> StaffImport:
    """Pre-register the roster's staff (see the module docstring); nothing is stored when a row is bad."""
    rows = read_table(path, ALIASES, ("name", "role"))
    report = StaffImport()
    async with db.transaction() as session:
        school = await existing_school(session, school_id)
        policy = policy_of(school)
        role_words = role_words_of(policy)
        staff: list[tuple[int, _Staff]] = []
        seen: dict[str, int] = {}
        for row in rows:
            found, problems = _check(dict(row.cells), policy.role_codes, role_words)
            if found is not None and student_key(found.name) in seen:
                problems.append(f"{found.name} is already on line {seen[student_key(found.name)]}")
            if problems:
                report.bad_rows.append(BadRow(row.line, tuple(problems)))
            elif found is not None:
                seen[student_key(found.name)] = row.line
                staff.append((row.line, found))
        if report.bad_rows:
            return report
        existing = {student_key(m.display_name): m for m in await repo.school_members(session, school_id)}
        today = now.astimezone(zoneinfo.ZoneInfo(school.timezone)).date()
        for _, person in staff:
            member = existing.get(student_key(person.name))
            if member is None:
                session.add(Member(school_id=school_id, role=person.role, display_name=person.name,
                                   joined_on=today, counts_from=person.counts_from))
                report.added.append(person.name)
            elif (member.role, member.counts_from) == (person.role, person.counts_from):
                report.unchanged.append(person.name)
            else:
                member.role, member.counts_from = person.role, person.counts_from
                report.updated.append(person.name)
    return report

