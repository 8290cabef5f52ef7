"""Holidays and make-up workdays a school lists in its policy, and years whose holidays nobody knows yet."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from bot.clock import FixedClock
from bot.i18n import translator
from bot.notifications.digest import DigestFacts, digest_text
from bot.quotas.calendar import CHINESE_CALENDAR_YEARS, SchoolCalendar
from bot.quotas.holiday_horizon import years_without_holidays_in_policy, years_without_holidays_now
from bot.quotas.policy import check_policy_text, load_policy
from bot.quotas.progress import expected_by_now, prorated_target
from tests.conftest import DEFAULT_NOW
from tests.support.cli import invoke

PAST_HORIZON = CHINESE_CALENDAR_YEARS.stop  # the first year chinese-calendar does not know
# Lines below count from the first line of each dedented text.
POLICY = textwrap.dedent(f"""\
    roles: [{{code: teacher}}]
    activities: [{{code: home_visit}}]
    calendar:
      chinese_holidays: true
      terms:
        - {{id: spring, start: {PAST_HORIZON}-03-01, end: {PAST_HORIZON}-06-30}}
    rules:
      - {{id: visits, roles: [teacher], activities: [home_visit], min: 4, period: month}}
    """)
LISTED = POLICY.replace("  terms:\n", textwrap.indent(textwrap.dedent(f"""\
    holidays:
      {PAST_HORIZON}:
        - {PAST_HORIZON}-05-03
        - {{start: {PAST_HORIZON}-05-04, end: {PAST_HORIZON}-05-05, name: Labour Day}}
    workdays:
      {PAST_HORIZON}: [{PAST_HORIZON}-05-08]
    terms:
    """), "  "))


def day(month: int, number: int, year: int = PAST_HORIZON) -> dt.date:
    return dt.date(year, month, number)


def test_listed_holidays_and_make_up_workdays_decide_working_days_past_the_library():
    calendar = SchoolCalendar.from_policy(load_policy(LISTED))
    assert not calendar.is_workday(day(5, 3)) and calendar.is_public_holiday(day(5, 4))
    assert calendar.holiday_name(day(5, 5)) == "Labour Day"
    assert calendar.is_workday(day(5, 8)) and calendar.holiday_name(day(5, 8)) is None
    unlisted = SchoolCalendar.from_policy(load_policy(POLICY))
    may = (day(5, 1), day(5, 31))
    listed_weekdays = sum(1 for d in (day(5, 3), day(5, 4), day(5, 5)) if d.weekday() < 5)
    extra_saturday = 1 if day(5, 8).weekday() >= 5 else 0
    assert calendar.working_days(*may) == unlisted.working_days(*may) - listed_weekdays + extra_saturday


def test_listed_days_override_the_library_in_a_year_it_knows():
    known = CHINESE_CALENDAR_YEARS.stop - 1
    policy = POLICY.replace("  terms:\n", textwrap.indent(textwrap.dedent(f"""\
        holidays: {{{known}: [{known}-06-01]}}
        workdays: {{{known}: [{known}-10-01]}}
        terms:
        """), "  "))
    calendar = SchoolCalendar.from_policy(load_policy(policy))
    library = SchoolCalendar.from_policy(load_policy(POLICY))
    assert library.is_public_holiday(dt.date(known, 10, 1)) and not library.is_workday(dt.date(known, 10, 1))
    assert calendar.is_workday(dt.date(known, 10, 1)) and not calendar.is_public_holiday(dt.date(known, 10, 1))
    assert not calendar.is_workday(dt.date(known, 6, 1)) and calendar.is_public_holiday(dt.date(known, 6, 1))


def test_pace_and_proration_skip_the_listed_holidays():
    calendar = SchoolCalendar.from_policy(load_policy(LISTED))
    unlisted = SchoolCalendar.from_policy(load_policy(POLICY))
    start, end, today = day(5, 1), day(5, 31), day(5, 10)
    # The listed holidays fall before "today": fewer working days are over, and fewer are in the month.
    assert calendar.working_days(start, today) < unlisted.working_days(start, today)
    assert expected_by_now(20, start, end, today, calendar, start) != expected_by_now(20, start, end, today,
                                                                                      unlisted, start)
    joined = day(5, 6)
    assert prorated_target(20, start, end, joined, calendar) >= prorated_target(20, start, end, joined, unlisted)


def test_years_past_the_library_without_listed_holidays_are_named():
    today = day(5, 10)
    assert years_without_holidays_now(load_policy(POLICY), today) == (PAST_HORIZON,)
    assert years_without_holidays_now(load_policy(LISTED), today) == ()
    assert years_without_holidays_in_policy(load_policy(LISTED), day(5, 10, PAST_HORIZON + 1)) == (PAST_HORIZON + 1,)
    opted_out = load_policy(POLICY.replace("chinese_holidays: true", "chinese_holidays: false"))
    assert years_without_holidays_now(opted_out, today) == ()


def test_the_leader_digest_notes_years_whose_holidays_count_as_working_days():
    policy = load_policy(POLICY)
    facts = DigestFacts(f"{PAST_HORIZON}-W19", [], {}, {}, [], [], [], [], unknown_holiday_years=(PAST_HORIZON,))
    assert digest_text(facts, policy, translator("en")).endswith(
        f"Note: the public holidays of {PAST_HORIZON} are not known yet, so they count as working days in pace "
        "and reminders. List them in the policy under calendar.holidays.")
    assert f"{PAST_HORIZON}年的法定节假日尚未公布" in digest_text(facts, policy, translator("zh"))
    assert "not known yet" not in digest_text(DigestFacts(f"{PAST_HORIZON}-W19", [], {}, {}, [], [], [], []), policy,
                                                translator("en"))


def test_policy_check_warns_of_unknown_holidays_at_the_calendar_line_and_still_passes(tmp_path, monkeypatch):
    from bot.cli import policy as policy_cli
    monkeypatch.setattr(policy_cli, "CLOCK", FixedClock(DEFAULT_NOW))
    path = tmp_path / "plan.yaml"
    path.write_text(POLICY, encoding="utf-8")
    result = invoke("policy", "check", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: ok (1 activity, 1 rule)\n"
    assert result.stderr.startswith(f"{path}:4: warning: chinese-calendar knows public holidays only for ")
    assert f"so in {PAST_HORIZON} holidays count as working days" in result.stderr
    path.write_text(LISTED, encoding="utf-8")
    assert invoke("policy", "check", str(path)).stderr == ""


def test_policy_check_reports_each_bad_listed_day_at_its_line():
    bad = textwrap.dedent(f"""\
        roles: [{{code: teacher}}]
        activities: [{{code: home_visit}}]
        calendar:
          holidays:
            {PAST_HORIZON}:
              - {PAST_HORIZON + 1}-01-01
              - {{start: {PAST_HORIZON}-05-05, end: {PAST_HORIZON}-05-01}}
              - {{start: {PAST_HORIZON}-05-05, ned: {PAST_HORIZON}-05-06}}
              - {PAST_HORIZON}-10-01
          workdays:
            {PAST_HORIZON}: [{PAST_HORIZON}-10-01]
            next: [{PAST_HORIZON}-10-09]
        """)
    messages = [(p.line, p.message) for p in check_policy_text(bad)]
    assert messages == [
        (6, f"calendar.holidays[{PAST_HORIZON}][0]: {PAST_HORIZON + 1}-01-01 is not in {PAST_HORIZON}: "
            f"list it under {PAST_HORIZON + 1}"),
        (7, f"calendar.holidays[{PAST_HORIZON}][1].end: the days end ({PAST_HORIZON}-05-01) before they start "
            f"({PAST_HORIZON}-05-05)"),
        (8, f"calendar.holidays[{PAST_HORIZON}][2]: unknown key 'ned'"),
        (11, f"calendar.workdays[{PAST_HORIZON}][0]: {PAST_HORIZON}-10-01 is listed both as a holiday and as a "
             f"workday (also calendar.holidays[{PAST_HORIZON}][3])"),
        (12, "calendar.workdays.next.[key]: Input should be a valid integer, unable to parse string as an "
             "integer (got 'next')"),
    ]


NOTE = "Note: the public holidays of 2027 are not known yet"


@pytest.mark.skipif(PAST_HORIZON != 2027, reason="chinese-calendar now knows 2027: the fixed clock's year is covered")
async def test_a_leaders_mine_notes_unknown_holidays_and_a_teachers_does_not(bot, li):
    # The default policy opts in to public holidays; on 2026-11-18 its school year runs into 2027.
    zhao = bot.fake.user(1004, "Zhao", "Min", language_code="en")
    await bot.join(zhao, "leader")
    await bot.say(zhao, "/mine")
    assert bot.last_text(zhao).endswith(NOTE + ", so they count as working days in pace and reminders. "
                                        "List them in the policy under calendar.holidays.")
    await bot.say(li, "/mine")
    assert NOTE not in bot.last_text(li)


def test_policy_set_warns_of_unknown_holidays_after_what_it_did(cli_database, tmp_path, monkeypatch):
    from bot.cli import policy as policy_cli
    monkeypatch.setattr(policy_cli, "CLOCK", FixedClock(DEFAULT_NOW))
    assert invoke("school", "create", "合川中学").exit_code == 0
    path = tmp_path / "plan.yaml"
    path.write_text(POLICY, encoding="utf-8")
    result = invoke("policy", "set", "--school", "1", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("school 1 now follows policy plan")
    assert result.stderr.startswith(f"{path}:4: warning: ") and f"so in {PAST_HORIZON} holidays" in result.stderr
