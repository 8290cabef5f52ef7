"""Flow tests' shortcuts into storage: a driver's member id, entries and problems made directly, a linked group."""

from __future__ import annotations

import datetime as dt

from bot.people.groups import LinkOptions, link_group
from bot.people.students import student_key
from handlers.terminal.driver import ChatDriver
from storage import daily_counts
from storage import repository as repo
from storage.db import Database
from storage.models import Entry, Problem
from storage.problems import OPEN

LOGGED_AT = dt.datetime(2026, 11, 18, 8, tzinfo=dt.UTC)


async def member_id(db: Database, driver: ChatDriver) -> int:
    async with db.transaction() as session:
        member = await repo.member_by_account(session, driver.platform, driver.user_id)
    assert member is not None, f"{driver.display_name} is no member"
    return member.id


async def add_entry(db: Database, school_id: int, member: int, activity: str, day: dt.date,
                    student: str | None = None, notes: str | None = None, covisitor: int | None = None) -> int:
    """An entry as if logged at LOGGED_AT, counted in the daily counts like a saved one."""
    async with db.transaction() as session:
        entry = Entry(school_id=school_id, member_id=member, activity_code=activity, occurred_on=day,
                      student_name=student, student_key=student_key(student) if student else None, notes=notes,
                      covisitor_member_id=covisitor, logged_at=LOGGED_AT)
        session.add(entry)
        await session.flush()
        await daily_counts.count_entries(session, [daily_counts.columns_of(entry)])
        return entry.id


async def add_problem(db: Database, school_id: int, entry_id: int, raised_by: int, text: str,
                      student: str | None) -> int:
    async with db.transaction() as session:
        problem = Problem(school_id=school_id, entry_id=entry_id, raised_by_member_id=raised_by, text=text,
                          student_name=student, student_key=student_key(student) if student else None,
                          status=OPEN, raised_at=LOGGED_AT)
        session.add(problem)
        await session.flush()
        return problem.id


async def link(db: Database, leader: ChatDriver, group_id: str, options: LinkOptions | None = None,
               now: dt.datetime = LOGGED_AT) -> None:
    """The group linked to the leader's school (the whole ranking unless `options` say), through /link's service."""
    await link_group(db, leader.platform, leader.user_id, group_id, options or LinkOptions(), now)
