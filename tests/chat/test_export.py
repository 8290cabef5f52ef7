"""/export through the chat core, in Chinese and English: a leader gets the workbook, the CSV and the records' files
as attachments of a direct message; everyone else, and every group, gets a refusal and no file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from bot.chat.engine_builder import build_engine
from storage.models import Record
from tests.support.outbound import RecordingOutbound
from tests.support.stored import add_entry, member_id

TODAY = dt.date(2026, 11, 18)
GROUP = "-100777"


@pytest.fixture
def reach(chat) -> RecordingOutbound:
    """The platform behind the engine, which holds the files people sent (set up before anyone joins)."""
    outbound = RecordingOutbound()
    chat.engine = build_engine(chat.core, outbound=outbound)
    return outbound


@pytest.fixture
async def teacher(chat, reach):
    driver = await chat.add_member("陈老师", role="teacher", language="zh")
    await add_entry(chat.db, chat.school.school_id, await member_id(chat.db, driver), "home_visit", TODAY, "赵六",
                    "了解学习情况")
    return driver


def files(reply) -> dict[str, bytes]:
    return {a.name: a.data for a in reply.attachments if a.kind == "file"}


async def test_a_leader_gets_the_workbook_and_the_csv_with_a_caption_in_chinese(chat, teacher):
    leader = await chat.add_member("刘校长", role="leader", language="zh")
    [reply] = (await leader.send("/export")).replies
    assert list(files(reply)) == ["teachlog-2026-11-01-2026-11-18.xlsx", "teachlog-2026-11-01-2026-11-18.csv"]
    assert {a.caption for a in reply.attachments} == {"11月1日 周日 至 11月18日 周三 共 1 条记录。"}
    book = openpyxl.load_workbook(io.BytesIO(files(reply)["teachlog-2026-11-01-2026-11-18.xlsx"]))
    entries = [[cell.value for cell in row] for row in book["记录"].iter_rows()]
    assert [entries[1][i] for i in (2, 4, 5, 7)] == ["陈老师", "家访", "赵六", "了解学习情况"]
    rows = list(csv.reader(io.StringIO(files(reply)["teachlog-2026-11-01-2026-11-18.csv"].decode("utf-8-sig"),
                                       newline="")))
    assert [rows[1][i] for i in (2, 4, 5, 7)] == ["陈老师", "家访", "赵六", "了解学习情况"]


async def test_an_english_speaking_leader_gets_english_sheets_for_the_days_asked(chat, teacher):
    leader = await chat.add_member("Liu Wei", role="leader", language="en")
    [reply] = (await leader.send("/export 2026-11-18 2026-11-18")).replies
    assert {a.caption for a in reply.attachments} == {"1 entry from Wed 18 Nov to Wed 18 Nov."}
    book = openpyxl.load_workbook(io.BytesIO(files(reply)["teachlog-2026-11-18-2026-11-18.xlsx"]))
    assert book.sheetnames == ["Entries", "Progress", "Paired students", "Contact points"]


@pytest.mark.parametrize("language, command, answer", [
    ("zh", "/export 2026-11-18 2026-11-01", "开始日期晚于结束日期"),
    ("zh", "/export 下个月", "我看不懂日期“下个月”"),
    ("en", "/export 1 2 3", "Give at most two dates"),
    ("en", "/export next month", "I could not read the date “next”"),
])
async def test_a_bad_range_gets_the_reason_and_no_file(chat, reach, language, command, answer):
    leader = await chat.add_member("刘校长", role="leader", language=language)
    [reply] = (await leader.send(command)).replies
    assert answer in reply.text and reply.attachments == ()


async def test_teachers_strangers_and_groups_get_a_refusal_and_no_file(chat, teacher):
    [reply] = (await teacher.send("/export")).replies
    assert (reply.text, reply.attachments) == ("只有学校领导可以导出学校的记录。", ())
    stranger = chat.person(language_code="en")
    await stranger.send("/export")
    assert "not a member of a school yet" in stranger.last_text
    leader = await chat.add_member("Liu Wei", role="leader", language="en")
    group = chat.in_group(leader, GROUP)
    [reply] = (await group.send("/export")).replies
    assert "private chat" in reply.text and reply.attachments == ()
    assert all(not r.attachments and "赵六" not in r.text for r in group.replies)


async def test_the_records_files_come_zipped_and_one_that_cannot_be_fetched_is_listed_missing(chat, reach):
    await chat.create_school("华容一中", policy="seed-000")
    wang = await chat.add_member("王芳", role="teacher", language="zh")
    leader = await chat.add_member("Liu Wei", role="leader", language="en")
    wang_id = await member_id(chat.db, wang)
    async with chat.db.transaction() as session:
        session.add_all([
            Record(school_id=chat.school.school_id, member_id=wang_id, kind="reflection", written_on=TODAY,
                   platform="terminal", file_id="f-1", file_name="心得.pdf", mime_type="application/pdf"),
            Record(school_id=chat.school.school_id, member_id=wang_id, kind="reflection", written_on=TODAY,
                   platform="terminal", file_id="f-gone", file_name="旧.pdf"),
            Record(school_id=chat.school.school_id, member_id=wang_id, kind="visit_record", written_on=TODAY,
                   text="与家长交流了孩子的作业情况"),
        ])
    reach.files[("terminal", "f-1")] = b"%PDF-1.4 reflection"
    [reply] = (await leader.send("/export")).replies
    name = "teachlog-2026-11-01-2026-11-18-records.zip"
    assert list(files(reply))[-1] == name
    assert reply.attachments[-1].caption == "1 file of written records."
    archive = zipfile.ZipFile(io.BytesIO(files(reply)[name]))
    [kept, missing] = archive.namelist()
    assert kept.endswith(".pdf") and archive.read(kept) == b"%PDF-1.4 reflection"
    assert missing == "missing.txt" and "no terminal file f-gone" in archive.read(missing).decode()


async def test_a_records_file_kept_before_accounts_had_platforms_is_fetched_as_telegrams(chat, reach):
    await chat.create_school("华容一中", policy="seed-000")
    wang = await chat.add_member("王芳", role="teacher", language="zh")
    leader = await chat.add_member("Liu Wei", role="leader", language="en")
    async with chat.db.transaction() as session:
        session.add(Record(school_id=chat.school.school_id, member_id=await member_id(chat.db, wang),
                           kind="reflection", written_on=TODAY, platform=None, file_id="f-old",
                           file_name="心得.pdf"))
    reach.files[("telegram", "f-old")] = b"%PDF-1.4 kept on Telegram"
    [reply] = (await leader.send("/export")).replies
    archive = zipfile.ZipFile(io.BytesIO(files(reply)["teachlog-2026-11-01-2026-11-18-records.zip"]))
    [kept] = archive.namelist()
    assert archive.read(kept) == b"%PDF-1.4 kept on Telegram"
