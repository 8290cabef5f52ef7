"""`teachlog report --district N`: schools ranked by share of quotas met (equal shares sharing a place), the
furthest behind, zones ranked, entries per activity and members per school — totals equal to the sum of each
school's `teachlog report --school S` for the same period, and no member or student named."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from bot.people.districts import create_district, create_district_school
from bot.reporting.district_reports import district_report
from bot.reporting.reports import school_report
from bot.reporting.warm import ReportWarmer
from storage import daily_counts, report_summaries
from storage.db import Database
from storage.entry_imports import insert_new_entries
from storage.migrate import upgrade
from storage.models import Entry, Member, MemberAccount
from tests.support.cli import invoke

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)
TODAY = dt.date(2026, 11, 18)
STUDENTS = ("小明", "小红", "小刚", "小丽")
#: (school, zone, own policy), in the order they are created: the bureau is school 1.
SCHOOLS = (("城关中学", "城关学区", None), ("东山中学", "东山学区", None), ("合川中学", "城关学区", "seed-000"),
           ("西山小学", None, None))
#: (school id, name, role, joined, entries as (activity, day, student))
MEMBERS = (
    (1, "刘局长", "leader", True, [("contact_visit", dt.date(2026, 10, 20), None),
                                   ("contact_visit", dt.date(2026, 11, 2), None)]),
    (2, "王芳", "teacher", True, [("pairing_help", dt.date(2026, 10, 9), "小明")]),
    (2, "李雷", "teacher", False, []),
    (3, "张伟", "teacher", True, [("pairing_help", dt.date(2026, 9, 20), "小红"),
                                ("home_visit", dt.date(2026, 11, 3), "小红")]),
    (3, "赵敏", "teacher", True, [("pairing_help", dt.date(2026, 11, 12), "小刚")]),
    (4, "陈静", "teacher", True, [("home_visit", dt.date(2026, 11, 5), "小丽")]),
    (5, "周杰", "teacher", False, [("pairing_help", dt.date(2026, 11, 16), "小丽")]),
)


async def fill_district(db: Database) -> None:
    """A seed-003 district: its bureau, four schools in two zones (one on its own plan) and their staff."""
    district = await create_district(db, "华容县教育局", timezone="Asia/Shanghai", language="zh", policy="seed-003",
                                     now=NOW)
    for name, zone, policy in SCHOOLS:
        await create_district_school(db, name, district.district_id, zone=zone, timezone=None, language=None,
                                     policy=policy, now=NOW)
    async with db.transaction() as session:
        for number, (school_id, name, role, joined, entries) in enumerate(MEMBERS, start=1):
            member = Member(school_id=school_id, role=role, display_name=name, joined_on=dt.date(2026, 9, 1))
            session.add(member)
            await session.flush()
            if joined:
                session.add(MemberAccount(member_id=member.id, platform="telegram", external_id=str(1000 + number)))
            for activity, day, student in entries:
                session.add(Entry(school_id=school_id, member_id=member.id, activity_code=activity, occurred_on=day,
                                  student_name=student, student_key=student, notes="在家里谈了学习",
                                  place_name="城关中学" if activity == "contact_visit" else None,
                                  source="test", logged_at=dt.datetime.combine(day, dt.time(10), dt.UTC)))
        await session.flush()
        await daily_counts.rebuild(session)  # stored directly, so counted as after an import


@pytest.fixture(scope="module")
def filled_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("district") / "district.db"

    async def setup() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await upgrade(db)
        await fill_district(db)
        await db.dispose()

    asyncio.run(setup())
    return path


@pytest.fixture
def database(cli_database, filled_template):
    shutil.copy(filled_template, cli_database.removeprefix("sqlite+aiosqlite:///"))
    return cli_database


def json_of(*args: str) -> dict:
    result = invoke("report", *args, "--json", "--date", "2026-11-18")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout_bytes.decode("utf-8"))


@pytest.mark.parametrize("period", [["term"], ["last", "month"]])
def test_district_totals_are_the_sum_of_each_schools_report(database, period):
    district = json_of("--district", "1", *period)
    schools = [json_of("--school", str(school_id), *period) for school_id in range(1, 6)]
    summed: dict[str, int] = {}
    for school in schools:
        for code, count in school["totals"].items():
            summed[code] = summed.get(code, 0) + count
    assert district["totals"] == summed
    by_id = {record["school_id"]: record for record in [district["bureau"], *district["schools"]]}
    for school in schools:
        assert by_id[school["school_id"]]["totals"] == school["totals"]
        assert by_id[school["school_id"]]["average_share"] == school["average_share"]


def test_the_term_report_ranks_schools_and_zones_with_equal_shares_sharing_a_place(database):
    record = json_of("--district", "1", "term")
    assert [(s["place"], s["name"], s["average_share"]) for s in record["schools"]] == [
        (1, "东山中学", 1.0), (1, "西山小学", 1.0), (3, "城关中学", 0.5), (4, "合川中学", 0.03125)]
    assert [(s["name"], s["members"], s["joined"], s["own_plan"]) for s in record["schools"]] == [
        ("东山中学", 2, 2, False), ("西山小学", 1, 0, False), ("城关中学", 2, 1, False), ("合川中学", 1, 1, True)]
    assert record["furthest_behind"] == ["合川中学", "城关中学"]  # those at 100% are behind in nothing
    assert [(z["place"], z["name"], z["schools"]) for z in record["zones"]] == [
        (1, "东山学区", ["东山中学"]), (2, "城关学区", ["城关中学", "合川中学"])]
    assert record["zones"][1]["average_share"] == pytest.approx((1 + 0 + 0.03125) / 3)  # its members' mean
    assert record["totals"] == {"contact_visit": 2, "pairing_help": 4, "home_visit": 2}
    assert (record["members"], record["joined"]) == (7, 5)


def test_the_text_names_schools_and_zones_and_no_member_or_student(database):
    result = invoke("report", "--district", "1", "term", "--date", "2026-11-18")
    assert result.exit_code == 0, result.output
    text = result.stdout_bytes.decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "🏛 华容县教育局 · 2026年秋季学期"
    assert "1. 东山中学 — 100% · 2 名成员，2 名已加入 · 结对帮扶 2 · 家访 1" in lines
    assert "4. 合川中学（自有方案） — 3% · 1 名成员，1 名已加入 · 家访 1" in lines
    assert "局机关：1 名成员，1 名已加入 · 0% · 到联系点 2" in lines
    assert "最落后的学校：" in lines and "区域（学区）按任务完成度排名：" in lines
    names = [name for _, name, *_ in MEMBERS] + list(STUDENTS) + ["在家里谈了学习"]
    assert not [name for name in names if name in text]


def test_one_zones_report_and_english(database):
    result = invoke("report", "--district", "1", "城关学区", "term", "--lang", "en", "--date", "2026-11-18")
    assert result.exit_code == 0, result.output
    lines = result.stdout_bytes.decode("utf-8").splitlines()
    assert lines[0] == "🏛 华容县教育局 · 城关学区 · Autumn term 2026"
    assert "1. 城关中学 — 50% · 2 members, 1 joined · Help for a paired student 1" in lines
    assert "2. 合川中学 (own plan) — 3% · 1 member, 1 joined · Home visit 1" in lines
    assert not any("东山中学" in line for line in lines)


@pytest.mark.parametrize(("args", "message"), [
    (("--district", "9"), "teachlog: no district with id 9\n"),
    (("--district", "1", "北山学区"),
     "teachlog: no school of district 1 is in zone '北山学区' (zones: 东山学区, 城关学区)\n"),
    (("--district", "1", "家访"), "teachlog: a district's report covers a period and a zone, not an activity\n"),
    (("--district", "1", "--school", "2"), "teachlog: give one of --school N or --district N\n"),
])
def test_bad_district_report_requests_are_one_line_errors(database, args, message):
    result = invoke("report", *args, "--date", "2026-11-18")
    assert (result.exit_code, result.output) == (1, message)


async def test_the_district_report_reads_stored_summaries_on_both_backends(db):
    await fill_district(db)
    report = await district_report(db, 1, "term", False, TODAY)
    again = await district_report(db, 1, "term", False, TODAY)
    assert [(p.place, p.item.name) for p in report.ranking] == [(p.place, p.item.name) for p in again.ranking] == [
        (1, "东山中学"), (1, "西山小学"), (3, "城关中学"), (4, "合川中学")]
    assert report.totals == {"contact_visit": 2, "pairing_help": 4, "home_visit": 2}


async def test_a_stored_district_report_reads_all_its_schools_in_a_few_statements_and_follows_a_write(db):
    await fill_district(db)
    await district_report(db, 1, "term", False, TODAY)  # every school's window computed and stored
    with db.recording_statements() as statements:
        await district_report(db, 1, "term", False, TODAY)
    assert len(statements) <= 8, statements  # not a few per school
    async with db.transaction() as session:
        await insert_new_entries(session, [{
            "school_id": 2, "member_id": 3, "activity_code": "pairing_help", "occurred_on": TODAY,
            "student_name": "小明", "student_key": "小明", "source": "test", "client_token": "district-write",
            "logged_at": NOW}])
    after = await district_report(db, 1, "term", False, TODAY)
    for unit in after.every_unit:
        assert unit.window is not None
        own = await school_report(db, unit.school_id, unit.window)
        assert (unit.totals, unit.average_share) == ({c: n for c, n in own.totals.items() if n}, own.average_share)
    assert next(s for s in after.schools if s.name == "城关中学").average_share == 1.0  # 李雷 has paired now


async def test_schools_computed_together_store_what_each_school_computed_alone_stores(db):
    """A cold district report, and the warmer, compute the schools on one policy and window together (one scan
    for many schools); every stored row is what the school's own report computes alone."""
    await fill_district(db)
    cold = await district_report(db, 1, "term", False, TODAY)
    units = [(unit.school_id, unit.window) for unit in cold.every_unit]
    slot = "term/this/"

    async def stored() -> dict:
        async with db.transaction() as session:
            return await report_summaries.stored_rows_of_schools(session, [school for school, _ in units], slot)

    together = await stored()
    async with db.transaction() as session:
        await report_summaries.forget_all(session)
    for school_id, window in units:
        assert window is not None
        await school_report(db, school_id, window)
    alone = await stored()
    assert together == alone and sum(map(len, alone.values())) == len(MEMBERS)
    async with db.transaction() as session:
        await report_summaries.forget_all(session)
    warmed = await ReportWarmer(db).warm(NOW, every_school=True)
    assert warmed >= len(units) and await stored() == alone
