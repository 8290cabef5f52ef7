"""Saving, listing and undoing a member's entries: the service layer for logging."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.logbook.drafts import EntryDraft
from bot.logbook.problems import problems_to_record, record_problems
from bot.people.membership import Profile
from bot.people.students import student_key
from storage import daily_counts
from storage import repository as repo
from storage.db import Database
from storage.errors import ConstraintViolation
from storage.models import Entry

UNDO_WINDOW = dt.timedelta(hours=24)
RECENT_NAMES = 6


class EntryRefused(ValueError):
    """The draft cannot be saved as it is; `.code` names the missing or bad field."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class EntryView:
    id: int
    activity: str
    day: dt.date
    time: dt.time | None
    student: str | None
    duration_minutes: int | None
    notes: str | None
    logged_at: dt.datetime
    own: bool


@dataclass(frozen=True)
class Saved:
    entry_id: int
    created: bool


def snapshot(entry: Entry) -> dict:
    """An entry as JSON for the audit trail."""
    return {
        "activity": entry.activity_code, "day": entry.occurred_on.isoformat(),
        "time": entry.occurred_time.isoformat(timespec="minutes") if entry.occurred_time else None,
        "student": entry.student_name, "duration_minutes": entry.duration_minutes, "notes": entry.notes,
        "covisitor_member_id": entry.covisitor_member_id, "source": entry.source,
    }


def view_of(entry: Entry, member_id: int) -> EntryView:
    return EntryView(entry.id, entry.activity_code, entry.occurred_on, entry.occurred_time, entry.student_name,
                     entry.duration_minutes, entry.notes, entry.logged_at, entry.member_id == member_id)


def check_complete(profile: Profile, draft: EntryDraft) -> None:
    activity = profile.policy.find_activity(draft.activity) if draft.activity else None
    if activity is None:
        raise EntryRefused("activity")
    if draft.day is None:
        raise EntryRefused("when")
    if "student" in activity.fields and not draft.student:
        raise EntryRefused("student")
    if "duration" in activity.fields and draft.duration_minutes is None:
        raise EntryRefused("duration")


async def save_entry(db: Database, profile: Profile, draft: EntryDraft, *, source: str, now: dt.datetime) -> Saved:
    """Store the draft once: a second save of the same draft returns the first entry."""
    check_complete(profile, draft)
    try:
        async with db.transaction() as session:
            existing = await repo.entry_by_client_token(session, draft.token)
            if existing is not None:
                return Saved(existing.id, False)
            entry = await repo.add(session, Entry(
                school_id=profile.school_id, member_id=profile.member_id, activity_code=draft.activity,
                occurred_on=draft.day, occurred_time=draft.time, student_name=draft.student,
                student_key=student_key(draft.student) if draft.student else None,
                place_name=draft.place, place_key=student_key(draft.place) if draft.place else None,
                duration_minutes=draft.duration_minutes, notes=draft.notes,
                covisitor_member_id=draft.covisitor_member_id, source=source, client_token=draft.token,
                logged_at=now))
            await daily_counts.count_entries(session, [daily_counts.columns_of(entry)])
            await repo.add_audit(session, entry, "create", profile.member_id, None, snapshot(entry), at=now)
            if problems := problems_to_record(draft, profile.policy):
                await record_problems(session, entry, problems)
            return Saved(entry.id, True)
    except ConstraintViolation:
        # Two saves of one draft raced; the other one committed first.
        async with db.transaction() as session:
            existing = await repo.entry_by_client_token(session, draft.token)
            if existing is None:
                raise
            return Saved(existing.id, False)


async def history(db: Database, profile: Profile, limit: int = 10) -> list[EntryView]:
    async with db.transaction() as session:
        return [view_of(e, profile.member_id) for e in await repo.latest_entries(session, profile.member_id, limit)]


async def undoable_entry(db: Database, profile: Profile, now: dt.datetime) -> EntryView | None:
    """The member's last entry if it was logged within the undo window."""
    async with db.transaction() as session:
        entry = await repo.last_logged_entry(session, profile.member_id, now - UNDO_WINDOW)
        return view_of(entry, profile.member_id) if entry else None


async def undo_entry(db: Database, profile: Profile, entry_id: int, now: dt.datetime) -> bool:
    """Soft-delete one of the member's own entries logged within the undo window; audited."""
    async with db.transaction() as session:
        entry = await repo.get_entry(session, entry_id)
        if (entry is None or entry.member_id != profile.member_id or entry.deleted_at is not None
                or entry.logged_at < now - UNDO_WINDOW):
            return False
        before = snapshot(entry)
        entry.deleted_at = now
        await daily_counts.count_entries(session, [daily_counts.columns_of(entry)], sign=-1)
        await repo.add_audit(session, entry, "delete", profile.member_id, before, None, at=now)
        return True


async def counts_between(db: Database, profile: Profile, start: dt.date, end: dt.date) -> dict[str, int]:
    async with db.transaction() as session:
        return await repo.count_by_activity(session, profile.member_id, start, end)


async def is_saved(db: Database, profile: Profile, token: str) -> bool:
    """Whether the member's draft with this token has been stored."""
    async with db.transaction() as session:
        entry = await repo.entry_by_client_token(session, token)
        return entry is not None and entry.member_id == profile.member_id


@dataclass(frozen=True)
class Colleague:
    member_id: int
    name: str


async def student_choices(db: Database, profile: Profile, limit: int = RECENT_NAMES) -> list[str]:
    """Names to offer as buttons: the member's paired students first, then recent names, no repeats."""
    async with db.transaction() as session:
        paired = (await repo.pairings_by_member(session, profile.school_id, [profile.member_id])).get(
            profile.member_id, [])
        recent = await repo.recent_student_names(session, profile.member_id, limit + len(paired))
    choices, seen = [], set()
    for name in [*paired, *recent]:
        if student_key(name) not in seen:
            seen.add(student_key(name))
            choices.append(name)
    return choices[:max(limit, len(paired))]


async def recent_colleagues(db: Database, profile: Profile, limit: int = 5) -> list[Colleague]:
    async with db.transaction() as session:
        ids = await repo.recent_covisitor_ids(session, profile.member_id, limit)
        members = {m.id: m for m in await repo.school_members(session, profile.school_id, member_ids=ids)}
    return [Colleague(i, members[i].display_name) for i in ids if i in members]


async def find_colleagues(db: Database, profile: Profile, text: str, limit: int = 8) -> list[Colleague]:
    """Active members of the member's school whose name contains `text` (case and spaces ignored)."""
    wanted = student_key(text)
    async with db.transaction() as session:
        members = await repo.school_members(session, profile.school_id)
    found = [Colleague(m.id, m.display_name) for m in members
             if m.id != profile.member_id and wanted and wanted in student_key(m.display_name)]
    exact = [c for c in found if student_key(c.name) == wanted]
    return (exact or found)[:limit]


async def colleague(db: Database, profile: Profile, member_id: int) -> Colleague | None:
    async with db.transaction() as session:
        member = await repo.get_member(session, member_id)
    if member is None or member.school_id != profile.school_id or member.id == profile.member_id or not member.active:
        return None
    return Colleague(member.id, member.display_name)
