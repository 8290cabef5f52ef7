"""Periods and the school calendar: ISO weeks over New Year, quarters, terms, school years,
phases, and Chinese public holidays / make-up workdays (dates from chinese-calendar)."""

from datetime import date

import pytest

from bot.quotas.calendar import SchoolCalendar
from bot.quotas.periods import current_period, period_bounds, period_key, previous_period
from bot.quotas.policy import load_policy

POLICY = load_policy(
    """
roles: [{code: teacher}]
activities: [{code: home_visit, fields: [student]}]
calendar:
  chinese_holidays: true
  school_year_start: 09-01
  terms:
    - {id: 2026-spring, start: 2026-03-02, end: 2026-07-10}
    - {id: 2026-autumn, start: 2026-09-01, end: 2027-01-22}
  blackouts:
    - {start: 2026-11-18, end: 2026-11-19, reason: 期中考试}
    - 2026-12-24
phases:
  - {name: research, start: 2026-04-21, end: 2026-05-10}
"""
)
CAL = SchoolCalendar.from_policy(POLICY)
PLAIN = SchoolCalendar()  # weekends only


def bounds(period, day, source=CAL):
    return period_bounds(period, day, source)


# -- weeks ---------------------------------------------------------------------------


def test_iso_week_runs_monday_to_sunday():
    assert bounds("week", date(2026, 11, 18)) == (date(2026, 11, 16), date(2026, 11, 22))
    assert bounds("week", date(2026, 11, 16)) == (date(2026, 11, 16), date(2026, 11, 22))
    assert bounds("week", date(2026, 11, 22)) == (date(2026, 11, 16), date(2026, 11, 22))
    assert period_key("week", date(2026, 11, 16)) == "2026-W47"


def test_iso_week_across_new_year_keeps_its_iso_year():
    # 2026-12-31 is a Thursday: its week runs Mon 2026-12-28 .. Sun 2027-01-03 and is 2026's 53rd.
    assert bounds("week", date(2026, 12, 31)) == (date(2026, 12, 28), date(2027, 1, 3))
    assert bounds("week", date(2027, 1, 3)) == (date(2026, 12, 28), date(2027, 1, 3))
    assert current_period("week", date(2027, 1, 2), CAL).key == "2026-W53"
    # 2025-12-31 (Wednesday) already belongs to 2026-W01.
    week = current_period("week", date(2025, 12, 31), CAL)
    assert (week.start, week.end, week.key) == (date(2025, 12, 29), date(2026, 1, 4), "2026-W01")


# -- months, quarters, years ---------------------------------------------------------------


def test_months_including_february_of_a_leap_year():
    assert bounds("month", date(2026, 11, 30)) == (date(2026, 11, 1), date(2026, 11, 30))
    assert bounds("month", date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert bounds("month", date(2026, 12, 5)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert period_key("month", date(2026, 11, 1)) == "2026-11"


@pytest.mark.parametrize(
    ("day", "start", "end", "key"),
    [
        (date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31), "2026-Q1"),
        (date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30), "2026-Q2"),
        (date(2026, 9, 30), date(2026, 7, 1), date(2026, 9, 30), "2026-Q3"),
        (date(2026, 12, 31), date(2026, 10, 1), date(2026, 12, 31), "2026-Q4"),
    ],
)
def test_quarters_end_on_the_last_day_of_their_third_month(day, start, end, key):
    period = current_period("quarter", day, CAL)
    assert (period.start, period.end, period.key) == (start, end, key)


def test_year_is_the_calendar_year_unless_the_school_year_is_set():
    assert bounds("year", date(2026, 11, 22), PLAIN) == (date(2026, 1, 1), date(2026, 12, 31))
    assert current_period("year", date(2026, 11, 22), PLAIN).key == "2026"
    # school_year_start: 09-01
    assert bounds("year", date(2026, 11, 22)) == (date(2026, 9, 1), date(2027, 8, 31))
    assert bounds("year", date(2026, 8, 31)) == (date(2025, 9, 1), date(2026, 8, 31))
    assert bounds("year", date(2026, 9, 1)) == (date(2026, 9, 1), date(2027, 8, 31))
    assert current_period("year", date(2027, 3, 1), CAL).key == "2026-2027"


# -- terms and phases -------------------------------------------------------------------------


def test_term_boundaries_and_vacations():
    assert bounds("term", date(2026, 9, 1)) == (date(2026, 9, 1), date(2027, 1, 22))
    assert bounds("term", date(2027, 1, 22)) == (date(2026, 9, 1), date(2027, 1, 22))
    assert bounds("term", date(2027, 1, 23)) is None  # winter vacation
    assert bounds("term", date(2026, 8, 31)) is None  # summer vacation
    assert current_period("term", date(2026, 11, 22), CAL).key == "term:2026-autumn"
    assert CAL.term_for(date(2026, 7, 10)).id == "2026-spring"


def test_a_policy_and_its_calendar_give_the_same_periods():
    assert SchoolCalendar.of(POLICY) is SchoolCalendar.of(POLICY)
    assert SchoolCalendar.of(POLICY) == CAL
    assert current_period("term", date(2026, 11, 22), POLICY) == current_period("term", date(2026, 11, 22), CAL)


def test_a_term_key_needs_the_calendar():
    with pytest.raises(ValueError):
        period_key("term", date(2026, 9, 1))


def test_phase_periods_exist_only_within_their_dates():
    assert bounds("phase:research", date(2026, 4, 21)) == (date(2026, 4, 21), date(2026, 5, 10))
    assert bounds("phase:research", date(2026, 5, 10)) == (date(2026, 4, 21), date(2026, 5, 10))
    assert bounds("phase:research", date(2026, 5, 11)) is None
    assert bounds("phase:research", date(2026, 4, 20), POLICY) is None
    assert current_period("phase:research", date(2026, 5, 1), POLICY).key == "phase:research"
    assert bounds("phase:unknown", date(2026, 5, 1)) is None


def test_previous_period():
    assert previous_period("week", date(2027, 1, 4), CAL).key == "2026-W53"
    assert previous_period("month", date(2026, 1, 15), CAL).key == "2025-12"
    assert previous_period("quarter", date(2026, 1, 15), CAL).key == "2025-Q4"
    assert previous_period("term", date(2026, 8, 1), CAL).key == "term:2026-spring"
    assert previous_period("phase:research", date(2026, 6, 1), CAL) is None


# -- working days -------------------------------------------------------------------------------


def test_make_up_saturday_is_a_workday_and_national_day_is_not():
    # chinese-calendar 2026: National Day Oct 1–7, Mid-Autumn Fri Sep 25; 调休 Sun Sep 20 and Sat Oct 10.
    assert CAL.is_workday(date(2026, 10, 10))  # Saturday, make-up workday
    assert CAL.is_workday(date(2026, 9, 20))  # Sunday, make-up workday
    assert not CAL.is_workday(date(2026, 10, 1))  # Thursday, National Day
    assert not CAL.is_workday(date(2026, 10, 7))  # Wednesday, National Day holiday
    assert not CAL.is_workday(date(2026, 9, 25))  # Friday, Mid-Autumn Festival
    assert CAL.is_public_holiday(date(2026, 10, 5))
    assert CAL.holiday_name(date(2026, 10, 10)) == "National Day"
    # Without opting in, only weekends are off.
    assert PLAIN.is_workday(date(2026, 10, 1))
    assert not PLAIN.is_workday(date(2026, 10, 10))
    assert not PLAIN.is_public_holiday(date(2026, 10, 1))


def test_2025_national_day_and_its_make_up_days():
    assert CAL.is_workday(date(2025, 9, 28))  # Sunday, 调休
    assert CAL.is_workday(date(2025, 10, 11))  # Saturday, 调休
    assert not CAL.is_workday(date(2025, 10, 8))  # Wednesday, holiday


def test_years_chinese_calendar_does_not_know_fall_back_to_weekends():
    assert CAL.is_workday(date(2027, 10, 1))  # a Friday; 2027 holidays are not published in the package yet
    assert not CAL.is_workday(date(2027, 10, 2))  # Saturday
    assert not CAL.is_public_holiday(date(2027, 10, 1))


def test_blackouts_are_never_workdays():
    assert not CAL.is_workday(date(2026, 11, 18))
    assert not CAL.is_workday(date(2026, 11, 19))
    assert CAL.is_workday(date(2026, 11, 20))
    assert not CAL.is_workday(date(2026, 12, 24))  # a single-day blackout


def test_working_days_counts_both_ends():
    # October 2026: 22 weekdays − 5 holiday weekdays (1, 2, 5, 6, 7) + make-up Saturday 10 = 18.
    assert CAL.working_days(date(2026, 10, 1), date(2026, 10, 31)) == 18
    assert PLAIN.working_days(date(2026, 10, 1), date(2026, 10, 31)) == 22
    # Week 47 with the exam blackout on Wed–Thu: Mon, Tue, Fri.
    assert CAL.working_days(date(2026, 11, 16), date(2026, 11, 22)) == 3
    assert CAL.working_days(date(2026, 11, 20), date(2026, 11, 20)) == 1
    assert CAL.working_days(date(2026, 11, 21), date(2026, 11, 20)) == 0
    assert list(CAL.iter_working_days(date(2026, 11, 16), date(2026, 11, 22))) == [
        date(2026, 11, 16),
        date(2026, 11, 17),
        date(2026, 11, 20),
    ]
