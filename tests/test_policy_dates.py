"""Dates in a policy file: an impossible one is `FILE:LINE: message` (check and set), a real one still loads."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from bot.quotas.policy import check_policy_text, load_policy, load_preset, preset_names
from tests.support.cli import invoke
from tests.test_cli_policy import stored_school

# Line numbers below count from the first line of the text.
DATED = textwrap.dedent(
    """\
    roles: [{code: teacher}]
    activities:
      - {code: home_visit, label_zh: 家访, fields: [student]}
    calendar:
      terms:
        - {id: 2026-autumn, start: TERM_START, end: 2027-01-22}
      blackouts:
        - SINGLE_DAY
        - {start: RANGE_START, end: 2026-10-07, reason: 国庆}
    phases:
      - {name: research, start: 2026-04-21, end: PHASE_END}
    rules:
      - {id: visits, roles: [teacher], activities: [home_visit], min: 4, period: quarter}
    """
)
GOOD_DATES = {"TERM_START": "2026-09-01", "SINGLE_DAY": "2026-09-10", "RANGE_START": "2026-10-01",
              "PHASE_END": "2026-05-10"}
#: Where each date is: its line, and the path the message names.
PLACES = {"TERM_START": (6, "calendar.terms[0].start"), "SINGLE_DAY": (8, "calendar.blackouts[0].start"),
          "RANGE_START": (9, "calendar.blackouts[1].start"), "PHASE_END": (11, "phases[0].end")}
IMPOSSIBLE = ["2026-09-31", "2026-13-01", "0000-01-01"]
REASONS = {"2026-09-31": "day value is outside expected range",
           "2026-13-01": "month value is outside expected range of 1-12",
           "0000-01-01": "year 0 is out of range"}


def policy_with(**dates: str) -> str:
    text = DATED
    for placeholder, value in {**GOOD_DATES, **dates}.items():
        text = text.replace(placeholder, value)
    return text


def test_the_dates_of_a_policy_are_read_as_dates():
    policy = load_policy(policy_with())
    assert (policy.calendar.terms[0].start, policy.calendar.terms[0].end) == (dt.date(2026, 9, 1), dt.date(2027, 1, 22))
    assert [(b.start, b.last_day) for b in policy.calendar.blackouts] == [
        (dt.date(2026, 9, 10), dt.date(2026, 9, 10)), (dt.date(2026, 10, 1), dt.date(2026, 10, 7))]
    assert policy.phases[0].end == dt.date(2026, 5, 10)


def test_every_preset_still_loads_its_dates():
    for name in preset_names():
        calendar = load_preset(name).calendar
        assert all(isinstance(term.start, dt.date) for term in calendar.terms), name
        assert all(isinstance(blackout.start, dt.date) for blackout in calendar.blackouts), name


def test_a_date_in_a_text_field_stays_text():
    policy = load_policy(policy_with().replace("reason: 国庆", "reason: 2026-10-01"))
    assert policy.calendar.blackouts[1].reason == "2026-10-01"


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("impossible", IMPOSSIBLE)
def test_policy_check_reports_an_impossible_date_at_its_line(tmp_path, place, impossible):
    path = tmp_path / "plan.yaml"
    path.write_text(policy_with(**{place: impossible}), encoding="utf-8")
    result = invoke("policy", "check", str(path))
    line, where = PLACES[place]
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:{line}: {where}: '{impossible}' is not a date ({REASONS[impossible]}): "
        f"write YYYY-MM-DD, e.g. 2026-09-01"]


@pytest.mark.parametrize("impossible", IMPOSSIBLE)
def test_policy_set_refuses_an_impossible_date_with_file_and_line_and_keeps_the_policy(cli_database, tmp_path,
                                                                                       impossible):
    invoke("school", "create", "合川中学")
    path = tmp_path / "plan.yaml"
    path.write_text(policy_with(TERM_START=impossible), encoding="utf-8")
    result = invoke("policy", "set", "--school", "1", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"teachlog: {path}:6: calendar.terms[0].start: '{impossible}' is not a date ({REASONS[impossible]}): "
        f"write YYYY-MM-DD, e.g. 2026-09-01"]
    assert stored_school(cli_database)[0] == "default"


def test_a_date_with_a_time_of_day_is_not_a_date():
    [problem] = check_policy_text(policy_with(PHASE_END="2026-05-10 08:00"))
    assert (problem.line, problem.message) == (
        11, "phases[0].end: bad phase date '2026-05-10 08:00': use a date like 2026-05-20 "
            "or a plan word like 1月上旬, 5月中旬, 9月下旬, 12月")


def test_a_value_its_explicit_tag_cannot_build_is_reported_at_its_line():
    [problem] = check_policy_text(policy_with().replace("min: 4", "min: !!int four"))
    assert problem.line == 13 and "cannot read 'four' as int" in problem.message


def test_school_create_refuses_an_impossible_date_with_file_and_line(cli_database, tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(policy_with(PHASE_END="2026-09-31"), encoding="utf-8")
    result = invoke("school", "create", "合川中学", "--policy", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"teachlog: {path}:11: phases[0].end: '2026-09-31' is not a date ({REASONS['2026-09-31']}): "
        f"write YYYY-MM-DD, e.g. 2026-09-01"]
