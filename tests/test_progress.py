"""Progress math: proration, pace over working days, per-student rules, and a month worked by hand."""

from datetime import date, timedelta

from bot.quotas.calendar import SchoolCalendar
from bot.quotas.policy import load_policy
from bot.quotas.progress import (
    MemberFacts,
    applicable_rules,
    expected_by_now,
    period_pace,
    period_progress,
    prorated_target,
    rule_progress,
)

POLICY = load_policy(
    """
roles: [{code: leader}, {code: head_teacher}, {code: teacher}, {code: staff}]
activities:
  - {code: home_visit, fields: [student, notes]}
  - {code: home_talk, fields: [student, notes]}
  - {code: phone_call, fields: [student, notes]}
  - {code: tutoring, fields: [student]}
  - {code: pair_care, fields: [student]}
calendar:
  chinese_holidays: true
  terms: [{id: 2026-autumn, start: 2026-09-01, end: 2027-01-22}]
  blackouts: [{start: 2026-11-18, end: 2026-11-19, reason: 期中考试}]
phases: [{name: research, start: 2026-11-02, end: 2026-11-13}]
rules:
  - {id: visits-quarterly, roles: [leader, head_teacher, teacher, staff], activities: [home_visit], min: 4,
     period: quarter}
  - {id: talks-monthly, roles: [head_teacher], activities: [home_talk], min: 3, period: month}
  - {id: tutoring-weekly, roles: [teacher], activities: [tutoring], min: 4, period: week}
  - {id: calls-monthly, roles: [teacher, head_teacher], activities: [phone_call], min: 1, period: month,
     scope: paired_student}
  - {id: calls-twice-monthly, roles: [teacher], activities: [phone_call], min: 2, period: month,
     scope: paired_student}
  - {id: care, roles: [leader], activities: [pair_care], measure: distinct_students, min: 1, max: 2,
     period: term}
  - {id: research, roles: [leader], activities: [home_visit], min: 2, period: "phase:research"}
"""
)
CAL = SchoolCalendar.from_policy(POLICY)
PLAIN = SchoolCalendar()
LONG_AGO = date(2020, 1, 1)


def member(role="teacher", joined_on=LONG_AGO, member_id=7):
    return MemberFacts(member_id=member_id, role=role, joined_on=joined_on)


def test_applicable_rules_follow_the_role():
    head_teacher_rules = [r.id for r in applicable_rules(POLICY, "head_teacher")]
    assert head_teacher_rules == ["visits-quarterly", "talks-monthly", "calls-monthly"]
    assert [r.id for r in applicable_rules(POLICY, "staff")] == ["visits-quarterly"]
    assert rule_progress(POLICY.rule("talks-monthly"), CAL, member("teacher"), date(2026, 11, 20)) is None


# -- proration ---------------------------------------------------------------------------------


def test_member_joining_mid_quarter_gets_a_prorated_target():
    # Q4 2026 working days with Chinese public holidays and no blackouts:
    # October 18 (22 weekdays − 5 National Day weekdays + make-up Saturday 10th), November 21, December 23 → 62.
    cal = SchoolCalendar(chinese_holidays=True)
    start, end = date(2026, 10, 1), date(2026, 12, 31)
    assert cal.working_days(start, end) == 62
    # Joining Mon Nov 16 leaves Nov 16–30 (11) + December (23) = 34 working days: ceil(4 × 34/62) = ceil(2.19) = 3.
    assert prorated_target(4, start, end, date(2026, 11, 16), cal) == 3
    # Members from before the quarter owe the full minimum; so does one joining on its first day.
    assert prorated_target(4, start, end, LONG_AGO, cal) == 4
    assert prorated_target(4, start, end, start, cal) == 4
    # Rounding up: one working day left still owes one visit.
    assert prorated_target(4, start, end, date(2026, 12, 31), cal) == 1
    # Joining after the quarter: nothing owed for it.
    assert prorated_target(4, start, end, date(2027, 1, 4), cal) == 0


def test_prorated_progress_for_a_mid_quarter_joiner():
    cal = SchoolCalendar(chinese_holidays=True)
    joiner = member("staff", joined_on=date(2026, 11, 16))
    progress = rule_progress(POLICY.rule("visits-quarterly"), cal, joiner, date(2026, 12, 1), done=1)
    # Target 3 over the joiner's 34 working days; before Tue Dec 1 they had 11 (Nov 16–30): floor(3 × 11/34) = 0.
    assert (progress.period_key, progress.target, progress.expected_by_now) == ("2026-Q4", 3, 0)
    assert (progress.remaining, progress.days_left, progress.on_pace) == (2, 23, True)
    assert progress.calendar_days_left == 31


def test_a_period_without_working_days_asks_for_nothing():
    # Spring Festival 2026: Mon Feb 16 – Sun Feb 22 are all public holidays.
    cal = SchoolCalendar(chinese_holidays=True)
    week = (date(2026, 2, 16), date(2026, 2, 22))
    assert cal.working_days(*week) == 0
    assert prorated_target(4, *week, LONG_AGO, cal) == 0
    progress = rule_progress(POLICY.rule("tutoring-weekly"), cal, member(), date(2026, 2, 18))
    assert (progress.target, progress.expected_by_now, progress.behind_by, progress.on_pace) == (0, 0, 0, True)


# -- pace ------------------------------------------------------------------------------------


def test_pace_skips_blackout_days_and_counts_only_days_before_today():
    # Week 47 (Nov 16–22) with the exam blackout on Wed 18 and Thu 19: working days Mon, Tue, Fri.
    rule = POLICY.rule("tutoring-weekly")
    on_wednesday = rule_progress(rule, CAL, member(), date(2026, 11, 18), done=1)
    # Elapsed before Wednesday: Mon, Tue = 2 of 3 → floor(4 × 2/3) = 2; done 1 → behind by 1.
    assert (on_wednesday.expected_by_now, on_wednesday.behind_by, on_wednesday.on_pace) == (2, 1, False)
    assert on_wednesday.days_left == 1  # only Friday is left to tutor on
    on_friday = rule_progress(rule, CAL, member(), date(2026, 11, 20), done=2)
    # Still 2 elapsed (Wed, Thu are blacked out): expected 2, on pace; Friday itself is not "elapsed" yet.
    assert (on_friday.expected_by_now, on_friday.on_pace, on_friday.remaining) == (2, True, 2)
    on_sunday = rule_progress(rule, CAL, member(), date(2026, 11, 22), done=2)
    assert (on_sunday.expected_by_now, on_sunday.behind_by, on_sunday.days_left) == (4, 2, 0)
    assert on_sunday.period_key == "2026-W47"


def test_expected_by_now_before_during_and_after_the_period():
    start, end = date(2026, 11, 2), date(2026, 11, 8)  # Mon–Sun, 5 working days
    assert expected_by_now(4, start, end, date(2026, 11, 2), PLAIN, LONG_AGO) == 0
    assert expected_by_now(4, start, end, date(2026, 11, 4), PLAIN, LONG_AGO) == 1  # 2 of 5 days: 1.6 → 1
    assert expected_by_now(4, start, end, date(2026, 11, 7), PLAIN, LONG_AGO) == 4
    assert expected_by_now(4, start, end, date(2026, 12, 1), PLAIN, LONG_AGO) == 4
    # A member who joined on Thursday paces over Thu–Fri only.
    assert expected_by_now(2, start, end, date(2026, 11, 6), PLAIN, date(2026, 11, 5)) == 1


def test_phase_rules_apply_only_during_the_phase():
    leader = member("leader")
    rule = POLICY.rule("research")
    assert rule_progress(rule, CAL, leader, date(2026, 11, 14)) is None
    progress = rule_progress(rule, CAL, leader, date(2026, 11, 9), done=0)
    # Nov 2–13: 10 working days, 5 elapsed before Mon Nov 9 → floor(2 × 5/10) = 1.
    assert (progress.period_key, progress.target, progress.expected_by_now, progress.behind_by) == (
        "phase:research",
        2,
        1,
        1,
    )


def test_a_maximum_is_reported_not_enforced():
    rule = POLICY.rule("care")
    progress = rule_progress(rule, CAL, member("leader"), date(2026, 11, 20), done=3)
    assert (progress.period_key, progress.target, progress.maximum) == ("term:2026-autumn", 1, 2)
    assert progress.complete and progress.over_maximum


# -- per paired student ------------------------------------------------------------------------------


def test_per_student_rule_counts_each_paired_student_up_to_the_minimum():
    rule = POLICY.rule("calls-monthly")
    paired = ["张三", "李四", "王五"]
    # Three calls to 张三 do not make up for 王五; names match ignoring case and spaces.
    counts = {"张三": 3, " 李四": 1}
    progress = rule_progress(rule, CAL, member(), date(2026, 11, 30), paired_students=paired, student_counts=counts)
    assert (progress.target, progress.done, progress.remaining) == (3, 2, 1)
    assert progress.students_missing == ("王五",)
    # The students of the period's entries, repeats included, work as well as a mapping.
    same = rule_progress(
        rule, CAL, member(), date(2026, 11, 30), paired_students=paired, student_counts=["张三", "张三", "李四"]
    )
    assert (same.done, same.students_missing) == (2, ("王五",))


def test_per_student_rule_with_a_minimum_above_one():
    rule = POLICY.rule("calls-twice-monthly")
    progress = rule_progress(
        rule, CAL, member(), date(2026, 11, 30), paired_students=["Ann", "Bo"], student_counts={"ann": 5, "BO": 1}
    )
    # Each student owes 2: Ann is credited 2 (not 5), Bo 1 → done 3 of 4, Bo still missing.
    assert (progress.target, progress.done, progress.remaining, progress.students_missing) == (4, 3, 1, ("Bo",))


def test_per_student_rule_without_paired_students_asks_for_nothing():
    progress = rule_progress(POLICY.rule("calls-monthly"), CAL, member(), date(2026, 11, 30))
    assert (progress.target, progress.done, progress.on_pace, progress.students_missing) == (0, 0, True, ())


# -- a month worked by hand ------------------------------------------------------------------------


def test_a_scripted_month_of_home_talks():
    """A head teacher owes 3 home talks in November 2026 and logs them on Nov 3 and Nov 27.

    November 2026 has no public holiday; working days are Nov 2–6, 9–13, 16–20, 23–27 and 30 = 21
    in a weekends-only calendar. Pace: expected = floor(3 × working days before today / 21).

    today     elapsed  expected  done  behind  days left (working, incl. today)
    Nov 2        0        0        0     0      21
    Nov 4        2        0        1     0      19   (talk on the 3rd)
    Nov 16      10        1        1     0      11
    Nov 20      14        2        1     1       7   ← behind: a reminder is due
    Nov 27      19        2        1     1       2   (the talk on the 27th is logged that evening)
    Nov 30      20        2        2     0       1   on pace, but 1 talk still to do today
    Dec 1       21        3        2     1       0   the month closed one short
    """
    logged = [date(2026, 11, 3), date(2026, 11, 27)]
    head_teacher = member("head_teacher")
    rule = POLICY.rule("talks-monthly")
    start, end = date(2026, 11, 1), date(2026, 11, 30)

    def at(today):
        done = sum(1 for day in logged if day < today)  # entries logged before today
        return period_progress(rule, PLAIN, head_teacher, start, end, "2026-11", today, done=done)

    table = {
        date(2026, 11, 2): (0, 0, 0, 21),
        date(2026, 11, 4): (0, 1, 0, 19),
        date(2026, 11, 16): (1, 1, 0, 11),
        date(2026, 11, 20): (2, 1, 1, 7),
        date(2026, 11, 27): (2, 1, 1, 2),
        date(2026, 11, 30): (2, 2, 0, 1),
        date(2026, 12, 1): (3, 2, 1, 0),
    }
    for today, (expected, done, behind, days_left) in table.items():
        progress = at(today)
        assert (progress.expected_by_now, progress.done, progress.behind_by, progress.days_left) == (
            expected,
            done,
            behind,
            days_left,
        ), today
        assert progress.target == 3 and progress.remaining == 3 - done
    assert not at(date(2026, 12, 1)).complete


def test_scripted_month_day_by_day_never_expects_more_than_the_target():
    rule = POLICY.rule("talks-monthly")
    start, end = date(2026, 11, 1), date(2026, 11, 30)
    day = start
    seen = []
    while day <= date(2026, 12, 1):
        progress = period_progress(rule, PLAIN, member("head_teacher"), start, end, "2026-11", day)
        seen.append(progress.expected_by_now)
        day += timedelta(days=1)
    assert seen == sorted(seen) and seen[0] == 0 and seen[-1] == 3


def test_a_pace_shared_among_members_who_count_from_the_same_day_gives_each_the_progress_computed_alone():
    start, end = date(2026, 10, 1), date(2026, 12, 31)
    for joined_on in (LONG_AGO, date(2026, 11, 16), date(2026, 12, 31), date(2027, 1, 4)):
        for today in (date(2026, 10, 1), date(2026, 11, 18), date(2027, 1, 5)):
            for rule_id in ("visits-quarterly", "calls-twice-monthly"):
                rule = POLICY.rule(rule_id)
                shared = period_pace(rule.minimum, CAL, start, end, joined_on, today)
                for member_id, done in ((1, 0), (2, 3)):
                    facts = member(joined_on=joined_on, member_id=member_id)
                    kwargs = dict(done=done, paired_students=["甲", "乙"], student_counts=["甲"] * done)
                    alone = period_progress(rule, CAL, facts, start, end, "q", today, **kwargs)
                    assert period_progress(rule, CAL, facts, start, end, "q", today, pace=shared, **kwargs) == alone
                    assert alone.expected_by_now == expected_by_now(alone.target, start, end, today, CAL, joined_on)
