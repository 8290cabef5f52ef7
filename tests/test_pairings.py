"""Pairings (结对帮扶): the service on both backends, reading roster CSVs, and the `pair` and `roster` commands."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from bot.database import app_database
from bot.people.pairings import (
    PairingError,
    add_pairing,
    clean_student_name,
    import_roster,
    list_pairings,
    remove_pairing,
)
from bot.people.roster import RosterHeaderError, RosterRow, decode_roster, read_roster
from bot.people.schools import SchoolError, create_school
from bot.quotas.standing import school_standing
from storage.db import Database
from storage.models import Entry, Member, Pairing
from tests.support.cli import invoke

SEPTEMBER = dt.date(2026, 9, 1)


async def make_school(db: Database, now: dt.datetime, name: str = "合川中学") -> int:
    return (await create_school(db, name, policy="seed-000", now=now)).school_id


async def make_member(db: Database, school_id: int, name: str, role: str = "teacher", *, active: bool = True) -> int:
    async with db.transaction() as session:
        member = Member(school_id=school_id, display_name=name, role=role, joined_on=SEPTEMBER, active=active)
        session.add(member)
        await session.flush()
        return member.id


async def stored_pairings(db: Database) -> list[tuple[int, str, str]]:
    async with db.transaction() as session:
        rows = await session.scalars(select(Pairing).order_by(Pairing.id))
        return [(p.member_id, p.student_name, p.student_key) for p in rows]


@pytest.fixture
async def school(db, clock):
    """School 1 (seed-000) with 王芳 ×2, 李雷 and Li Lei; school 2 with 张伟."""
    school_id = await make_school(db, clock.now())
    other_id = await make_school(db, clock.now(), "Lakeside School")
    ids = {
        "wang_teacher": await make_member(db, school_id, "王芳"),
        "li_lei": await make_member(db, school_id, "李雷", "head_teacher"),
        "wang_leader": await make_member(db, school_id, "王芳", "leader"),
        "li_lei_latin": await make_member(db, school_id, "Li Lei"),
        "left": await make_member(db, school_id, "赵敏", "staff", active=False),
        "elsewhere": await make_member(db, other_id, "张伟"),
    }
    return school_id, ids


# -- one pairing at a time -------------------------------------------------------------------


async def test_a_member_named_by_id_or_by_name_is_paired_once(db, school):
    school_id, ids = school
    first = await add_pairing(db, school_id, "李雷", "Han Meimei")
    again = await add_pairing(db, school_id, str(ids["li_lei"]), "  han   MEIMEI ")
    assert first.created and not again.created
    assert (again.pairing.member_id, again.pairing.student_name) == (ids["li_lei"], "Han Meimei")
    assert await stored_pairings(db) == [(ids["li_lei"], "Han Meimei", "hanmeimei")]


async def test_latin_display_names_match_whatever_the_case_and_spacing(db, school):
    school_id, ids = school
    outcome = await add_pairing(db, school_id, "li  LEI", "小明")
    assert outcome.pairing.member_id == ids["li_lei_latin"]


async def test_an_ambiguous_name_lists_the_candidates_and_adds_nothing(db, school):
    school_id, ids = school
    with pytest.raises(PairingError) as error:
        await add_pairing(db, school_id, "王芳", "小明")
    assert str(error.value) == (f"ambiguous member '王芳': 王芳 (#{ids['wang_teacher']}, teacher), "
                                f"王芳 (#{ids['wang_leader']}, leader); use the id")
    assert await stored_pairings(db) == []


async def test_an_unknown_name_suggests_close_names(db, school):
    school_id, ids = school
    with pytest.raises(PairingError) as error:
        await add_pairing(db, school_id, "李 雷雷", "小明")
    assert str(error.value).startswith("unknown member '李 雷雷': no member of school 1 has that id or name")
    assert f"did you mean 李雷 (#{ids['li_lei']})?" in str(error.value)


async def test_members_of_another_school_and_members_who_left_are_refused(db, school):
    school_id, ids = school
    with pytest.raises(PairingError, match=f"member {ids['elsewhere']} belongs to another school, not school 1"):
        await add_pairing(db, school_id, str(ids["elsewhere"]), "小明")
    with pytest.raises(PairingError, match="unknown member '张伟'"):
        await add_pairing(db, school_id, "张伟", "小明")
    with pytest.raises(PairingError, match=rf"member 赵敏 \(#{ids['left']}\) has left school 1"):
        await add_pairing(db, school_id, str(ids["left"]), "小明")
    with pytest.raises(PairingError, match="unknown member '赵敏'"):
        await add_pairing(db, school_id, "赵敏", "小明")
    assert await stored_pairings(db) == []


async def test_an_unknown_school_is_refused(db, school):
    with pytest.raises(SchoolError, match="no school with id 9"):
        await add_pairing(db, 9, "李雷", "小明")


def test_student_names_must_be_given_and_short():
    assert clean_student_name("  王  小明 ") == "王 小明"
    assert clean_student_name("长" * 60) == "长" * 60
    with pytest.raises(PairingError, match="empty student name"):
        clean_student_name("   ")
    with pytest.raises(PairingError, match=r"student name too long \(61 characters; at most 60\)"):
        clean_student_name("长" * 61)


async def test_pairings_are_listed_by_member_and_removed_one_by_one(db, school):
    school_id, ids = school
    for member, student in [("Li Lei", "Lucy"), ("李雷", "小红"), ("李雷", "小明")]:
        await add_pairing(db, school_id, member, student)
    listed = await list_pairings(db, school_id)
    assert [(p.display_name, p.student_name) for p in listed] == [
        ("李雷", "小红"), ("李雷", "小明"), ("Li Lei", "Lucy")]
    removed = await remove_pairing(db, school_id, "李雷", "小 红")
    assert removed.student_name == "小红"
    assert [p.student_name for p in await list_pairings(db, school_id, "李雷")] == ["小明"]
    with pytest.raises(PairingError, match="李雷 .* is not paired with '小红'"):
        await remove_pairing(db, school_id, "李雷", "小红")


async def test_a_paired_student_counts_in_the_per_student_rules(db, school, clock):
    school_id, ids = school
    await add_pairing(db, school_id, "李雷", "小明")
    await add_pairing(db, school_id, "李雷", "小红")
    async with db.transaction() as session:
        session.add(Entry(school_id=school_id, member_id=ids["li_lei"], activity_code="phone_call",
                          occurred_on=dt.date(2026, 11, 10), student_name="小明", student_key="小明", source="test",
                          logged_at=dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC)))
    standing = await school_standing(db, school_id, dt.date(2026, 11, 18))
    li_lei = next(m for m in standing.members if m.member_id == ids["li_lei"])
    calls = next(r for r in li_lei.rules if r.rule_id == "paired-call-monthly")
    assert (calls.done, calls.target, calls.students_missing) == (1, 2, ("小红",))


# -- rosters ------------------------------------------------------------------------------------


def test_a_roster_is_read_with_file_line_numbers():
    text = 'student,note,member\n小明,,李雷\n\n"小\n红",x,李雷\nLucy\n,,\n'
    assert read_roster(text) == [
        RosterRow(2, "李雷", "小明"),
        RosterRow(4, "李雷", "小\n红"),
        RosterRow(6, None, "Lucy"),
    ]


@pytest.mark.parametrize("header", ["教师,学生", "成员,学生", "Member , STUDENT", "学生,班级,教师"])
def test_chinese_and_english_headers_in_any_order_are_understood(header):
    columns = [c.strip().casefold() for c in header.split(",")]
    cells = {"教师": "李雷", "成员": "李雷", "member": "李雷", "学生": "小明", "student": "小明", "班级": "3"}
    rows = read_roster(header + "\n" + ",".join(cells[c] for c in columns) + "\n")
    assert rows == [RosterRow(2, "李雷", "小明")]


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("name,kid\n李雷,小明\n", "missing member and student, found 'name', 'kid'"),
    ("member,name\n", "missing student"),
    ("member,学生,教师\n", "two member columns (columns 1 and 3)"),
])
def test_a_bad_header_is_refused(text, message):
    with pytest.raises(RosterHeaderError) as error:
        read_roster(text)
    assert message in str(error.value) and error.value.line == 1


def test_roster_bytes_are_utf8_with_or_without_a_byte_order_mark():
    assert decode_roster("\ufeff教师,学生\n".encode()) == "教师,学生\n"
    assert decode_roster("教师,学生\n".encode()) == "教师,学生\n"
    with pytest.raises(ValueError, match="not UTF-8"):
        decode_roster("教师,学生\n".encode("gbk"))


async def test_a_roster_imports_its_good_rows_and_reports_each_bad_one(db, school):
    school_id, ids = school
    await add_pairing(db, school_id, "李雷", "小明")
    text = "\n".join([
        "教师,学生,班级",
        "李雷,小红,1",  # 2: paired
        "李雷, 小 明 ,1",  # 3: already paired
        "王芳,Tom,2",  # 4: ambiguous
        f"{ids['wang_leader']},Tom,2",  # 5: paired, by id
        "nobody,Jim",  # 6: unknown
        "李雷",  # 7: missing column
        "Li Lei,",  # 8: empty student
        "Li Lei," + "长" * 61,  # 9: too long
        f"{ids['elsewhere']},Jim",  # 10: another school
        "李雷,小红",  # 11: repeated in the file
        "nobody," + "长" * 61,  # 12: two problems, both reported
    ]) + "\n"
    report = await import_roster(db, school_id, text)
    assert (report.paired, report.already_paired) == (2, 2)
    assert [(bad.line, bad.reason.split(":")[0]) for bad in report.bad_rows] == [
        (4, "ambiguous member '王芳'"), (6, "unknown member 'nobody'"), (7, "missing column 'student'"),
        (8, "empty student name"), (9, "student name too long (61 characters; at most 60)"),
        (10, f"member {ids['elsewhere']} belongs to another school, not school 1"),
        (12, "unknown member 'nobody'"),
    ]
    assert report.bad_rows[-1].reason.endswith("; student name too long (61 characters; at most 60)")
    assert await stored_pairings(db) == [
        (ids["li_lei"], "小明", "小明"), (ids["li_lei"], "小红", "小红"), (ids["wang_leader"], "Tom", "tom")]


async def test_a_roster_with_a_bad_header_imports_nothing(db, school):
    school_id, _ = school
    with pytest.raises(RosterHeaderError):
        await import_roster(db, school_id, "teacher,kid\n李雷,小明\n")
    assert await stored_pairings(db) == []


# -- the commands -------------------------------------------------------------------------------


@pytest.fixture
def database(cli_database):
    """A CLI database with school 1 (seed-000: 王芳 ×2, 李雷, Li Lei) and school 2 (张伟, member 5)."""
    url = cli_database
    assert invoke("school", "create", "合川中学", "--policy", "seed-000").exit_code == 0
    assert invoke("school", "create", "Lakeside School").exit_code == 0

    async def members() -> None:
        db = app_database(url)
        for school_id, name, role in [(1, "王芳", "teacher"), (1, "李雷", "head_teacher"), (1, "王芳", "leader"),
                                      (1, "Li Lei", "teacher"), (2, "张伟", "teacher")]:
            await make_member(db, school_id, name, role)
        await db.dispose()

    asyncio.run(members())
    return url



def cli_pairings(url: str) -> list[tuple[int, str, str]]:
    async def read() -> list[tuple[int, str, str]]:
        db = app_database(url)
        try:
            return await stored_pairings(db)
        finally:
            await db.dispose()
    return asyncio.run(read())


def test_pair_add_says_what_it_did_and_is_idempotent(database):
    first = invoke("pair", "add", "--school", "1", "--member", "李雷", "--student", "小明")
    again = invoke("pair", "add", "--school", "1", "--member", "2", "--student", " 小 明")
    assert (first.exit_code, first.output) == (0, "paired 李雷 (#2) with 小明\n")
    assert (again.exit_code, again.output) == (0, "李雷 (#2) is already paired with 小明; nothing added\n")
    assert cli_pairings(database) == [(2, "小明", "小明")]


@pytest.mark.parametrize("member, message", [
    ("王芳", "teachlog: ambiguous member '王芳': 王芳 (#1, teacher), 王芳 (#3, leader); use the id"),
    ("王放", "teachlog: unknown member '王放': no member of school 1 has that id or name "
            "(did you mean 王芳 (#1), 王芳 (#3)?)"),
    ("5", "teachlog: member 5 belongs to another school, not school 1"),
])
def test_pair_add_refuses_a_member_it_cannot_pin_down_in_one_line(database, member, message):
    result = invoke("pair", "add", "--school", "1", "--member", member, "--student", "小明")
    assert (result.exit_code, result.output) == (1, message + "\n")
    assert cli_pairings(database) == []


def test_pair_list_and_remove(database):
    invoke("pair", "add", "--school", "1", "--member", "李雷", "--student", "小明")
    invoke("pair", "add", "--school", "1", "--member", "Li Lei", "--student", "Lucy")
    invoke("pair", "add", "--school", "1", "--member", "李雷", "--student", "小红")
    listed = invoke("pair", "list", "--school", "1")
    assert listed.output.splitlines() == ["李雷 (#2): 小明, 小红", "Li Lei (#4): Lucy", "2 members, 3 pairings"]
    removed = invoke("pair", "remove", "--school", "1", "--member", "4", "--student", "lucy")
    assert removed.output == "removed: Li Lei (#4) is no longer paired with Lucy\n"
    assert invoke("pair", "list", "--school", "1", "--member", "4").output == "no pairings for member 4\n"
    again = invoke("pair", "remove", "--school", "1", "--member", "4", "--student", "lucy")
    assert (again.exit_code, again.output) == (1, "teachlog: Li Lei (#4) is not paired with 'lucy'\n")


def test_roster_import_reports_each_bad_row_and_exits_1(database, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes("\ufeff教师,学生,班级\n李雷,小明,1\n\n王芳,Tom,2\n1,Tom,2\nnobody,Jim\n李雷,小明\n".encode())
    result = invoke("roster", "import", "--school", "1", str(roster))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{roster}: 2 paired, 1 already paired, 2 bad rows",
        f"{roster}:4: ambiguous member '王芳': 王芳 (#1, teacher), 王芳 (#3, leader); use the id",
        f"{roster}:6: unknown member 'nobody': no member of school 1 has that id or name",
        "2 bad rows skipped, the other 3 rows were imported; fix them and import the file again "
        "(pairs already made are kept, not repeated)",
    ]
    assert cli_pairings(database) == [(2, "小明", "小明"), (1, "Tom", "tom")]


def test_roster_import_of_good_rows_exits_0_and_is_idempotent(database, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("member,student\n李雷,小明\nLi Lei,Lucy\n", encoding="utf-8")
    first = invoke("roster", "import", "--school", "1", str(roster))
    second = invoke("roster", "import", "--school", "1", str(roster))
    assert (first.exit_code, first.output) == (0, f"{roster}: 2 paired, 0 already paired\n")
    assert (second.exit_code, second.output) == (0, f"{roster}: 0 paired, 2 already paired\n")
    assert len(cli_pairings(database)) == 2


def test_roster_import_refuses_a_bad_header_missing_file_or_other_encoding_in_one_line(database, tmp_path):
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("name,kid\n李雷,小明\n", encoding="utf-8")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("教师,学生\n李雷,小明\n".encode("gbk"))
    outputs = [invoke("roster", "import", "--school", "1", str(path)) for path in
               (bad_header, tmp_path / "missing.csv", gbk)]
    assert [r.exit_code for r in outputs] == [1, 1, 1]
    assert outputs[0].output.startswith(f"teachlog: {bad_header}:1: the header needs a member column")
    assert outputs[0].output.rstrip().endswith("nothing was imported")
    assert outputs[1].output == f"teachlog: {tmp_path / 'missing.csv'}: no such file\n"
    assert outputs[2].output.startswith(f"teachlog: {gbk}: the file is not UTF-8 text")
    assert all(len(r.output.splitlines()) == 1 for r in outputs)
    assert cli_pairings(database) == []
