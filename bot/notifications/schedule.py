"""When notifications are due, in the school's local time: pure functions, no database.

Decisions:

* **Quiet hours** (default 21:00–08:00, per school) — nothing is *planned* in
  them, and every planned message expires when the next quiet hours begin, so
  nothing is *delivered* in them either, however late a sender gets to it.
* **Reminders** go out on the school's working days (``SchoolCalendar.is_workday``:
  no weekends, public holidays or blackouts) from the member's reminder time
  (their own, else the school's, default 16:30) until quiet hours begin. A
  bot that was down at 16:30 still sends them when it is back before then;
  after that, that day's reminder is dropped, never sent the next morning.
* **Frequency**: ``daily`` — every working day; ``weekly`` — on the first
  working day of each ISO week (Monday, or Tuesday after a Monday holiday);
  ``off`` — never.
* **Away**: no reminders up to and including ``away_until``.
* **"Remind me tomorrow"** sets ``snoozed_until`` to the next working day: no
  reminder before that day, and on that day one is due even for a weekly member.
* **Leaderboard**: from Monday 08:00 until the end of the ISO week, about the
  week before; **digest**: from Friday 17:00 until the end of the ISO week.
  Either is planned once per week (see the dedupe keys in :mod:`bot.notifications.planning`)
  and, like reminders, only outside quiet hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.quotas.calendar import SchoolCalendar

FREQUENCIES = ("daily", "weekly", "off")
LEADERBOARD_WEEKDAY, LEADERBOARD_TIME = 0, dt.time(8, 0)   # Monday 08:00
DIGEST_WEEKDAY, DIGEST_TIME = 4, dt.time(17, 0)            # Friday 17:00


def parse_hhmm(text: str) -> dt.time:
    """'16:30' or '7:05' → a time; ValueError for anything else."""
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise ValueError(f"not a time of day: {text!r}")
    return dt.time(int(hours), int(minutes))


@dataclass(frozen=True)
class QuietHours:
    """A daily span in which nothing is sent; it may run over midnight (21:00–08:00). Equal ends: none."""

    start: dt.time
    end: dt.time

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        return cls(parse_hhmm(start), parse_hhmm(end))

    def contains(self, moment: dt.time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def next_start(self, local: dt.datetime) -> dt.datetime | None:
        """The first moment at or after `local` when quiet hours begin (None when there are none)."""
        if self.start == self.end:
            return None
        candidate = dt.datetime.combine(local.date(), self.start, local.tzinfo)
        return candidate if candidate >= local else candidate + dt.timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """A message may go out from `opens` until `closes` (local, aware datetimes)."""

    opens: dt.datetime
    closes: dt.datetime


@dataclass(frozen=True)
class ReminderChoice:
    """What a member chose about reminders."""

    frequency: str = "daily"
    reminder_time: dt.time | None = None
    away_until: dt.date | None = None
    snoozed_until: dt.date | None = None

    def is_away(self, day: dt.date) -> bool:
        return self.away_until is not None and day <= self.away_until


def first_working_day_of_week(day: dt.date, calendar: SchoolCalendar) -> dt.date | None:
    monday = day - dt.timedelta(days=day.weekday())
    return next(calendar.iter_working_days(monday, monday + dt.timedelta(days=6)), None)


def next_working_day(after: dt.date, calendar: SchoolCalendar, horizon_days: int = 60) -> dt.date:
    """The first working day after `after` (the day after it when the calendar has none soon)."""
    start = after + dt.timedelta(days=1)
    return next(calendar.iter_working_days(start, start + dt.timedelta(days=horizon_days)), start)


def _until_quiet(opens: dt.datetime, quiet: QuietHours, latest: dt.datetime) -> Window | None:
    """The window from `opens` to the next quiet hours (at most `latest`); None if `opens` is quiet."""
    if quiet.contains(opens.time()) or opens >= latest:
        return None
    quiet_start = quiet.next_start(opens)
    closes = latest if quiet_start is None else min(quiet_start, latest)
    return Window(opens, closes)


def reminder_window(day: dt.date, at: dt.time, quiet: QuietHours, zone: dt.tzinfo) -> Window | None:
    """When a reminder for `day` may go out: from `at` until quiet hours (or midnight)."""
    opens = dt.datetime.combine(day, at, zone)
    return _until_quiet(opens, quiet, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone))


def reminder_wanted(choice: ReminderChoice, day: dt.date, calendar: SchoolCalendar) -> bool:
    """Whether the member wants a reminder on `day`, before asking whether they are behind."""
    if choice.frequency == "off" or not calendar.is_workday(day) or choice.is_away(day):
        return False
    if choice.snoozed_until is not None:
        if day < choice.snoozed_until:
            return False
        if day == choice.snoozed_until:
            return True
    if choice.frequency == "weekly":
        return day == first_working_day_of_week(day, calendar)
    return True


def reminder_due(choice: ReminderChoice, school_time: dt.time, quiet: QuietHours, calendar: SchoolCalendar,
                 local_now: dt.datetime) -> Window | None:
    """The window of today's reminder if it is open now and wanted; else None."""
    today = local_now.date()
    if not reminder_wanted(choice, today, calendar):
        return None
    if local_now.tzinfo is None:
        raise ValueError("reminder_due needs an aware local time")
    window = reminder_window(today, choice.reminder_time or school_time, quiet, local_now.tzinfo)
    return window if window is not None and window.opens <= local_now < window.closes else None


def weekly_window(local_now: dt.datetime, weekday: int, at: dt.time, quiet: QuietHours) -> Window | None:
    """For a weekly message due on `weekday` at `at`: open now? Then from now until quiet hours or week end.

    A sender that was down at the due moment catches up later in the same week,
    outside quiet hours.
    """
    monday = local_now.date() - dt.timedelta(days=local_now.weekday())
    due = dt.datetime.combine(monday + dt.timedelta(days=weekday), at, local_now.tzinfo)
    week_end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0), local_now.tzinfo)
    if local_now < due:
        return None
    return _until_quiet(local_now, quiet, week_end)


def iso_week_key(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
