"""Written records (家访心得体会, 《家访日记》, 建议书 …): /record with text, a photo or a file; rules count them."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from bot.quotas.policy import check_policy_text, load_preset
from bot.quotas.standing import school_standing
from storage.models import Entry, Record

TODAY = dt.date(2026, 11, 18)  # the fixed clock's day


@pytest.fixture
def school_options() -> dict:
    return {"policy": "seed-000"}


async def stored_records(db) -> list[Record]:
    async with db.transaction() as session:
        return list(await session.scalars(select(Record).order_by(Record.id)))


def reflection_progress(standing):
    (member,) = standing.members
    return next(p for p in member.rules if p.rule_id == "reflection-yearly")


async def test_a_typed_reflection_is_stored_and_meets_the_yearly_rule(bot, wang):
    before = reflection_progress(await school_standing(bot.db, 1, TODAY))
    assert (before.done, before.target) == (0, 1)
    await bot.say(wang, "/record")
    assert bot.buttons(wang) == ["家访记录", "家访心得体会", "民情日记", "党性分析材料"]
    await bot.tap(wang, "家访心得体会")
    await bot.say(wang, "走进学生家庭，才真正了解孩子。")
    assert bot.last_text(wang) == "已保存：家访心得体会。"
    [record] = await stored_records(bot.db)
    assert (record.kind, record.text, record.written_on, record.file_id, record.entry_id) == (
        "reflection", "走进学生家庭，才真正了解孩子。", TODAY, None, None)
    after = reflection_progress(await school_standing(bot.db, 1, TODAY))
    assert (after.done, after.target, after.complete) == (1, 1, True)
    assert bot.errors() == []


async def test_a_photo_sent_right_after_a_visit_is_stored_with_that_entry(bot, wang):
    await bot.say(wang, "/log 家访 王小明 今天 30分钟")
    await bot.tap(wang, "✅ 保存")
    await bot.say(wang, "/record")
    await bot.tap(wang, "家访记录")
    await bot.fake.send(bot.app, bot.fake.private_photo(wang, b"\xff\xd8jpeg", caption="家访记录表"))
    assert "附在你刚记录的活动上" in bot.last_text(wang)
    async with bot.db.transaction() as session:
        entry = await session.scalar(select(Entry))
    [record] = await stored_records(bot.db)
    assert (record.kind, record.text, record.mime_type, record.entry_id) == (
        "visit_record", "家访记录表", "image/jpeg", entry.id)
    assert record.file_id and record.platform == "telegram"


async def test_a_document_keeps_its_name_and_an_empty_message_is_asked_again(bot, wang):
    await bot.say(wang, "/record")
    await bot.tap(wang, "家访心得体会")
    await bot.say(wang, "x" * 4001)
    assert "太长" in bot.last_text(wang)
    assert await stored_records(bot.db) == []
    await bot.fake.send(bot.app, bot.fake.private_document(wang, b"%PDF", filename="心得.pdf",
                                                           mime_type="application/pdf"))
    [record] = await stored_records(bot.db)
    assert (record.file_name, record.mime_type, record.text) == ("心得.pdf", "application/pdf", None)


async def test_cancel_stores_nothing(bot, wang):
    await bot.say(wang, "/record")
    await bot.tap(wang, "家访心得体会")
    await bot.say(wang, "/cancel")
    assert await stored_records(bot.db) == []


def test_policy_check_reports_a_record_rule_without_a_known_record_kind():
    text = (
        "roles: [{code: teacher}]\n"
        "activities: [{code: home_visit}]\n"
        "records: [{code: reflection}]\n"
        "rules:\n"
        "  - {id: a, roles: [teacher], measure: records, record: diary, min: 1, period: year}\n"
        "  - {id: b, roles: [teacher], measure: records, min: 1, period: year}\n"
        "  - {id: c, roles: [teacher], activities: [home_visit], record: reflection, min: 1, period: year}\n"
    )
    assert [(p.line, p.message) for p in check_policy_text(text)] == [
        (5, "rules[0].record: unknown record kind 'diary' (records: reflection)"),
        (6, "rules[1].record: measure records needs record: <record kind>"),
        (7, "rules[2].record: record: is for rules with measure records"),
    ]


async def test_export_lists_the_records_and_zips_their_files_beside_the_workbook(bot, wang):
    leader = bot.fake.user(1003, "刘校长", language_code="zh-hans")
    await bot.join(leader, "leader")
    await bot.say(wang, "/record")
    await bot.tap(wang, "家访心得体会")
    await bot.fake.send(bot.app, bot.fake.private_document(wang, b"%PDF-1.4 reflection", filename="心得.pdf",
                                                           mime_type="application/pdf"))
    await bot.say(wang, "/record")
    await bot.tap(wang, "家访记录")
    await bot.say(wang, "与家长交流了孩子的作业情况")
    replies = await bot.say(leader, "/export")
    documents = {m.filename: m for m in replies if m.document is not None}
    assert list(documents) == ["teachlog-2026-11-01-2026-11-18.xlsx", "teachlog-2026-11-01-2026-11-18.csv",
                               "teachlog-2026-11-01-2026-11-18-records.zip"]
    book = openpyxl.load_workbook(io.BytesIO(documents["teachlog-2026-11-01-2026-11-18.xlsx"].document))
    sheet = [[cell.value for cell in row] for row in book["书面材料"].iter_rows()]
    reflection_file = sheet[1][4]
    assert sheet[1][1:4] == ["王芳", "家访心得体会", None] and reflection_file.endswith(".pdf")
    assert sheet[2][1:5] == ["王芳", "家访记录", "与家长交流了孩子的作业情况", None]
    archive = zipfile.ZipFile(io.BytesIO(documents["teachlog-2026-11-01-2026-11-18-records.zip"].document))
    assert archive.namelist() == [reflection_file]
    assert archive.read(reflection_file) == b"%PDF-1.4 reflection"
    assert bot.errors() == []


@pytest.mark.parametrize(("preset", "rule_id", "roles", "record", "period"), [
    ("seed-000", "reflection-yearly", ("principal", "leader", "head_teacher", "teacher"), "reflection", "year"),
    ("seed-002", "visit-diary-term", ("head_teacher", "teacher"), "visit_diary", "term"),
    ("seed-004", "leader-proposal", ("leader",), "proposal", "phase:campaign"),
])
def test_the_plans_written_records_are_counted_by_their_rules(preset, rule_id, roles, record, period):
    rule = load_preset(preset).rule(rule_id)
    assert (rule.roles, rule.measure, rule.record, rule.minimum, rule.period) == (roles, "records", record, 1, period)
