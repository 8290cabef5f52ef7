"""Districts: `district create` makes the district, its bureau and a leader invite; schools are created in it or
moved in, taking its time zone, language and policy; `district list` shows each with its schools and members."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.people.districts import create_district, create_district_school, district_lines, move_school
from bot.people.schools import SchoolError, create_school
from storage.db import Database
from storage.models import Member, School
from tests.support.cli import invoke

NOW = dt.datetime(2026, 11, 18, 8, 0, tzinfo=dt.timezone.utc)


def test_district_create_prints_the_district_its_bureau_and_a_leader_invite(cli_database):
    result = invoke("district", "create", "华容县教育局", "--timezone", "Asia/Shanghai", "--language", "zh",
                    "--policy", "seed-003")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "district id: 1"
    assert lines[1] == "bureau school id: 1"
    assert lines[2].startswith("leader invite: ") and len(lines[2]) > len("leader invite: ")
    assert lines[3].startswith("link: ")


def test_a_school_created_in_a_district_takes_its_zone_language_and_policy(cli_database):
    assert invoke("district", "create", "Cangnan bureau", "--timezone", "Asia/Urumqi", "--language", "en",
                  "--policy", "seed-004").exit_code == 0
    result = invoke("school", "create", "灵溪一小", "--district", "1", "--zone", "灵溪学区")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "school id: 2"

    async def stored() -> School:
        db = Database(cli_database)
        async with db.transaction() as session:
            school = await session.get(School, 2)
        await db.dispose()
        return school

    school = asyncio.run(stored())
    assert (school.district_id, school.zone, school.timezone, school.language) == (1, "灵溪学区", "Asia/Urumqi", "en")
    assert (school.policy_name, school.policy_follows, school.is_bureau) == ("seed-004", "district", False)


def test_district_list_shows_each_district_with_its_schools_and_member_counts(cli_database):
    assert invoke("district", "create", "华容县教育局", "--policy", "seed-003").exit_code == 0
    assert invoke("school", "create", "城关中学", "--district", "1", "--zone", "城关学区").exit_code == 0
    assert invoke("school", "create", "合川中学", "--policy", "seed-000").exit_code == 0

    async def add_members() -> None:
        db = Database(cli_database)
        async with db.transaction() as session:
            for name in ("王芳", "李雷"):
                session.add(Member(school_id=2, role="teacher", display_name=name, joined_on=dt.date(2026, 9, 1)))
        await db.dispose()

    asyncio.run(add_members())
    result = invoke("school", "set", "3", "--district", "1", "--keep-policy")
    assert result.exit_code == 0, result.output
    assert result.output == "school 3: in district 1, keeps its own policy (seed-000)\n"
    result = invoke("district", "list")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "district 1: 华容县教育局  (policy seed-003)",
        "  school 1: 华容县教育局  (bureau)  0 members, 0 joined",
        "  school 2: 城关中学  (zone 城关学区)  2 members, 0 joined",
        "  school 3: 合川中学  (no zone, own policy seed-000)  0 members, 0 joined",
    ]


def test_moving_a_school_into_a_district_makes_it_follow_the_districts_policy(cli_database):
    assert invoke("district", "create", "华容县教育局", "--policy", "seed-003").exit_code == 0
    assert invoke("school", "create", "合川中学", "--policy", "seed-000").exit_code == 0
    result = invoke("school", "set", "2", "--district", "1", "--zone", "东山学区")
    assert result.exit_code == 0, result.output
    assert result.output == "school 2: in district 1, zone 东山学区, follows the district's policy (seed-003)\n"
    result = invoke("school", "set", "2", "--district", "none")
    assert result.output == "school 2: in no district, keeping policy seed-003 as its own\n"


@pytest.mark.parametrize(("args", "message"), [
    (("school", "create", "X", "--district", "7"), "teachlog: no district with id 7\n"),
    (("school", "create", "X", "--zone", "灵溪学区"),
     "teachlog: --zone needs --district: a zone is part of a district\n"),
    (("school", "set", "1", "--district", "abc"),
     "teachlog: --district 'abc': give the district id (see teachlog district list), or none\n"),
    (("school", "set", "1"), "teachlog: nothing to change: give --counts-from, --district or --zone\n"),
    (("district", "create", "Y", "--language", "fr"), "teachlog: unknown language 'fr': use one of zh, en\n"),
    (("district", "create", " "), "teachlog: the district needs a name\n"),
    (("school", "set", "1", "--district", "2"), "teachlog: school 1 is the bureau of district 1: it stays there\n"),
])
def test_bad_district_requests_are_one_line_errors(cli_database, args, message):
    assert invoke("district", "create", "华容县教育局").exit_code == 0
    assert invoke("district", "create", "苍南县教育局").exit_code == 0
    result = invoke(*args)
    assert (result.exit_code, result.output) == (1, message)


def test_a_district_never_has_two_schools_of_one_name(cli_database):
    assert invoke("district", "create", "华容县教育局").exit_code == 0   # district 1, bureau school 1
    assert invoke("district", "create", "苍南县教育局").exit_code == 0   # district 2, bureau school 2
    assert invoke("school", "create", "城关中学", "--district", "1").exit_code == 0   # school 3
    again = invoke("school", "create", " 城关中学 ", "--district", "1")
    assert (again.exit_code, again.output) == (1, "teachlog: district 1 already has a school called 城关中学 "
                                                  "(school 3): give this one a name of its own\n")
    assert invoke("school", "create", "城关中学", "--district", "2").exit_code == 0   # school 4, another county
    moved = invoke("school", "set", "4", "--district", "1")
    assert moved.exit_code == 1 and "already has a school called 城关中学 (school 3)" in moved.output
    listed = invoke("district", "list").output
    assert listed.count("城关中学") == 2 and "school 4: 城关中学" in listed.split("district 2")[1]


async def test_districts_and_their_schools_are_stored_on_both_backends(db):
    district = await create_district(db, "华容县教育局", timezone="Asia/Shanghai", language="zh", policy="seed-003",
                                     now=NOW)
    inside = await create_district_school(db, "城关中学", district.district_id, zone="城关学区", timezone=None,
                                          language=None, policy=None, now=NOW)
    outside = await create_school(db, "合川中学", policy="seed-000", now=NOW)
    await move_school(db, outside.school_id, district.district_id, None)
    with pytest.raises(SchoolError):
        await move_school(db, district.bureau_school_id, None, None)
    [line] = await district_lines(db)
    assert [(s.school_id, s.name, s.bureau, s.zone, s.policy) for s in line.schools] == [
        (district.bureau_school_id, "华容县教育局", True, None, "seed-003"),
        (inside.school_id, "城关中学", False, "城关学区", "seed-003"),
        (outside.school_id, "合川中学", False, None, "seed-003"),
    ]
