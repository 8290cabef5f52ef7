"""Rules bound to a phase or dates, and phase bounds in the plans' words (上旬/中旬/下旬), worked out by hand."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from bot.i18n import translator
from bot.people.schools import create_school
from bot.quotas.calendar import SchoolCalendar
from bot.quotas.policy import Policy, check_policy_text, load_policy, load_preset
from bot.quotas.policy.plan_dates import resolve_plan_word
from bot.quotas.progress import MemberFacts, rule_progress
from bot.quotas.progress_text import done_of_target
from bot.quotas.rule_windows import rule_status
from bot.quotas.standing import school_standing
from storage.models import Member
from tests.support.cli import invoke

LEADER = MemberFacts(member_id=1, role="leader", joined_on=dt.date(2025, 9, 1))
TEACHER = MemberFacts(member_id=2, role="teacher", joined_on=dt.date(2025, 9, 1))


@pytest.mark.parametrize(("word", "edge", "expected"), [
    ("1月上旬", "start", dt.date(2026, 1, 1)),
    ("1月上旬", "end", dt.date(2026, 1, 10)),
    ("5月中旬", "start", dt.date(2026, 5, 11)),
    ("5月中旬", "end", dt.date(2026, 5, 20)),
    ("5月下旬", "start", dt.date(2026, 5, 21)),
    ("2月下旬", "end", dt.date(2026, 2, 28)),
    ("2028年2月下旬", "end", dt.date(2028, 2, 29)),
    ("12月", "end", dt.date(2026, 12, 31)),
    ("10月", "start", dt.date(2026, 10, 1)),
])
def test_a_plan_word_resolves_to_the_first_or_last_day_of_its_span(word, edge, expected):
    assert resolve_plan_word(word, edge, 2026) == expected


def test_seed_002_phases_follow_the_plan_words_with_no_gap_after_may_15():
    phases = {p.name: (p.start, p.end) for p in load_preset("seed-002").phases}
    assert phases == {
        "learn": (dt.date(2026, 1, 1), dt.date(2026, 5, 20)),  # 1月上旬～5月中旬
        "review": (dt.date(2026, 5, 21), dt.date(2026, 6, 30)),  # 5月下旬～6月下旬
        "rectify": (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),  # 7月上旬～9月下旬
    }


def test_a_phase_rule_runs_on_the_last_day_of_its_plan_word_and_not_the_day_after():
    policy = load_preset("seed-002")
    calendar = SchoolCalendar.of(policy)
    study = policy.rule("everyone-group-study-days")  # period phase:learn
    staff = MemberFacts(member_id=3, role="staff", joined_on=dt.date(2025, 9, 1))
    on_may_20 = rule_progress(study, calendar, staff, dt.date(2026, 5, 20), done=10)
    assert on_may_20 is not None and (on_may_20.period_end, on_may_20.target, on_may_20.complete) == (
        dt.date(2026, 5, 20), 10, True)
    assert rule_progress(study, calendar, staff, dt.date(2026, 5, 21)) is None


def test_seed_002_leader_duties_run_only_in_the_first_phase():
    policy = load_preset("seed-002")
    calendar = SchoolCalendar.of(policy)
    visit = policy.rule("leader-home-visit-weekly")
    assert visit.during == "learn"
    # Wednesday 2026-05-20, the phase's last day: week 2026-W21 is cut to Mon 18 – Wed 20, 3 of its
    # 5 working days; ceil(1 × 3 / 5) = 1 visit still owed.
    last_week = rule_progress(visit, calendar, LEADER, dt.date(2026, 5, 20))
    assert last_week is not None
    assert (last_week.period_key, last_week.period_start, last_week.period_end, last_week.target) == (
        "2026-W21", dt.date(2026, 5, 18), dt.date(2026, 5, 20), 1)
    assert rule_progress(visit, calendar, LEADER, dt.date(2026, 5, 21)) is None
    # The phase starts on 2026-01-01 (1月上旬): 2025-12-31 is outside, 2026-01-05 a whole week inside.
    assert rule_progress(visit, calendar, LEADER, dt.date(2025, 12, 31)) is None
    first_monday = rule_progress(visit, calendar, LEADER, dt.date(2026, 1, 5))
    assert first_monday is not None and (first_monday.period_start, first_monday.target) == (dt.date(2026, 1, 5), 1)
    # In November (the fixed clock's month) none of the leader's weekly duties is listed.
    assert rule_progress(visit, calendar, LEADER, dt.date(2026, 11, 18)) is None
    assert rule_status(visit, dt.date(2026, 11, 18), calendar) == ("ended", dt.date(2026, 5, 20))
    assert rule_status(visit, dt.date(2025, 12, 1), calendar) == ("not_started", dt.date(2026, 1, 1))


def test_seed_002_term_quotas_are_not_bound_to_a_phase():
    policy = load_preset("seed-002")
    head = MemberFacts(member_id=3, role="head_teacher", joined_on=dt.date(2025, 9, 1))
    progress = rule_progress(policy.rule("head-teacher-families-term"), SchoolCalendar.of(policy), head,
                             dt.date(2026, 11, 18))
    assert progress is not None and progress.target == 20


def test_seed_004_monthly_rules_run_from_april_11_to_december_31():
    policy = load_preset("seed-004")
    calendar = SchoolCalendar.of(policy)
    study = policy.rule("everyone-study-monthly")  # 每月2次, during the campaign 4月中旬 … 12月
    assert rule_progress(study, calendar, TEACHER, dt.date(2026, 4, 10)) is None
    april = rule_progress(study, calendar, TEACHER, dt.date(2026, 4, 11))
    # April 2026 has 21 working days (清明 takes Mon 04-06); 14 of them from the 11th: ceil(2 × 14 / 21) = 2.
    assert april is not None and (april.period_key, april.period_start, april.target) == (
        "2026-04", dt.date(2026, 4, 11), 2)
    december = rule_progress(study, calendar, TEACHER, dt.date(2026, 12, 31))
    assert december is not None and december.target == 2
    assert rule_progress(study, calendar, TEACHER, dt.date(2027, 1, 4)) is None
    report = policy.rule("leader-work-report-monthly")
    assert rule_progress(report, calendar, LEADER, dt.date(2026, 4, 10)) is None
    assert rule_progress(report, calendar, LEADER, dt.date(2026, 11, 18)) is not None


DATED = textwrap.dedent("""\
    roles: [{code: teacher}]
    activities: [{code: home_visit}]
    rules:
      - {id: monthly, roles: [teacher], activities: [home_visit], min: 4, period: month, from: 2026-11-16}
      - {id: weekly, roles: [teacher], activities: [home_visit], min: 5, period: week, until: 2026-11-18}
""")


def test_a_month_cut_by_a_from_date_is_prorated_by_working_days():
    policy = load_policy(DATED)
    calendar = SchoolCalendar.of(policy)
    # November 2026: 21 working days, 11 of them from Monday the 16th: ceil(4 × 11 / 21) = 3.
    progress = rule_progress(policy.rule("monthly"), calendar, TEACHER, dt.date(2026, 11, 18), done=1)
    assert progress is not None
    assert (progress.period_start, progress.target, progress.remaining) == (dt.date(2026, 11, 16), 3, 2)
    assert progress.prorated_by == "window"  # /mine says the quota runs for part of the month, not "you joined"
    en = done_of_target(progress, policy, translator("en"))
    assert en == "1 of 3 (prorated: the quota runs for part of this period; 4 for the whole month)"
    # Two of the 11 days are over before the 18th: floor(3 × 2 / 11) = 0 expected, so not behind.
    assert (progress.expected_by_now, progress.on_pace) == (0, True)
    assert rule_progress(policy.rule("monthly"), calendar, TEACHER, dt.date(2026, 11, 15)) is None


def test_a_week_cut_by_an_until_date_is_prorated_and_ends_there():
    policy = load_policy(DATED)
    calendar = SchoolCalendar.of(policy)
    # Week 2026-W47 cut to Mon 16 – Wed 18: 3 of 5 working days, ceil(5 × 3 / 5) = 3.
    progress = rule_progress(policy.rule("weekly"), calendar, TEACHER, dt.date(2026, 11, 18))
    assert progress is not None and (progress.period_end, progress.target) == (dt.date(2026, 11, 18), 3)
    assert rule_progress(policy.rule("weekly"), calendar, TEACHER, dt.date(2026, 11, 19)) is None
    assert rule_status(policy.rule("weekly"), dt.date(2026, 11, 19), calendar) == ("ended", dt.date(2026, 11, 18))


async def test_a_leader_on_seed_002_is_not_behind_on_duties_of_a_phase_that_ended(db, clock):
    school = (await create_school(db, "岳阳七中", policy="seed-002", now=clock.now())).school_id
    async with db.transaction() as session:
        session.add(Member(school_id=school, role="leader", display_name="吴书记", joined_on=dt.date(2025, 9, 1)))
    standing = await school_standing(db, school, dt.date(2026, 11, 18))  # the fixed clock's day
    (leader,) = standing.members
    assert leader.rules == ()  # no weekly or monthly duty in November: nothing to remind of
    assert leader.behind == ()


BAD_PHASE = textwrap.dedent("""\
    roles: [{code: leader}]
    activities: [{code: talk}]
    phases:
      - name: learn
        year: 2026
        start: 1月上旬
        end: 5月中间
      - {name: review, start: 5月下旬, end: 6月下旬}
    rules:
      - {id: talks, roles: [leader], activities: [talk], min: 1, period: week, during: lern}
      - {id: both, roles: [leader], activities: [talk], min: 1, period: week, during: learn, from: 2026-03-01}
""")


def test_policy_check_reports_bad_phase_words_and_during_with_their_lines():
    messages = [(p.line, p.message) for p in check_policy_text(BAD_PHASE)]
    assert messages == [
        (7, "phases[0].end: bad phase date '5月中间': use a date like 2026-05-20 or a plan word like "
            "1月上旬, 5月中旬, 9月下旬, 12月"),
        (8, "phases[1].end: phase date '6月下旬' has no year: write 2026年6月下旬 or give the phase a year"),
        (8, "phases[1].start: phase date '5月下旬' has no year: write 2026年5月下旬 or give the phase a year"),
        (10, "rules[0].during: unknown phase 'lern' (phases: learn, review)"),
        (11, "rules[1].during: give either during: or from:/until:, not both"),
    ]


def test_a_phase_in_python_takes_plan_words_too():
    policy = Policy.model_validate({
        "roles": [{"code": "leader"}], "activities": [{"code": "talk"}],
        "phases": [{"name": "winter", "year": 2026, "start": "11月下旬", "end": "1月上旬"}],
    })
    assert (policy.phase("winter").start, policy.phase("winter").end) == (dt.date(2026, 11, 21), dt.date(2027, 1, 10))


def test_progress_on_seed_002_in_november_says_which_leader_duties_are_not_running(cli_database):
    assert invoke("school", "create", "岳阳七中", "--policy", "seed-002").exit_code == 0
    result = invoke("progress", "--school", "1", "--date", "2026-11-18")
    assert result.exit_code == 0, result.output
    assert "not running: leader-home-visit-weekly (ended on 2026-05-20)" in result.output.splitlines()
    early = invoke("progress", "--school", "1", "--date", "2025-12-15")
    assert "not running: leader-class-observation-weekly (starts on 2026-01-01)" in early.output.splitlines()
