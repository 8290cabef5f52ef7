"""When notifications are due (pure), the days /away understands, and the /link options."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.logbook.future_dates import FutureDayError, parse_last_day
from bot.notifications.schedule import (
    DIGEST_TIME,
    DIGEST_WEEKDAY,
    LEADERBOARD_TIME,
    LEADERBOARD_WEEKDAY,
    QuietHours,
    ReminderChoice,
    first_working_day_of_week,
    next_working_day,
    reminder_due,
    weekly_window,
)
from bot.people.groups import LinkOptions, LinkOptionsError, parse_link_options
from bot.quotas.calendar import SchoolCalendar
from bot.quotas.policy import load_preset
from tests.support.notifications import local

CALENDAR = SchoolCalendar.of(load_preset("default"))
QUIET = QuietHours.parse("21:00", "08:00")
AT = dt.time(16, 30)


def due(choice: ReminderChoice, when: dt.datetime):
    return reminder_due(choice, AT, QUIET, CALENDAR, when)


def test_quiet_hours_run_over_midnight():
    assert [QUIET.contains(dt.time(h, m)) for h, m in [(20, 59), (21, 0), (0, 0), (7, 59), (8, 0)]] == \
        [False, True, True, True, False]
    assert not QuietHours.parse("00:00", "00:00").contains(dt.time(3, 0))
    assert QUIET.next_start(local("2026-11-18", "16:30")) == local("2026-11-18", "21:00")
    assert QUIET.next_start(local("2026-11-18", "22:00")) == local("2026-11-19", "21:00")


def test_a_reminder_is_due_from_the_reminder_time_until_quiet_hours():
    daily = ReminderChoice()
    assert due(daily, local("2026-11-18", "16:29")) is None
    window = due(daily, local("2026-11-18", "16:30"))
    assert (window.opens, window.closes) == (local("2026-11-18", "16:30"), local("2026-11-18", "21:00"))
    assert due(daily, local("2026-11-18", "20:59")) is not None      # a bot that was down catches up
    assert due(daily, local("2026-11-18", "21:00")) is None          # … but not in quiet hours
    assert due(daily, local("2026-11-19", "07:00")) is None          # … and never the next morning
    assert due(ReminderChoice(reminder_time=dt.time(18, 0)), local("2026-11-18", "17:00")) is None


def test_no_reminders_on_weekends_holidays_or_blackouts():
    daily = ReminderChoice()
    assert due(daily, local("2026-11-21", "17:00")) is None          # Saturday
    assert due(daily, local("2026-10-01", "17:00")) is None          # National Day
    assert due(daily, local("2026-10-10", "17:00")) is not None      # its make-up Saturday is a working day
    assert due(daily, local("2027-01-19", "17:00")) is None          # exam week blackout


def test_away_off_and_weekly():
    assert due(ReminderChoice(away_until=dt.date(2026, 11, 18)), local("2026-11-18", "17:00")) is None
    assert due(ReminderChoice(away_until=dt.date(2026, 11, 17)), local("2026-11-18", "17:00")) is not None
    assert due(ReminderChoice(frequency="off"), local("2026-11-18", "17:00")) is None
    weekly = ReminderChoice(frequency="weekly")
    assert due(weekly, local("2026-11-16", "17:00")) is not None     # Monday
    assert due(weekly, local("2026-11-17", "17:00")) is None
    # National Day week 2026-10-05: Monday to Wednesday are holidays, Thursday is the week's first working day
    assert first_working_day_of_week(dt.date(2026, 10, 5), CALENDAR) == dt.date(2026, 10, 8)
    assert due(weekly, local("2026-10-08", "17:00")) is not None


def test_remind_me_tomorrow_skips_today_and_reminds_a_weekly_member_on_that_day():
    friday = dt.date(2026, 11, 20)
    assert next_working_day(friday, CALENDAR) == dt.date(2026, 11, 23)
    assert next_working_day(dt.date(2026, 9, 30), CALENDAR) == dt.date(2026, 10, 8)
    snoozed = ReminderChoice(frequency="weekly", snoozed_until=dt.date(2026, 11, 17))
    assert due(snoozed, local("2026-11-16", "17:00")) is None        # tapped on Monday: nothing more that day
    assert due(snoozed, local("2026-11-17", "17:00")) is not None    # Tuesday, although weekly
    assert due(snoozed, local("2026-11-18", "17:00")) is None
    assert due(ReminderChoice(frequency="off", snoozed_until=dt.date(2026, 11, 17)), local("2026-11-17")) is None


def test_leaderboard_from_monday_eight_and_digest_from_friday_five_until_the_week_ends():
    def board(when):
        return weekly_window(when, LEADERBOARD_WEEKDAY, LEADERBOARD_TIME, QUIET)

    def digest(when):
        return weekly_window(when, DIGEST_WEEKDAY, DIGEST_TIME, QUIET)

    assert board(local("2026-11-16", "07:59")) is None
    assert board(local("2026-11-16", "08:00")).closes == local("2026-11-16", "21:00")
    assert board(local("2026-11-18", "10:00")) is not None           # catching up later in the week
    assert board(local("2026-11-18", "22:00")) is None               # never in quiet hours
    assert digest(local("2026-11-20", "16:59")) is None
    assert digest(local("2026-11-20", "17:00")) is not None
    assert digest(local("2026-11-22", "20:00")).closes == local("2026-11-22", "21:00")
    assert digest(local("2026-11-23", "17:00")) is None              # a new week: not yet due again


TODAY = dt.date(2026, 11, 18)


@pytest.mark.parametrize("text, expected", [
    ("until 2026-12-03", "2026-12-03"), ("2026/12/3", "2026-12-03"), ("2026年12月3日", "2026-12-03"),
    ("11月30号", "2026-11-30"), ("十二月三日", "2026-12-03"), ("12/3", "2026-12-03"), ("dec 3", "2026-12-03"),
    ("3 December", "2026-12-03"), ("December 3rd 2026", "2026-12-03"), ("today", "2026-11-18"),
    ("明天", "2026-11-19"), ("后天", "2026-11-20"), ("friday", "2026-11-20"), ("周三", "2026-11-18"),
    ("下周一", "2026-11-23"), ("3 days", "2026-11-20"), ("1 week", "2026-11-24"), ("两周", "2026-12-01"),
    ("一个星期", "2026-11-24"), ("到11月30号", "2026-11-30"), ("jan 5", "2027-01-05"),
])
def test_away_understands_days_ahead_in_both_languages(text, expected):
    assert parse_last_day(text, TODAY) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize("text, code", [
    ("2026-11-17", "past"), ("昨天", "past"), ("2028-01-01", "too_far"), ("soon", "unparseable"),
    ("2026-02-30", "unparseable"),
    ("", "unparseable"), ("0 days", "unparseable"),
])
def test_away_refuses_past_far_and_unreadable_days(text, code):
    with pytest.raises(FutureDayError) as refused:
        parse_last_day(text, TODAY)
    assert refused.value.code == code


def test_link_options():
    assert parse_link_options("") == LinkOptions()
    assert parse_link_options("top 5") == parse_link_options("TOP5") == parse_link_options("前5名") == \
        LinkOptions(top_n=5)
    assert parse_link_options("totals") == parse_link_options("总数") == LinkOptions(totals_only=True)
    for bad in ("top 0", "top 51", "everyone please"):
        with pytest.raises(LinkOptionsError):
            parse_link_options(bad)
