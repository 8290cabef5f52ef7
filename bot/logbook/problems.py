"""The problem list of plan 001 (问题清单 → 任务清单 → 效果清单, 销号办结): problems families raise on
visits, given by a leader to a member, and closed with a written result.

Who may do what:

* a member records problems with an entry whose activity asks for ``problems``;
* leaders see every problem of their school that is not closed, assign it to
  any active member of the school, and close any of them;
* a member sees the problems assigned to them and closes those;
* nobody sees or touches another school's problems.

Problems name students, so they are shown in direct messages only.

Counting for reports (:func:`problem_counts`), over the school's local days
``start``–``end`` inclusive: *raised* on a visit made in the range (counted with the visit, as the
visits are, not on the day it was typed in), *open* — raised by the end
of the range and not closed by then (the backlog), *closed* in the range. Per
member: raised by them, assigned to them and open at the end, closed in the
range with them as the owner (the assignee, else whoever closed it).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from bot.i18n import choose_language
from bot.logbook.drafts import DraftTextError, EntryDraft
from bot.people.addresses import Address, direct_address
from bot.people.membership import Profile
from bot.people.students import student_key
from bot.quotas.policy import Policy
from storage import problems as problem_queries
from storage import repository as repo
from storage.db import Database, Transaction
from storage.models import Entry, Member, Problem, School

MAX_PROBLEM_TEXT = 500
MAX_RESULT_TEXT = 1000
MAX_PROBLEMS_PER_ENTRY = 10
LIST_LIMIT = 20


class ProblemRefused(ValueError):
    """The problem cannot be changed by this member now; `.code` is 'unknown', 'closed' or 'not_allowed'."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ProblemCounts:
    raised: int = 0
    open: int = 0
    closed: int = 0


@dataclass(frozen=True)
class ProblemView:
    id: int
    text: str
    student: str | None
    status: str
    raised_by: str
    raised_on: dt.date
    assignee_id: int | None
    assignee: str | None
    result: str | None


@dataclass(frozen=True)
class ProblemList:
    """The problems a member sees in /problems (at most `LIST_LIMIT`), and how many there are in all."""

    problems: tuple[ProblemView, ...]
    total: int


@dataclass(frozen=True)
class Assignee:
    """Whom a problem went to, and how to tell them: `address` is where their direct messages go (None before
    they joined)."""

    member_id: int
    name: str
    address: Address | None
    language: str


@dataclass(frozen=True)
class Candidate:
    member_id: int
    name: str


def clean_problem_text(text: str, limit: int = MAX_PROBLEM_TEXT) -> str:
    """A problem (or a result) as typed, trimmed; DraftTextError when empty or too long."""
    cleaned = text.strip()
    if not cleaned:
        raise DraftTextError("empty")
    if len(cleaned) > limit:
        raise DraftTextError("too_long", limit)
    return cleaned


def local_bounds(start: dt.date, end: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The instants from the start of local day `start` to the end of local day `end` (exclusive)."""
    first = dt.datetime.combine(start, dt.time(), zone)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone)
    return first.astimezone(dt.timezone.utc), after.astimezone(dt.timezone.utc)


# --- recording --------------------------------------------------------------------------------

def problems_to_record(draft: EntryDraft, policy: Policy) -> list[str]:
    """The draft's problems, if its activity asks for them (an Edit may have changed the activity since)."""
    activity = policy.find_activity(draft.activity) if draft.activity else None
    return draft.problems[:MAX_PROBLEMS_PER_ENTRY] if activity and activity.asks_for("problems") else []


async def record_problems(session: Transaction, entry: Entry, texts: list[str]) -> None:
    """Store the problems raised on an entry, in the entry's transaction (see :func:`problems_to_record`)."""
    await problem_queries.add_problems(session, [
        Problem(school_id=entry.school_id, entry_id=entry.id, raised_by_member_id=entry.member_id, text=text,
                student_name=entry.student_name, student_key=entry.student_key, status=problem_queries.OPEN,
                raised_at=entry.logged_at)
        for text in texts])


# --- reading ----------------------------------------------------------------------------------

def _view(row: problem_queries.ProblemRow, zone: zoneinfo.ZoneInfo) -> ProblemView:
    problem = row.problem
    return ProblemView(problem.id, problem.text, problem.student_name, problem.status, row.raised_by_name,
                       problem.raised_at.astimezone(zone).date(), problem.assignee_member_id, row.assignee_name,
                       problem.result)


async def problems_for(db: Database, profile: Profile) -> ProblemList:
    """What /problems shows: a leader the school's unclosed problems, anyone else those assigned to them."""
    assignee = None if profile.is_leader else profile.member_id
    async with db.transaction() as session:
        rows = await problem_queries.unclosed_problems(session, profile.school_id, assignee, LIST_LIMIT)
        total = await problem_queries.count_unclosed(session, profile.school_id, assignee)
    return ProblemList(tuple(_view(row, profile.zone) for row in rows), total)


async def actionable_problem(db: Database, profile: Profile, problem_id: int) -> ProblemView:
    """One problem the member may act on; ProblemRefused otherwise."""
    async with db.transaction() as session:
        found = await _actionable(session, profile, problem_id)
        raiser = await repo.require_member(session, found.raised_by_member_id)
        assignee = await repo.get_member(session, found.assignee_member_id) if found.assignee_member_id else None
        row = problem_queries.ProblemRow(found, raiser.display_name, assignee.display_name if assignee else None)
        return _view(row, profile.zone)


async def _actionable(session: Transaction, profile: Profile, problem_id: int) -> Problem:
    found = await problem_queries.get_problem(session, profile.school_id, problem_id)
    if found is None:
        raise ProblemRefused("unknown")
    if found.status == problem_queries.CLOSED:
        raise ProblemRefused("closed")
    if not profile.is_leader and found.assignee_member_id != profile.member_id:
        raise ProblemRefused("not_allowed")
    return found


async def assignment_candidates(db: Database, profile: Profile, text: str | None = None) -> list[Candidate]:
    """The school's active members, by name; with `text`, those whose name contains it (an exact match wins)."""
    async with db.transaction() as session:
        members = await repo.school_members(session, profile.school_id)
    everyone = sorted((Candidate(m.id, m.display_name) for m in members), key=lambda c: (c.name, c.member_id))
    if text is None:
        return everyone
    wanted = student_key(text)
    found = [c for c in everyone if wanted and wanted in student_key(c.name)]
    exact = [c for c in found if student_key(c.name) == wanted]
    return exact or found


# --- acting -----------------------------------------------------------------------------------

async def assign_problem(db: Database, profile: Profile, problem_id: int, member_id: int,
                         now: dt.datetime) -> Assignee:
    """A leader gives a problem to an active member of the school; whom to notify comes back."""
    if not profile.is_leader:
        raise ProblemRefused("not_allowed")
    async with db.transaction() as session:
        await _actionable(session, profile, problem_id)
        member = await repo.get_member(session, member_id)
        if member is None or member.school_id != profile.school_id or not member.active:
            raise ProblemRefused("not_allowed")
        if not await problem_queries.assign(session, problem_id, member.id, now):
            raise ProblemRefused("closed")
        return await _assignee(session, member, profile)


async def _assignee(session: Transaction, member: Member, profile: Profile) -> Assignee:
    language = choose_language(member.language, None, profile.school_language)
    return Assignee(member.id, member.display_name, await direct_address(session, member.id), language)


async def close_problem(db: Database, profile: Profile, problem_id: int, result: str, now: dt.datetime) -> None:
    """Close a problem with its result: a leader any of the school's, a member those assigned to them."""
    async with db.transaction() as session:
        await _actionable(session, profile, problem_id)
        if not await problem_queries.close(session, problem_id, profile.member_id, result, now):
            raise ProblemRefused("closed")


# --- counting for reports ---------------------------------------------------------------------

async def _school_zone(session: Transaction, school_id: int) -> zoneinfo.ZoneInfo:
    school = await repo.get_school(session, school_id)
    if school is None:
        raise LookupError(f"no school with id {school_id}")
    return zoneinfo.ZoneInfo(school.timezone)


async def problem_counts(db: Database, school_id: int, start: dt.date, end: dt.date) -> ProblemCounts:
    """The school's problems raised, open at the end and closed, over local days `start`–`end` inclusive."""
    async with db.transaction() as session:
        first, after = local_bounds(start, end, await _school_zone(session, school_id))
        return ProblemCounts(*await problem_queries.counts(session, school_id, first, after, (start, end)))


async def school_problem_counts(session: Transaction, school: School, start: dt.date,
                                end: dt.date) -> ProblemCounts:
    """:func:`problem_counts` in the caller's transaction, for a school it has read already."""
    first, after = local_bounds(start, end, zoneinfo.ZoneInfo(school.timezone))
    return ProblemCounts(*await problem_queries.counts(session, school.id, first, after, (start, end)))


async def problem_counts_by_member(db: Database, school_id: int, start: dt.date,
                                   end: dt.date) -> dict[int, ProblemCounts]:
    """The same per member (see the module docstring); members with nothing to count are left out."""
    async with db.transaction() as session:
        first, after = local_bounds(start, end, await _school_zone(session, school_id))
        found = await problem_queries.counts_by_member(session, school_id, first, after, (start, end))
    return {member_id: ProblemCounts(*values) for member_id, values in found.items()}
