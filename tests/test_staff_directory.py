"""A school's staff from its organisation's directory: each person a member with their account linked, once."""

from __future__ import annotations

import pytest

from bot.people.schools import create_school
from bot.people.staff_directory import DirectoryPerson, DirectoryRoleError, sync_staff
from storage import repository as repo
from tests.support.accounts import member_of_account, member_with_account

PLATFORM = "dingtalk"
PEOPLE = [DirectoryPerson("", "boss", "张校长"),
          DirectoryPerson("校领导", "boss", "张校长"),
          DirectoryPerson("初一年级组", "t1", "李老师"),
          DirectoryPerson("初一年级组", "t2", "王老师"),
          DirectoryPerson("后勤", "s1", "赵师傅")]


@pytest.fixture
async def school(db, clock):
    return (await create_school(db, "合川中学", language="zh", policy="default", now=clock.now())).school_id


async def roles_of(db, school_id: int) -> dict[str, str]:
    async with db.transaction() as session:
        return {m.display_name: m.role for m in await repo.school_members(session, school_id)}


async def test_everyone_becomes_a_member_with_their_account_linked_and_a_role_by_department(db, clock, school):
    report = await sync_staff(db, school, PLATFORM, PEOPLE, {"校领导": "leader", "后勤": "职工"}, clock.now())
    assert report.added == [("张校长", "leader"), ("李老师", "teacher"), ("王老师", "teacher"), ("赵师傅", "staff")]
    roles = await roles_of(db, school)
    assert roles == {"张校长": "leader", "李老师": "teacher", "王老师": "teacher", "赵师傅": "staff"}
    assert (await member_of_account(db, "t2", PLATFORM)).display_name == "王老师"


async def test_running_it_again_adds_nobody_and_changes_nothing(db, clock, school):
    await sync_staff(db, school, PLATFORM, PEOPLE, {"校领导": "leader"}, clock.now())
    before = await roles_of(db, school)
    again = await sync_staff(db, school, PLATFORM, PEOPLE, {"校领导": "leader"}, clock.now())
    assert (again.added, again.linked, again.updated) == ([], [], [])
    assert sorted(again.unchanged) == sorted(["张校长", "李老师", "王老师", "赵师傅"])
    assert await roles_of(db, school) == before


async def test_a_role_asked_for_later_is_given_once(db, clock, school):
    await sync_staff(db, school, PLATFORM, PEOPLE, {}, clock.now())
    report = await sync_staff(db, school, PLATFORM, PEOPLE, {"初一年级组": "head_teacher"}, clock.now())
    assert sorted(report.updated) == ["李老师", "王老师"]
    assert (await roles_of(db, school))["李老师"] == "head_teacher"


async def test_a_member_from_the_roster_gets_the_account_instead_of_a_twin(db, clock, school):
    async with db.transaction() as session:
        from storage.models import Member
        session.add(Member(school_id=school, role="teacher", display_name="李老师", joined_on=clock.now().date()))
    report = await sync_staff(db, school, PLATFORM, PEOPLE[2:3], {}, clock.now())
    assert report.linked == ["李老师"] and report.added == []
    assert list((await roles_of(db, school))).count("李老师") == 1
    assert (await member_of_account(db, "t1", PLATFORM)).display_name == "李老师"


async def test_a_member_of_another_school_is_left_alone(db, clock, school):
    other = (await create_school(db, "别的学校", language="zh", policy="default", now=clock.now())).school_id
    await member_with_account(db, other, "李老师", PLATFORM, "t1", clock.now())
    report = await sync_staff(db, school, PLATFORM, PEOPLE[2:3], {}, clock.now())
    assert report.skipped == [("李老师", "already a member of another school")]
    assert (await member_of_account(db, "t1", PLATFORM)).school_id == other


@pytest.mark.parametrize(("roles", "message"), [
    ({"教务处": "teacher"}, "no department '教务处' in the directory"),
    ({"后勤": "janitor"}, "unknown role 'janitor' for 后勤"),
])
async def test_a_role_for_an_unknown_department_or_an_unknown_role_stores_nothing(db, clock, school, roles, message):
    before = await roles_of(db, school)
    with pytest.raises(DirectoryRoleError, match=message):
        await sync_staff(db, school, PLATFORM, PEOPLE, roles, clock.now())
    assert await roles_of(db, school) == before
