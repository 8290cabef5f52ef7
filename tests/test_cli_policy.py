"""`teachlog policy check|set|list`, and `school create --policy`: what the operator reads, what is stored."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.database import app_database
from bot.quotas.policy import check_policy_text, preset_names, preset_text
from storage.models import ActivityType, School
from tests.support.cli import invoke

GOOD_POLICY = """\
name: small
roles: [{code: teacher}]
activities:
  - {code: home_visit, label_zh: 家访, label_en: Home visit, fields: [student]}
  - {code: phone_call, label_en: Phone call, fields: [student]}
rules:
  - {id: visits, roles: [teacher], activities: [home_visit], min: 2, period: month}
"""

BAD_POLICY = """\
roles: [{code: teacher}]
activities:
  - {code: home_visit, fields: [student]}
rules:
  - {id: visits, roles: [techer], activities: [home_visit], min: 2, period: month}
  - {id: calls, roles: [teacher], activities: [call], min: 1, period: fortnight}
"""



def stored_school(url: str, school_id: int = 1) -> tuple[str, list[str]]:
    """The school's policy name and its active activity codes, in order."""
    async def read() -> tuple[str, list[str]]:
        db = app_database(url)
        try:
            async with db.transaction() as session:
                school = await session.get(School, school_id)
                codes = await session.scalars(
                    select(ActivityType.code)
                    .where(ActivityType.school_id == school_id, ActivityType.active.is_(True))
                    .order_by(ActivityType.position))
                return school.policy_name, list(codes)
        finally:
            await db.dispose()
    return asyncio.run(read())


# -- policy check --------------------------------------------------------------------------------


def test_a_good_policy_file_is_ok(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(GOOD_POLICY, encoding="utf-8")
    result = invoke("policy", "check", str(path))
    assert (result.exit_code, result.output) == (0, f"{path}: ok (2 activities, 1 rule)\n")


def test_every_mistake_is_printed_with_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_POLICY, encoding="utf-8")
    result = invoke("policy", "check", str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines == [f"{path}:{p.line}: {p.message}" for p in check_policy_text(BAD_POLICY)]
    assert f"{path}:5: rules[0].roles[0]: unknown role 'techer' (roles: teacher)" in lines
    assert [line.removeprefix(f"{path}:").split(":")[0] for line in lines] == ["5", "6", "6"]


def test_every_preset_checks_ok():
    for name in preset_names():
        assert check_policy_text(preset_text(name)) == [], name


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("名字: 家访".encode("gbk"), "not UTF-8 text"),
])
def test_an_unreadable_file_is_a_one_line_error(tmp_path, content, message):
    path = tmp_path / "policy.yaml"
    if content is not None:
        path.write_bytes(content)
    result = invoke("policy", "check", str(path))
    assert (result.exit_code, result.output) == (1, f"teachlog: {path}: {message}\n")


# -- policy set -------------------------------------------------------------------------------------


def test_policy_set_to_a_preset_prints_the_name_and_activities_and_stores_them(cli_database):
    invoke("school", "create", "合川中学")
    result = invoke("policy", "set", "--school", "1", "seed-002")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("school 1 now follows policy seed-002: 党的群众路线教育实践活动实施方案"
                        " / Mass-line education campaign")
    assert lines[1] == "8 activities, 10 rules:"
    name, codes = stored_school(cli_database)
    assert name == "seed-002" and len(codes) == 8
    assert [line.split()[0] for line in lines[2:]] == codes


def test_policy_set_from_a_file(cli_database, tmp_path):
    invoke("school", "create", "合川中学")
    path = tmp_path / "small.yaml"
    path.write_text(GOOD_POLICY, encoding="utf-8")
    result = invoke("policy", "set", "--school", "1", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "school 1 now follows policy small: (no title)",
        "2 activities, 1 rule:",
        "  home_visit  家访 / Home visit",
        "  phone_call  Phone call",
    ]
    # The default policy's tutoring is no longer offered.
    assert stored_school(cli_database) == ("small", ["home_visit", "phone_call"])


def test_policy_set_refuses_a_file_with_mistakes_in_one_line_and_changes_nothing(cli_database, tmp_path):
    invoke("school", "create", "合川中学")
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_POLICY, encoding="utf-8")
    result = invoke("policy", "set", "--school", "1", str(path))
    assert result.exit_code == 1
    assert result.output == (f"teachlog: {path}:5: rules[0].roles[0]: unknown role 'techer' (roles: teacher); "
                             f"2 more mistakes, see them all with: teachlog policy check {path}\n")
    assert stored_school(cli_database) == ("default", ["home_visit", "phone_call", "tutoring"])


@pytest.mark.parametrize("args, message", [
    (["--school", "9", "default"], "teachlog: no school with id 9\n"),
    (["--school", "1", "seed-999"], "teachlog: 'seed-999' is neither a preset"),
])
def test_policy_set_refuses_an_unknown_school_or_policy_in_one_line(cli_database, args, message):
    invoke("school", "create", "合川中学")
    result = invoke("policy", "set", *args)
    assert result.exit_code == 1 and result.output.startswith(message)
    assert len(result.output.splitlines()) == 1


def test_policy_list_shows_every_preset_with_its_title():
    result = invoke("policy", "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == preset_names()
    assert lines[0] == "default   默认家校联系方案 / Default outreach plan  (3 activities, 4 rules)"


# -- school create --policy ----------------------------------------------------------------------------


def test_school_create_with_a_preset_policy(cli_database):
    result = invoke("school", "create", "合川中学", "--policy", "seed-000")
    assert result.exit_code == 0, result.output
    name, codes = stored_school(cli_database)
    assert name == "seed-000"
    assert codes[:3] == ["home_visit", "outreach_visit", "live_in_day"] and len(codes) == 12


def test_school_create_with_a_policy_file(cli_database, tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(GOOD_POLICY, encoding="utf-8")
    result = invoke("school", "create", "合川中学", "--policy", str(path))
    assert result.exit_code == 0, result.output
    assert "school id: 1" in result.output
    assert stored_school(cli_database) == ("small", ["home_visit", "phone_call"])


def test_school_create_refuses_a_policy_file_with_mistakes(cli_database, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_POLICY, encoding="utf-8")
    result = invoke("school", "create", "合川中学", "--policy", str(path))
    assert result.exit_code == 1
    assert "unknown role 'techer'" in result.output and "Traceback" not in result.output
