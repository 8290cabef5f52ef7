"""Helpers for notification tests: a standing source whose answers the test decides, members made in bulk,
and the Shanghai moments the scenarios use."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from bot.people.schools import policy_of
from bot.quotas.progress import RuleProgress
from bot.quotas.standing import MemberStanding, SchoolStanding
from storage import repository as repo
from storage.db import Database
from storage.models import Member
from tests.support.accounts import give_account

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BEHIND_RULE = "teacher-tutoring-weekly"      # default preset: tutoring, twice a week
PAIRED_RULE = "paired-call-monthly"          # default preset: a call a month to each paired student


def local(day: str, at: str = "16:30") -> dt.datetime:
    """'2026-11-16', '16:30' → that moment in Shanghai."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(at), SHANGHAI)


def progress(rule_id: str, *, done: int, target: int, expected: int, days_left: int = 3,
             missing: tuple[str, ...] = ()) -> RuleProgress:
    return RuleProgress(rule_id=rule_id, period_key="2026-W47",
                        period_start=dt.date(2026, 11, 16), period_end=dt.date(2026, 11, 22), done=done,
                        target=target, expected_by_now=expected, remaining=max(target - done, 0),
                        days_left=days_left, calendar_days_left=days_left, behind_by=max(expected - done, 0),
                        on_pace=done >= expected, students_missing=missing)


class FakeStanding:
    """A StandingSource: every active member is behind on tutoring unless listed in `on_pace`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.on_pace: set[int] = set()
        self.extra: dict[int, list[RuleProgress]] = {}
        self.calls: list[tuple[int, dt.date]] = []

    async def __call__(self, school_id: int, today: dt.date) -> SchoolStanding:
        self.calls.append((school_id, today))
        async with self.db.transaction() as session:
            school = await repo.get_school(session, school_id)
            members = await repo.school_members(session, school_id)
        standings = []
        for member in members:
            done = 2 if member.id in self.on_pace else 0
            rules = [progress(BEHIND_RULE, done=done, target=2, expected=1)]
            rules += self.extra.get(member.id, [])
            standings.append(MemberStanding(member.id, member.display_name, member.role, member.joined_on,
                                            tuple(rules)))
        return SchoolStanding(school.id, school.name, today, policy_of(school), tuple(standings))


async def add_members(db: Database, school_id: int, count: int, *, first_user_id: int = 5000,
                      role: str = "teacher", **fields) -> list[Member]:
    """Members straight into the database (no /start), with Telegram ids from `first_user_id` on."""
    async with db.transaction() as session:
        members = [Member(school_id=school_id, role=role, display_name=f"Teacher {i:03d}",
                          joined_on=dt.date(2026, 9, 1), **fields)
                   for i in range(count)]
        session.add_all(members)
        await session.flush()
        for i, member in enumerate(members):
            await give_account(session, member, first_user_id + i)
        return members
