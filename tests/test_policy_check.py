"""`policy check`: every mistake in a policy file, each with its line number."""

import textwrap

import pytest

from bot.quotas.policy import PolicyInvalid, PolicyProblem, check_policy_text, load_policy

# Line numbers below count from the first line of each dedented text.
GOOD = textwrap.dedent(
    """\
    roles:
      - {code: leader}
      - {code: teacher}
    activities:
      - code: home_visit
        label_zh: 家访
        fields: [student, notes]
      - code: phone_call
        label_zh: 电话
        fields: [student]
    calendar:
      terms:
        - {id: 2026-autumn, start: 2026-09-01, end: 2027-01-22}
    phases:
      - {name: research, start: 2026-04-21, end: 2026-05-10}
    rules:
      - id: visits
        roles: [leader, teacher]
        activities: [home_visit]
        min: 4
        period: quarter
    """
)


def with_rule(rule: str) -> str:
    """GOOD plus one more rule starting on line 22."""
    return GOOD + textwrap.indent(textwrap.dedent(rule), "  ")


def test_the_reference_policy_is_fine():
    assert check_policy_text(GOOD) == []
    assert load_policy(GOOD).rule("visits").minimum == 4


CASES = [
    pytest.param(
        "roles: [{code: leader}\nactivities: []\n",
        2,
        "YAML syntax error",
        id="yaml-syntax",
    ),
    pytest.param(
        GOOD.replace("  - {code: teacher}\n", "  - {code: teacher}\n\t- {code: staff}\n"),
        4,
        "YAML syntax error",
        id="tab-indent",
    ),
    pytest.param(
        with_rule(
            """\
              - id: calls
                roles: [leader, principal]
                activities: [phone_call]
                min: 1
                period: month
            """
        ),
        23,
        "rules[1].roles[1]: unknown role 'principal' (roles: leader, teacher)",
        id="unknown-role",
    ),
    pytest.param(
        with_rule(
            """\
              - id: calls
                roles: [leader]
                activities:
                  - phone_call
                  - letter
                min: 1
                period: month
            """
        ),
        26,
        "rules[1].activities[1]: unknown activity 'letter'",
        id="unknown-activity",
    ),
    pytest.param(
        with_rule(
            """\
              - id: calls
                roles: [leader]
                activities: [phone_call]
                min: 1
                period: fortnight
            """
        ),
        26,
        "rules[1].period: bad period 'fortnight'",
        id="bad-period",
    ),
    pytest.param(
        with_rule(
            """\
              - id: calls
                roles: [leader]
                activities: [phone_call]
                min: 1
                period: phase:summit
            """
        ),
        26,
        "rules[1].period: unknown phase 'summit' (phases: research)",
        id="unknown-phase",
    ),
    pytest.param(
        GOOD.replace(
            "    - {id: 2026-autumn, start: 2026-09-01, end: 2027-01-22}\n",
            "    - {id: 2026-autumn, start: 2026-09-01, end: 2027-01-22}\n"
            "    - {id: 2027-spring, start: 2027-01-15, end: 2027-07-09}\n",
        ),
        14,
        "calendar.terms[1].start: term '2027-spring' starts 2027-01-15, before term '2026-autumn'",
        id="overlapping-terms",
    ),
    pytest.param(
        GOOD.replace("end: 2027-01-22", "end: 2026-01-22"),
        13,
        "term '2026-autumn' ends (2026-01-22) before it starts (2026-09-01)",
        id="term-ends-before-it-starts",
    ),
    pytest.param(
        GOOD.replace("start: 2026-04-21, end: 2026-05-10", "start: 2026-05-21, end: 2026-05-10"),
        15,
        "phase 'research' ends (2026-05-10) before it starts (2026-05-21)",
        id="phase-ends-before-it-starts",
    ),
    pytest.param(
        GOOD.replace("    activities: [home_visit]\n", "    activities: []\n"),
        19,
        "rules[0].activities: the rule has no activity",
        id="rule-without-activity",
    ),
    pytest.param(
        GOOD.replace("    min: 4\n", "    min: 4\n    max: 2\n"),
        21,
        "rules[0].max: min 4 is greater than max 2",
        id="min-above-max",
    ),
    pytest.param(
        with_rule(
            """\
              - id: visits
                roles: [teacher]
                activities: [home_visit]
                min: 1
                period: week
            """
        ),
        22,
        "rules[1].id: duplicate rule id 'visits' (also rules[0])",
        id="duplicate-rule-id",
    ),
    pytest.param(
        GOOD.replace("rules:\n", "rule:\n"),
        16,
        "unknown key 'rule' (did you mean 'rules'?)",
        id="unknown-top-level-key",
    ),
    pytest.param(
        GOOD.replace("    period: quarter\n", "    period: quarter\n    every: 2\n"),
        22,
        "rules[0]: unknown key 'every'",
        id="unknown-rule-key",
    ),
    pytest.param(
        GOOD.replace("    min: 4\n", ""),
        17,
        "rules[0]: missing key 'min'",
        id="missing-key",
    ),
    pytest.param(
        GOOD.replace("    min: 4\n", "    min: 4\n    min: 5\n"),
        21,
        "rules[0]: duplicate key 'min'",
        id="duplicate-yaml-key",
    ),
    pytest.param(
        GOOD.replace("    min: 4\n", "    min: -1\n"),
        20,
        "rules[0].min: Input should be greater than or equal to 0",
        id="negative-min",
    ),
    pytest.param(
        GOOD.replace("    fields: [student]\n", "    fields: [student, photo]\n"),
        10,
        "activities[1].fields[1]: Input should be 'student', 'duration', 'notes', 'covisitor', 'problems' or 'place'",
        id="unknown-field",
    ),
    pytest.param(
        GOOD.replace("    fields: [student]\n", "    fields: [student]\n    aliases: [call, 家访]\n"),
        11,
        "activities[1].aliases[1]: '家访' already names activity 'home_visit'",
        id="alias-clash",
    ),
    pytest.param(
        GOOD.replace("    fields: [student, notes]\n", "    fields: [notes]\n").replace(
            "    min: 4\n", "    measure: distinct_students\n    min: 4\n"
        ),
        19,
        "rules[0].activities[0]: the rule counts students, but activity 'home_visit' does not ask for a student",
        id="distinct-students-without-student",
    ),
    pytest.param(
        GOOD.replace("    period: quarter\n", "    period: quarter\n    scope: paired_student\n    measure: days\n"),
        23,
        "rules[0].measure: scope paired_student counts entries for each student",
        id="per-student-days",
    ),
    pytest.param(
        GOOD.replace("    period: quarter\n", "    period: quarter\n    scope: everyone\n"),
        22,
        "rules[0].scope: Input should be 'member', 'paired_student' or 'assigned_place'",
        id="bad-scope",
    ),
    pytest.param(
        GOOD.replace("  - {code: teacher}\n", "  - {code: Teacher}\n"),
        3,
        "roles[1].code: bad role code 'Teacher'",
        id="bad-role-code",
    ),
    pytest.param(
        "timezone: Mars/Olympus\n" + GOOD,
        1,
        "timezone: unknown time zone 'Mars/Olympus'",
        id="bad-timezone",
    ),
    pytest.param(
        GOOD.replace("calendar:\n", "calendar:\n  school_year_start: 13-01\n"),
        12,
        "calendar.school_year_start: bad school_year_start '13-01'",
        id="bad-school-year-start",
    ),
    pytest.param(
        GOOD.replace("start: 2026-09-01, end: 2027-01-22", "start: 2026-09-01, end: next summer"),
        13,
        "calendar.terms[0].end: 'next summer' is not a date",
        id="bad-date",
    ),
    pytest.param(
        GOOD.replace("    period: quarter\n", "    period: term\n").replace(
            "  terms:\n    - {id: 2026-autumn, start: 2026-09-01, end: 2027-01-22}\n", "  terms: []\n"
        ),
        20,
        "rules[0].period: period 'term' needs calendar.terms",
        id="term-period-without-terms",
    ),
    pytest.param("", 1, "the policy is empty", id="empty"),
    pytest.param("- roles\n- rules\n", 1, "a policy must be a mapping", id="not-a-mapping"),
    pytest.param("name: x\n", 1, "the policy defines no roles", id="no-roles"),
]


@pytest.mark.parametrize(("text", "line", "message"), CASES)
def test_each_mistake_is_reported_with_its_line(text, line, message):
    problems = check_policy_text(text)
    assert any(p.line == line and message in p.message for p in problems), "\n".join(map(str, problems))
    with pytest.raises(PolicyInvalid) as raised:
        load_policy(text)
    assert raised.value.problems == problems


def test_all_mistakes_are_reported_at_once_in_line_order():
    text = textwrap.dedent(
        """\
        roles:
          - {code: leader}
        activities:
          - {code: home_visit, fields: [student]}
        rules:
          - id: a
            roles: [boss]
            activities: [home_visit, swim]
            min: 3
            max: 1
            period: fortnight
          - id: a
            roles: [leader]
            activities: [home_visit]
            min: 1
            period: week
        """
    )
    problems = check_policy_text(text)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (7, "rules[0].roles[0]"),
        (8, "rules[0].activities[1]"),
        (10, "rules[0].max"),
        (11, "rules[0].period"),
        (12, "rules[1].id"),
    ]
    assert str(problems[0]) == "line 7: rules[0].roles[0]: unknown role 'boss' (roles: leader)"
    assert problems == sorted(problems)


def test_a_broken_role_is_not_reported_again_as_unknown_in_rules():
    text = GOOD.replace("  - {code: teacher}\n", "  - {code: teacher, colour: blue}\n")
    problems = check_policy_text(text)
    assert problems == [PolicyProblem(3, "roles[1]: unknown key 'colour'")]


def test_policies_built_in_python_are_checked_too():
    from bot.quotas.policy import ActivityType, Policy, Role, Rule

    with pytest.raises(ValueError, match="unknown role 'boss'"):
        Policy(
            roles=[Role(code="leader")],
            activities=[ActivityType(code="home_visit")],
            rules=[Rule(id="r", roles=["boss"], activities=["home_visit"], minimum=1, period="week")],
        )


def test_a_key_of_another_section_is_unknown_here_without_a_suggestion_of_itself():
    problems = check_policy_text(GOOD.replace("{id: 2026-autumn, start:", "{id: 2026-autumn, name: Autumn, start:"))
    assert [(p.line, p.message) for p in problems] == [(13, "calendar.terms[0]: unknown key 'name'")]
