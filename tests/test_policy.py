"""The shipped presets: they load, carry the four roles, and yield the plans' quotas."""

import re
from datetime import date
from pathlib import Path

import pytest

from bot.quotas.calendar import SchoolCalendar
from bot.quotas.policy import Policy, check_policy_text, load_preset, preset_names, preset_text
from bot.quotas.progress import MemberFacts, applicable_rules, rule_progress

EVERYONE = ("leader", "head_teacher", "teacher", "staff")
SEEDS = Path("/work/shared/seeds")


def quotas(policy: Policy, role: str) -> set[tuple[str, str, int, str, str]]:
    """``(activity, measure, min, period, scope)`` for every rule that applies to ``role``."""
    return {
        (activity, rule.measure, rule.minimum, rule.period, rule.scope)
        for rule in applicable_rules(policy, role)
        for activity in rule.activities
    }


def test_presets_are_listed():
    assert preset_names() == ["default", "seed-000", "seed-001", "seed-002", "seed-003", "seed-004"]
    with pytest.raises(KeyError):
        preset_text("seed-999")


@pytest.mark.parametrize("name", ["default", "seed-000", "seed-001", "seed-002", "seed-003", "seed-004"])
def test_each_preset_loads_cleanly_with_the_four_roles(name):
    assert check_policy_text(preset_text(name)) == []
    policy = load_preset(name)
    assert policy.name == name
    assert set(EVERYONE) <= set(policy.role_codes)
    assert policy.rules, "a preset without rules tracks nothing"
    assert policy.timezone == "Asia/Shanghai" and policy.language == "zh"
    assert applicable_rules(policy, "leader")


@pytest.mark.parametrize("name", ["seed-000", "seed-001", "seed-002", "seed-003", "seed-004"])
def test_every_seed_rule_quotes_its_plan_line(name):
    text = preset_text(name)
    lines = text.splitlines()
    rule_lines = [n for n, line in enumerate(lines) if re.match(r"\s+- id: ", line)]
    assert len(rule_lines) == len(load_preset(name).rules)
    plan_files = sorted(SEEDS.glob(f"{name.removeprefix('seed-')}_*.txt"))
    plan = re.sub(r"\s+", "", plan_files[0].read_text(encoding="utf-8")) if plan_files else None
    for n in rule_lines:
        comment = []
        above = n - 1
        while above >= 0 and lines[above].strip().startswith("#"):
            comment.insert(0, lines[above])
            above -= 1
        quotes = re.findall(r"「([^」]+)」", "\n".join(comment))
        assert quotes, f"{name}: {lines[n].strip()} quotes no plan line"
        if plan is not None:  # the plans live outside the repository; check the quotes are verbatim
            for quote in quotes:
                assert re.sub(r"\s+", "", quote) in plan, quote


# -- the quotas, plan by plan ---------------------------------------------------------------------


def test_seed_000_quotas():
    policy = load_preset("seed-000")
    for role in EVERYONE:  # 教职工每人每季度家访不少于4次
        assert ("home_visit", "entries", 4, "quarter", "member") in quotas(policy, role)
        assert ("phone_call", "entries", 1, "month", "paired_student") in quotas(policy, role)
        assert ("letter", "entries", 1, "quarter", "paired_student") in quotas(policy, role)
        assert ("pairing_help", "distinct_students", 1, "year", "member") in quotas(policy, role)
        assert ("live_in_day", "days", 5, "year", "member") in quotas(policy, role)  # 不少于1周: a working week
    assert ("tutoring", "entries", 4, "week", "member") in quotas(policy, "teacher")
    assert ("home_talk", "entries", 3, "month", "member") in quotas(policy, "head_teacher")
    assert ("demo_lesson", "entries", 2, "year", "member") in quotas(policy, "leader")
    assert ("outreach_visit", "entries", 3, "year", "member") in quotas(policy, "leader")
    # 学校主要领导每年给师生作一次…专题讲座; the principal owes the leadership's quotas too
    assert ("lecture", "entries", 1, "year", "member") in quotas(policy, "principal")
    assert quotas(policy, "leader") < quotas(policy, "principal")
    assert not any(q[0] == "tutoring" for q in quotas(policy, "staff"))


def test_seed_001_quotas():
    policy = load_preset("seed-001")
    care = policy.rule("leader-pair-care")  # 结对关爱1-2名学生
    assert (care.measure, care.minimum, care.maximum, care.period) == ("distinct_students", 1, 2, "phase:campaign")
    for role in EVERYONE:
        assert ("grassroots_visit", "entries", 1, "phase:rollout", "member") in quotas(policy, role)
    assert policy.activity("grassroots_visit").asks_for("problems")  # problems are tracked to closure
    assert [p.name for p in policy.phases] == ["mobilize", "rollout", "deepen", "consolidate", "campaign"]


def test_seed_002_quotas():
    policy = load_preset("seed-002")
    # 上学期要求每位班主任、各科任教师至少各走访20、10户学生家庭
    assert ("home_visit", "distinct_students", 20, "term", "member") in quotas(policy, "head_teacher")
    assert ("home_visit", "distinct_students", 10, "term", "member") in quotas(policy, "teacher")
    leader = quotas(policy, "leader")
    for activity in ("class_observation", "teacher_talk", "home_visit", "good_deed"):
        assert (activity, "entries", 1, "week", "member") in leader
    assert ("community_talk", "entries", 1, "month", "member") in leader
    assert ("group_study", "days", 10, "phase:learn", "member") in quotas(policy, "staff")


def test_seed_003_quotas():
    policy = load_preset("seed-003")
    leader = quotas(policy, "leader")
    assert ("window_service", "entries", 1, "phase:compete", "member") in leader
    for counted in ("contact_visit", "review", "problem_solved"):  # the contact-point form's columns
        assert (counted, "entries", 0, "phase:campaign", "member") in leader
    assert ("pairing_help", "distinct_students", 1, "year", "member") in quotas(policy, "teacher")


def test_seed_004_quotas():
    policy = load_preset("seed-004")
    leader = quotas(policy, "leader")
    assert ("field_research", "days", 5, "phase:research", "member") in leader  # 集中一周时间: a working week
    assert ("forum", "entries", 1, "phase:research", "member") in leader
    assert ("study_session", "entries", 2, "month", "member") in quotas(policy, "teacher")
    assert ("npc_suggestion", "entries", 1, "year", "member") in leader
    assert ("cppcc_proposal", "entries", 1, "year", "member") in leader


def test_default_preset():
    policy = load_preset("default")
    assert [a.code for a in policy.activities] == ["home_visit", "phone_call", "tutoring"]
    aliases = policy.aliases_map()
    assert aliases["家访"] == aliases["home visit"] == aliases["hv"] == "home_visit"
    assert aliases["电话"] == aliases["call"] == "phone_call"
    assert aliases["作业辅导"] == aliases["辅导"] == aliases["tutoring"] == "tutoring"
    assert all(word == word.lower() for word in aliases)
    assert policy.find_activity("  Home Visit ").code == "home_visit"
    assert policy.find_activity("swimming") is None
    visit = policy.activity("home_visit")
    assert (visit.label("zh"), visit.label("en"), visit.label("en-US"), visit.label(None)) == (
        "家访",
        "Home visit",
        "Home visit",
        "家访",
    )
    assert visit.fields == ("student", "duration", "notes", "covisitor")
    assert policy.role("head_teacher").label("zh") == "班主任"
    with pytest.raises(KeyError):
        policy.activity("swimming")


# -- presets feed progress ------------------------------------------------------------------------------


def test_seed_000_targets_in_a_real_week():
    policy = load_preset("seed-000")
    calendar = SchoolCalendar.from_policy(policy)
    teacher = MemberFacts(member_id=1, role="teacher", joined_on=date(2026, 9, 1))
    tutoring = rule_progress(policy.rule("teacher-tutoring-weekly"), calendar, teacher, date(2026, 11, 20), done=3)
    assert (tutoring.period_key, tutoring.target, tutoring.expected_by_now, tutoring.remaining) == ("2026-W47", 4, 3, 1)
    visits = rule_progress(policy.rule("everyone-home-visit-quarterly"), calendar, teacher, date(2026, 11, 20))
    assert (visits.period_key, visits.target) == ("2026-Q4", 4)
    leader = MemberFacts(member_id=2, role="leader", joined_on=date(2026, 1, 1))
    yearly = rule_progress(policy.rule("leader-demo-lessons-yearly"), calendar, leader, date(2026, 11, 20))
    assert (yearly.period_key, yearly.period_start, yearly.target) == ("2026-2027", date(2026, 9, 1), 2)


def test_seed_002_term_targets_and_vacations():
    policy = load_preset("seed-002")
    calendar = SchoolCalendar.from_policy(policy)
    head = MemberFacts(member_id=3, role="head_teacher", joined_on=date(2025, 9, 1))
    progress = rule_progress(policy.rule("head-teacher-families-term"), calendar, head, date(2026, 11, 20), done=8)
    assert (progress.period_key, progress.target, progress.remaining) == ("term:2026-autumn", 20, 12)
    assert rule_progress(policy.rule("head-teacher-families-term"), calendar, head, date(2026, 8, 10)) is None
    # A week inside the winter-vacation blackout (and inside the leaders' phase) asks leaders for nothing.
    leader = MemberFacts(member_id=4, role="leader", joined_on=date(2025, 9, 1))
    winter = rule_progress(policy.rule("leader-home-visit-weekly"), calendar, leader, date(2026, 2, 11))
    assert winter.target == 0 and winter.on_pace
