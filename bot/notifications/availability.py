"""What a member says about being reminded: how often, at what time, away until when, "remind me tomorrow";
and what the bot learns on its own: that the member blocked it, or unblocked it again.

When these settings make a reminder due is :mod:`bot.notifications.schedule`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.logbook.times import parse_time_of_day
from bot.notifications.schedule import FREQUENCIES, QuietHours, next_working_day
from bot.people.schools import policy_of
from bot.quotas.calendar import SchoolCalendar
from storage import repository as repo
from storage.db import Database


class ReminderTimeError(ValueError):
    """`code` is 'unparseable' or 'quiet' (the time falls in the school's quiet hours)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ReminderSettings:
    frequency: str
    time: str
    own_time: bool
    away_until: dt.date | None
    quiet_start: str
    quiet_end: str


async def reminder_settings(db: Database, member_id: int) -> ReminderSettings:
    async with db.transaction() as session:
        member = await repo.require_member(session, member_id)
        school = await repo.require_school(session, member.school_id)
        return ReminderSettings(member.reminder_frequency, member.reminder_time or school.reminder_time,
                                member.reminder_time is not None, member.away_until, school.quiet_start,
                                school.quiet_end)


async def set_frequency(db: Database, member_id: int, frequency: str) -> None:
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown reminder frequency {frequency!r}")
    async with db.transaction() as session:
        (await repo.require_member(session, member_id)).reminder_frequency = frequency


async def set_reminder_time(db: Database, member_id: int, text: str) -> str:
    """The member's own reminder time, "HH:MM"; it must fall outside the school's quiet hours."""
    try:
        at = parse_time_of_day(text)
    except ValueError:
        raise ReminderTimeError("unparseable") from None
    async with db.transaction() as session:
        member = await repo.require_member(session, member_id)
        school = await repo.require_school(session, member.school_id)
        if QuietHours.parse(school.quiet_start, school.quiet_end).contains(at):
            raise ReminderTimeError("quiet")
        member.reminder_time = at.strftime("%H:%M")
        return member.reminder_time


async def go_away(db: Database, member_id: int, last_day: dt.date) -> None:
    """No reminders up to and including `last_day`."""
    async with db.transaction() as session:
        (await repo.require_member(session, member_id)).away_until = last_day


async def come_back(db: Database, member_id: int) -> dt.date | None:
    """Reminders again from today; the leave's last day, if one was set."""
    async with db.transaction() as session:
        member = await repo.require_member(session, member_id)
        previous, member.away_until = member.away_until, None
        return previous


async def snooze(db: Database, member_id: int, today: dt.date) -> dt.date:
    """"Remind me tomorrow": no reminder before the next working day, and one then; that day."""
    async with db.transaction() as session:
        member = await repo.require_member(session, member_id)
        school = await repo.require_school(session, member.school_id)
        member.snoozed_until = next_working_day(today, SchoolCalendar.of(policy_of(school)))
        return member.snoozed_until


async def mark_blocked(db: Database, platform: str, user_id: str, now: dt.datetime) -> bool:
    """The user blocked the bot: the member with that account becomes inactive until they unblock it; False for
    a stranger."""
    async with db.transaction() as session:
        member = await repo.member_by_account(session, platform, user_id)
        if member is None or not member.active:
            return False
        member.active, member.blocked_at = False, now
        return True


async def mark_unblocked(db: Database, platform: str, user_id: str) -> bool:
    """A member who had blocked the bot unblocked it: active again. Others are left as they are."""
    async with db.transaction() as session:
        member = await repo.member_by_account(session, platform, user_id)
        if member is None or member.blocked_at is None:
            return False
        member.active, member.blocked_at = True, None
        return True
