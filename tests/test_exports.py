"""Exports for leaders: every sheet of the .xlsx, a CSV round trip that Excel reads, the range typed in /export,
who may export and where, and `teachlog export` — on both backends."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io

import openpyxl
import pytest
from typer.testing import CliRunner

from bot.cli import app as cli_app
from bot.cli import export as export_cli
from bot.clock import FixedClock
from bot.database import app_database
from bot.people.schools import create_school
from bot.people.students import student_key
from bot.quotas.standing import school_standing
from bot.reporting.exports import ExportRangeError, export_range, write_export
from storage.migrate import upgrade
from storage.models import Entry, Member, Pairing, Problem
from tests.conftest import DEFAULT_NOW
from tests.support.accounts import give_account

TODAY = dt.date(2026, 11, 18)
NOV_1 = dt.date(2026, 11, 1)
LOGGED = dt.datetime(2026, 11, 18, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
TRICKY_NOTES = '家长说："孩子很好"，但是, 作业多\n第二行 "quoted", comma'
GROUP = -1009876543210


# --- a school set up by hand ------------------------------------------------------------------

async def add_member(db, school_id, name, role, telegram_user_id=None) -> int:
    async with db.transaction() as session:
        member = Member(school_id=school_id, role=role, display_name=name, joined_on=dt.date(2026, 9, 1))
        session.add(member)
        await session.flush()
        if telegram_user_id is not None:
            await give_account(session, member, telegram_user_id)
        return member.id


async def add_entry(db, school_id, member_id, activity, day, student=None, *, time=None, minutes=None, notes=None,
                    covisitor=None, deleted=False) -> int:
    async with db.transaction() as session:
        entry = Entry(school_id=school_id, member_id=member_id, activity_code=activity, occurred_on=day,
                      occurred_time=time, student_name=student, student_key=student_key(student) if student else None,
                      duration_minutes=minutes, notes=notes, covisitor_member_id=covisitor, logged_at=LOGGED,
                      deleted_at=LOGGED if deleted else None)
        session.add(entry)
        await session.flush()
        return entry.id


async def pair(db, school_id, member_id, student) -> None:
    async with db.transaction() as session:
        session.add(Pairing(school_id=school_id, member_id=member_id, student_name=student,
                            student_key=student_key(student)))


async def contact_point_school(db, clock) -> dict:
    """Plan 003's school: a leader with a contact point, two teachers, entries in and around November."""
    school = (await create_school(db, "华容一中", policy="seed-003", now=clock.now())).school_id
    other_school = (await create_school(db, "别的学校", policy="seed-003", now=clock.now())).school_id
    liu = await add_member(db, school, "刘校长", "leader")
    chen = await add_member(db, school, "陈老师", "teacher")
    stranger = await add_member(db, other_school, "外校老师", "teacher")
    await pair(db, school, liu, "王小明")
    await pair(db, school, chen, "赵六")
    await pair(db, school, chen, "孙七")
    visit = await add_entry(db, school, liu, "contact_visit", dt.date(2026, 11, 3), notes="食堂排队时间长，建议错峰",
                            covisitor=chen)
    await add_entry(db, school, liu, "contact_visit", dt.date(2026, 11, 10))
    await add_entry(db, school, liu, "review", dt.date(2026, 11, 12), notes="窗口服务态度好")
    await add_entry(db, school, liu, "pairing_help", dt.date(2026, 11, 16), "王小明")
    await add_entry(db, school, chen, "home_visit", dt.date(2026, 11, 5), "赵六", time=dt.time(10, 30), minutes=40,
                    notes=TRICKY_NOTES)
    await add_entry(db, school, chen, "pairing_help", dt.date(2026, 11, 6), "赵六", notes="=1+1")
    await add_entry(db, school, chen, "home_visit", dt.date(2026, 11, 17), "孙七", deleted=True)
    await add_entry(db, school, chen, "home_visit", dt.date(2026, 10, 25), "孙七")
    await add_entry(db, other_school, stranger, "home_visit", dt.date(2026, 11, 9), "外校学生")
    async with db.transaction() as session:
        session.add_all([
            Problem(school_id=school, entry_id=visit, raised_by_member_id=liu, text="食堂拥挤", status="closed",
                    assignee_member_id=liu, result="已错峰就餐", raised_at=LOGGED,
                    closed_at=dt.datetime(2026, 11, 15, 2, tzinfo=dt.UTC), closed_by_member_id=liu),
            Problem(school_id=school, entry_id=visit, raised_by_member_id=liu, text="路灯坏了", status="open",
                    raised_at=LOGGED),
        ])
    return {"school": school, "liu": liu, "chen": chen}


async def workbook(db, school, language="zh", start=NOV_1, end=TODAY):
    stream = io.BytesIO()
    count = await write_export(db, school, start, end, language=language, today=TODAY, xlsx=stream)
    return count, openpyxl.load_workbook(io.BytesIO(stream.getvalue()))


def values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


# --- the workbook -----------------------------------------------------------------------------

async def test_the_workbook_has_a_sheet_for_entries_progress_students_and_contact_points(db, clock):
    ids = await contact_point_school(db, clock)
    count, book = await workbook(db, ids["school"])
    assert count == 6
    assert book.sheetnames == ["记录", "完成进度", "结对学生", "领导联系点登记表"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
    entries = book["记录"]
    assert entries.column_dimensions["H"].width == 50  # the notes
    assert values(entries)[0] == ["日期", "时间", "成员", "职务", "活动", "学生或家庭", "时长（分钟）", "备注",
                                  "同行同事", "记录时间", "来源"]


async def test_the_entries_sheet_lists_the_range_in_order_without_removed_or_foreign_entries(db, clock):
    ids = await contact_point_school(db, clock)
    _, book = await workbook(db, ids["school"])
    rows = values(book["记录"])[1:]
    assert [(row[0].date(), row[2], row[4]) for row in rows] == [
        (dt.date(2026, 11, 3), "刘校长", "到联系点"),
        (dt.date(2026, 11, 5), "陈老师", "家访"),
        (dt.date(2026, 11, 6), "陈老师", "结对帮扶"),
        (dt.date(2026, 11, 10), "刘校长", "到联系点"),
        (dt.date(2026, 11, 12), "刘校长", "点评"),
        (dt.date(2026, 11, 16), "刘校长", "结对帮扶"),
    ]
    visit, home_visit, formula = rows[0], rows[1], rows[2]
    assert visit[3] == "党员领导干部" and visit[8] == "陈老师" and visit[7] == "食堂排队时间长，建议错峰"
    assert home_visit[1:] == [dt.time(10, 30), "陈老师", "党员教师", "家访", "赵六", 40, TRICKY_NOTES, None,
                              dt.datetime(2026, 11, 18, 9, 0), "telegram"]
    assert book["记录"]["A3"].number_format == "yyyy-mm-dd"
    assert formula[7] == "=1+1" and book["记录"]["H4"].data_type == "s"  # text, never a formula


async def test_the_progress_sheet_is_the_standing_on_the_last_day(db, clock):
    ids = await contact_point_school(db, clock)
    _, book = await workbook(db, ids["school"])
    header, *rows = values(book["完成进度"])
    assert header == ["成员", "职务", "要求", "周期开始", "周期结束", "已完成", "目标", "按进度应完成", "落后",
                      "进度正常", "尚未联系的学生"]
    standing = await school_standing(db, ids["school"], TODAY)
    expected = [(m.display_name, standing.policy.rule(p.rule_id).label("zh"), p.done, p.target)
                for m in standing.members for p in m.rules]
    assert [(row[0], row[2], row[5], row[6]) for row in rows] == expected
    assert ["刘校长", "党员领导干部", "到联系点次数", dt.datetime(2026, 9, 24), dt.datetime(2026, 12, 10), 2, 0, 0, 0,
            "是", None] in rows
    assert ["陈老师", "党员教师", "每位教师结对帮扶一名学生", dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 31),
            1, 1, 0, 0, "是", None] in rows


async def test_the_students_sheet_counts_each_paired_student_and_the_last_contact(db, clock):
    ids = await contact_point_school(db, clock)
    _, book = await workbook(db, ids["school"])
    assert values(book["结对学生"]) == [
        ["成员", "学生", "结对帮扶", "家访", "最近联系日期"],
        ["刘校长", "王小明", 1, 0, dt.datetime(2026, 11, 16)],
        ["陈老师", "赵六", 1, 1, dt.datetime(2026, 11, 6)],
        ["陈老师", "孙七", 0, 0, dt.datetime(2026, 10, 25)],  # the visit on the 17th was removed
    ]


async def test_the_contact_point_sheet_follows_the_form_of_plan_003(db, clock):
    ids = await contact_point_school(db, clock)
    _, book = await workbook(db, ids["school"])
    assert values(book["领导联系点登记表"]) == [
        ["联系领导", "职务", "联系点（联系窗口单位或服务行业名称）", "窗口单位或服务行业负责人", "到联系点次数",
         "点评次数（意见建议）", "帮助解决问题（个数）", "意见建议"],
        ["刘校长", "党员领导干部", "王小明", None, 2, 2, 1,
         "2026-11-03 食堂排队时间长，建议错峰\n2026-11-12 窗口服务态度好"],
    ]


async def test_headers_and_labels_follow_the_chosen_language(db, clock):
    ids = await contact_point_school(db, clock)
    _, book = await workbook(db, ids["school"], language="en")
    assert book.sheetnames == ["Entries", "Progress", "Paired students", "Contact points"]
    assert values(book["Entries"])[0][:5] == ["Date", "Time", "Member", "Role", "Activity"]
    assert values(book["Entries"])[1][3:5] == ["Leadership", "Visit to contact point"]
    assert values(book["Contact points"])[0][:2] == ["Liaison leader", "Position"]
    assert values(book["Progress"])[1][9] == "yes"


# --- CSV --------------------------------------------------------------------------------------

async def test_the_csv_opens_in_excel_and_reads_back_the_same_rows(db, clock):
    ids = await contact_point_school(db, clock)
    stream = io.BytesIO()
    assert await write_export(db, ids["school"], NOV_1, TODAY, language="zh", today=TODAY, csv=stream) == 6
    data = stream.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs for UTF-8
    assert data.count(b"\r\n") == 7  # CRLF after each row, as the csv module writes; "\n" inside quoted notes
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["日期", "时间", "成员", "职务", "活动", "学生或家庭", "时长（分钟）", "备注", "同行同事",
                       "记录时间", "来源"]
    assert rows[2] == ["2026-11-05", "10:30", "陈老师", "党员教师", "家访", "赵六", "40", TRICKY_NOTES, "",
                       "2026-11-18 09:00", "telegram"]
    assert rows[3][7] == "'=1+1"  # Excel shows it instead of computing it
    assert rows[1][8] == "陈老师" and len(rows) == 7


async def test_a_large_export_streams_every_entry_once_in_order(db, clock):
    school = (await create_school(db, "大学校", now=clock.now())).school_id
    member = await add_member(db, school, "王芳", "teacher")
    async with db.transaction() as session:
        session.add_all(Entry(school_id=school, member_id=member, activity_code="phone_call",
                              occurred_on=dt.date(2026, 11, 1) + dt.timedelta(days=n % 18), student_name=f"学生{n}",
                              student_key=f"学生{n}", logged_at=LOGGED) for n in range(1203))
    csv_stream, xlsx_stream = io.BytesIO(), io.BytesIO()
    count = await write_export(db, school, NOV_1, TODAY, language="zh", today=TODAY, csv=csv_stream, xlsx=xlsx_stream)
    assert count == 1203
    rows = list(csv.reader(io.StringIO(csv_stream.getvalue().decode("utf-8-sig"), newline="")))[1:]
    assert len(rows) == 1203 and [r[0] for r in rows] == sorted(r[0] for r in rows)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_stream.getvalue()), read_only=True)
    assert sum(1 for _ in book["记录"].iter_rows()) == 1204


# --- the range --------------------------------------------------------------------------------

@pytest.mark.parametrize("texts, expected", [
    ([], (NOV_1, TODAY)),
    (["2026-11-01", "2026-11-18"], (NOV_1, TODAY)),
    (["11月1号", "11月10号"], (NOV_1, dt.date(2026, 11, 10))),
    (["2026-10-01"], (dt.date(2026, 10, 1), TODAY)),
    (["2026-11-01", "2026-11-30"], (NOV_1, dt.date(2026, 11, 30))),
    (["2025-09-01", "2026-01-31"], (dt.date(2025, 9, 1), dt.date(2026, 1, 31))),
])
def test_the_range_is_typed_like_dates_elsewhere(texts, expected):
    assert export_range(texts, TODAY) == expected


@pytest.mark.parametrize("texts, code", [
    (["2026-11-18", "2026-11-01"], "order"),
    (["soon"], "unparseable"),
    (["2026-02-30"], "unparseable"),
    (["2026-11-01", "2026-11-02", "2026-11-03"], "too_many"),
])
def test_a_bad_range_is_refused_with_the_reason(texts, code):
    with pytest.raises(ExportRangeError) as refused:
        export_range(texts, TODAY)
    assert refused.value.code == code


# --- /export ----------------------------------------------------------------------------------

@pytest.fixture
def school_options():
    return {"policy": "seed-003"}


@pytest.fixture
async def leader(bot):
    user = bot.fake.user(2001, "刘校长", language_code="zh-hans")
    await bot.join(user, "leader")
    return user


@pytest.fixture
async def teacher(bot):
    user = bot.fake.user(1001, "陈老师", language_code="zh-hans")
    await bot.join(user, "teacher")
    await bot.say(user, "/log 家访 赵六 今天 40分钟 了解学习情况")
    await bot.tap(user, "✅ 保存")
    return user


async def test_a_leader_gets_the_workbook_and_the_csv_in_a_direct_message(bot, leader, teacher):
    replies = await bot.say(leader, "/export")
    documents = [m for m in replies if m.document is not None]
    assert [m.filename for m in documents] == ["teachlog-2026-11-01-2026-11-18.xlsx",
                                               "teachlog-2026-11-01-2026-11-18.csv"]
    assert all(m.chat_id == leader.id for m in replies)
    assert documents[0].caption == "11月1日 周日 至 11月18日 周三 共 1 条记录。"
    book = openpyxl.load_workbook(io.BytesIO(documents[0].document))
    assert values(book["记录"])[1][2:8] == ["陈老师", "党员教师", "家访", "赵六", 40, "了解学习情况"]
    rows = list(csv.reader(io.StringIO(documents[1].document.decode("utf-8-sig"), newline="")))
    assert rows[1][2:8] == ["陈老师", "党员教师", "家访", "赵六", "40", "了解学习情况"]
    assert bot.errors() == []


async def test_an_english_speaking_leader_gets_english_headers_for_the_days_asked(bot, teacher):
    leader = bot.fake.user(2002, "Liu", "Wei", language_code="en")
    await bot.join(leader, "leader")
    replies = await bot.say(leader, "/export 2026-11-18 2026-11-18")
    documents = [m for m in replies if m.document is not None]
    assert documents[0].caption == "1 entry from Wed 18 Nov to Wed 18 Nov."
    book = openpyxl.load_workbook(io.BytesIO(documents[0].document))
    assert book.sheetnames == ["Entries", "Progress", "Paired students", "Contact points"]


@pytest.mark.parametrize("command, answer", [
    ("/export 2026-11-18 2026-11-01", "开始日期晚于结束日期"),
    ("/export 下个月", "我看不懂日期“下个月”"),
    ("/export 1 2 3", "最多写两个日期"),
])
async def test_a_bad_range_gets_a_clear_answer_and_no_file(bot, leader, command, answer):
    replies = await bot.say(leader, command)
    assert [m.document for m in replies] == [None] and answer in replies[0].content


async def test_only_leaders_can_export(bot, teacher):
    replies = await bot.say(teacher, "/export")
    assert [m.content for m in replies] == ["只有学校领导可以导出学校的记录。"]
    stranger = bot.fake.user(9001, "路人甲", language_code="zh")
    replies = await bot.say(stranger, "/export")
    assert "还没有加入学校" in replies[0].content and replies[0].document is None


async def test_nothing_is_exported_into_a_group(bot, leader, teacher):
    replies = await bot.fake.send(bot.app, bot.fake.group_text(leader, GROUP, "/export"))
    assert [(m.chat_id, m.document) for m in replies] == [(GROUP, None)]
    assert "私聊" in replies[0].content
    group_messages = [m for m in bot.fake.sent if m.chat_id < 0]
    assert all(m.document is None and "赵六" not in (m.content or "") for m in group_messages)


# --- teachlog export --------------------------------------------------------------------------

@pytest.fixture
def cli_database(tmp_path, monkeypatch):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TEACHLOG_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(export_cli, "CLOCK", FixedClock(DEFAULT_NOW))

    async def prepare() -> None:
        db = app_database(url)
        await upgrade(db)
        await contact_point_school(db, FixedClock(DEFAULT_NOW))
        await db.dispose()

    asyncio.run(prepare())
    return tmp_path


def test_the_cli_writes_the_csv_and_the_workbook(cli_database):
    runner = CliRunner()
    result = runner.invoke(cli_app, ["export", "--school", "1", "--from", "2026-11-01", "--to", "2026-11-18",
                                     "--format", "csv", "-o", "november.csv"])
    assert result.exit_code == 0, result.output
    assert "wrote 6 entries from 2026-11-01 to 2026-11-18 to november.csv" in result.output
    data = (cli_database / "november.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 7 and rows[2][7] == TRICKY_NOTES

    result = runner.invoke(cli_app, ["export", "--school", "1", "-o", "november.xlsx", "--language", "en"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(cli_database / "november.xlsx")
    assert book.sheetnames == ["Entries", "Progress", "Paired students", "Contact points"]
    assert book["Entries"].max_row == 7


@pytest.mark.parametrize("args, message", [
    (["--from", "2026-11-18", "--to", "2026-11-01"], "the first date is after the second"),
    (["--format", "pdf"], "unknown format 'pdf'"),
    (["--school", "9"], "no school with id 9"),
    (["--from", "someday"], "cannot read the date 'someday'"),
])
def test_the_cli_refuses_bad_options_in_one_line(cli_database, args, message):
    options = ["--school", "1", *args] if "--school" not in args else args
    result = CliRunner().invoke(cli_app, ["export", *options])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert not list(cli_database.glob("teachlog-*"))
