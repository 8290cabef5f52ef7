"""/export by a bureau leader: one workbook for the district — a Schools sheet, every school's entries with a school
column, and plan 003's contact-point form (附表二) — and nothing of another district."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from sqlalchemy import update

from bot.people.assignments import add_assignment
from storage.models import Entry, Problem
from tests.chat.test_district_report import county  # noqa: F401  (the fixture)
from tests.support.stored import LOGGED_AT, add_entry, member_id
from tests.test_exports import values


async def test_a_bureau_leader_gets_one_workbook_for_the_district(chat, county):  # noqa: F811
    db, ids = chat.db, county["ids"]
    director = await member_id(db, county["director"])
    bureau = ids["bureau"]
    await add_assignment(db, bureau, "刘局长", "contact_point", "东山", head="周校长")
    await add_entry(db, bureau, director, "contact_visit", dt.date(2026, 11, 2), notes="食堂管理要加强")
    async with db.transaction() as session:  # the place is where the visit was: what /log stores
        await session.execute(update(Entry).where(Entry.member_id == director)
                              .values(place_name="东山中学", place_key="东山中学"))
    visit = await add_entry(db, bureau, director, "contact_visit", dt.date(2026, 11, 9))
    async with db.transaction() as session:
        await session.execute(update(Entry).where(Entry.id == visit)
                              .values(place_name="东山中学", place_key="东山中学"))
        session.add(Problem(school_id=bureau, entry_id=visit, raised_by_member_id=director, text="操场积水",
                            status="closed", raised_at=LOGGED_AT, closed_at=LOGGED_AT))
    neighbour = await member_id(db, county["neighbour"])
    await add_entry(db, ids["lingxi"], neighbour, "field_research", dt.date(2026, 11, 5), notes="另一个县的记录")

    [reply] = (await county["director"].send("/export")).replies
    [file] = reply.attachments
    assert file.name == "teachlog-district-2026-11-01-2026-11-18.xlsx"
    assert file.caption == "全县（区）11月1日 周日至11月18日 周三共 4 条记录。"
    book = openpyxl.load_workbook(io.BytesIO(file.data))
    assert book.sheetnames == ["各校", "记录", "领导联系点登记表"]
    schools = values(book["各校"])
    header = schools[0]
    assert header[:5] == ["学校", "学区", "自有方案", "成员数", "已加入"]
    assert header[-1] == "任务完成度（2026年秋季学期）"
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in schools[1:]}
    assert list(rows) == ["华容县教育局", "城关中学", "东山中学"]
    bureau_row = rows["华容县教育局"]
    assert (bureau_row["学区"], bureau_row["成员数"], bureau_row["到联系点"]) == ("局机关", 2, 2)
    assert (rows["城关中学"]["学区"], rows["城关中学"]["成员数"], rows["城关中学"]["结对帮扶"]) == ("城关学区", 2, 1)
    assert rows["东山中学"]["家访"] == 1 and rows["东山中学"]["自有方案"] == "否"
    entries = values(book["记录"])
    assert entries[0][0] == "学校"
    assert sorted(row[0] for row in entries[1:]) == ["东山中学", "华容县教育局", "华容县教育局", "城关中学"]
    assert not any("另一个县的记录" in str(cell) for row in entries for cell in row)
    form = values(book["领导联系点登记表"])
    assert form[0] == ["联系领导", "职务", "联系点（联系窗口单位或服务行业名称）", "窗口单位或服务行业负责人",
                       "到联系点次数", "点评次数（意见建议）", "帮助解决问题（个数）"]
    assert form[1:] == [["刘局长", "党员领导干部", "东山中学", "周校长", 2, 1, 1]]


async def test_a_schools_leader_still_gets_their_own_schools_files(chat, county):  # noqa: F811
    [reply] = (await county["principal"].send("/export")).replies
    assert [a.name for a in reply.attachments] == ["teachlog-2026-11-01-2026-11-18.xlsx",
                                                   "teachlog-2026-11-01-2026-11-18.csv"]
    clerk = county["clerk"]
    await clerk.send("/export")
    assert clerk.last_text == "Only your school's leaders can export its entries."
