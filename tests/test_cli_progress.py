"""`teachlog progress`: the JSON and the table a leader reads, the school's "today", bounded queries."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re

import pytest

import bot.cli.progress as progress_cli
from bot.clock import FixedClock
from bot.database import app_database
from bot.people.pairings import add_pairing
from bot.people.schools import create_school
from storage.db import Database
from storage.models import Entry, Member
from tests.support.cli import invoke

SEPTEMBER = dt.date(2026, 9, 1)
RECORD_KEYS = {"member_id", "display_name", "role", "rule_id", "period_key", "period_start", "period_end", "done",
               "target", "expected_by_now", "remaining", "days_left", "students_missing", "on_pace", "behind_by"}


async def add_member(db: Database, school_id: int, name: str, role: str) -> int:
    async with db.transaction() as session:
        member = Member(school_id=school_id, display_name=name, role=role, joined_on=SEPTEMBER)
        session.add(member)
        await session.flush()
        return member.id


def entry(member_id: int, activity: str, day: dt.date, student: str, **extra) -> Entry:
    logged = dt.datetime.combine(day, dt.time(10), dt.UTC)
    return Entry(school_id=1, member_id=member_id, activity_code=activity, occurred_on=day, student_name=student,
                 student_key=student, source="test", logged_at=logged, **extra)


async def fill(db: Database) -> None:
    """School 1 (seed-000): 王芳 (#1, teacher) and 李雷 (#2, head teacher, paired with 小明 and 小红)."""
    wang = await add_member(db, 1, "王芳", "teacher")
    li = await add_member(db, 1, "李雷", "head_teacher")
    await add_pairing(db, 1, "李雷", "小明")
    await add_pairing(db, 1, "李雷", "小红")
    async with db.transaction() as session:
        session.add_all([
            entry(wang, "home_visit", dt.date(2026, 11, 3), "小明", covisitor_member_id=li),
            entry(wang, "home_visit", dt.date(2026, 10, 20), "小刚"),
            entry(li, "phone_call", dt.date(2026, 11, 10), "小明"),
            entry(li, "phone_call", dt.date(2026, 11, 11), "小红",
                  deleted_at=dt.datetime(2026, 11, 12, 10, tzinfo=dt.UTC)),
        ])


def store_filled_school(url: str) -> None:
    """School 1 as `teachlog school create` makes it, then `fill`'s members and entries, in the database at `url`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TEACHLOG_DATABASE_URL", url)
        assert invoke("school", "create", "合川中学", "--policy", "seed-000").exit_code == 0

    async def setup() -> None:
        db = app_database(url)
        await fill(db)
        await db.dispose()

    asyncio.run(setup())


@pytest.fixture
def database(cli_database):
    store_filled_school(cli_database)
    return cli_database



def records_by_key(output: str) -> dict[tuple[str, str], dict]:
    return {(r["display_name"], r["rule_id"]): r for r in json.loads(output)}


def test_json_has_one_object_per_member_and_rule(database):
    result = invoke("progress", "--school", "1", "--date", "2026-11-18", "--json")
    assert result.exit_code == 0, result.output
    assert "王芳".encode() in result.stdout_bytes  # UTF-8, not \u escapes
    records = json.loads(result.stdout_bytes.decode("utf-8"))
    assert all(set(record) == RECORD_KEYS for record in records)
    assert [(r["member_id"], r["role"]) for r in records] == [(1, "teacher")] * 9 + [(2, "head_teacher")] * 9
    by_key = records_by_key(result.output)
    # Q4 2026 has 62 working days, 30 of them before 18 November: expected ⌊4 × 30/62⌋ = 1.
    assert by_key["王芳", "everyone-home-visit-quarterly"] == {
        "member_id": 1, "display_name": "王芳", "role": "teacher", "rule_id": "everyone-home-visit-quarterly",
        "period_key": "2026-Q4", "period_start": "2026-10-01", "period_end": "2026-12-31", "done": 2, "target": 4,
        "expected_by_now": 1, "remaining": 2, "days_left": 32, "students_missing": [], "on_pace": True,
        "behind_by": 0,
    }
    # The co-visit counts for 李雷; the deleted call to 小红 does not.
    assert by_key["李雷", "everyone-home-visit-quarterly"]["done"] == 1
    calls = by_key["李雷", "paired-call-monthly"]
    assert (calls["done"], calls["target"], calls["students_missing"], calls["expected_by_now"]) == (1, 2, ["小红"], 1)
    assert (calls["period_start"], calls["period_end"], calls["days_left"]) == ("2026-11-01", "2026-11-30", 9)
    talks = by_key["李雷", "head-teacher-home-talks-monthly"]
    assert (talks["done"], talks["target"], talks["on_pace"], talks["behind_by"]) == (0, 3, False, 1)


def test_without_a_date_today_is_taken_in_the_school_time_zone(database, monkeypatch):
    # 17:00 UTC on 30 November is already 1 December in Shanghai.
    monkeypatch.setattr(progress_cli, "CLOCK", FixedClock(dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.timezone.utc)))
    result = invoke("progress", "--school", "1", "--json")
    assert result.exit_code == 0, result.output
    calls = records_by_key(result.output)["李雷", "paired-call-monthly"]
    assert (calls["period_start"], calls["done"], calls["students_missing"]) == ("2026-12-01", 0, ["小明", "小红"])


def test_the_table_shows_member_rule_done_of_target_and_pace(database):
    result = invoke("progress", "--school", "1", "--date", "2026-11-18")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "合川中学 (school 1), 2026-11-18, policy seed-000: 2 members, 2 behind pace"
    rows = [re.split(r" {2,}", line) for line in lines[1:]]
    assert rows[0] == ["member", "role", "rule", "done/target", "pace", "days left"]
    assert ["王芳 (#1)", "teacher", "everyone-home-visit-quarterly", "2/4", "on pace (expected 1)", "32"] in rows
    assert ["李雷 (#2)", "head_teacher", "head-teacher-home-talks-monthly", "0/3", "behind by 1 (expected 1)",
            "9"] in rows
    assert ["李雷 (#2)", "head_teacher", "paired-call-monthly", "1/2", "on pace (expected 1)", "9"] in rows
    # The reflection is owed once in the school year; one record ahead of the year's end is not behind.
    assert ["王芳 (#1)", "teacher", "reflection-yearly", "0/1", "on pace (expected 0)"] in [row[:5] for row in rows]
    assert len(rows) == 1 + 18
    # Columns line up on screen: Chinese characters take two columns.
    member_cells = [re.match(r"^\S+ \(#\d+\) +", line).group(0) for line in lines[2:]]
    assert len({len(cell) + sum(1 for c in cell if ord(c) > 0x2E80) for cell in member_cells}) == 1


@pytest.mark.parametrize("args, message", [
    (["--school", "9"], "teachlog: no school with id 9\n"),
    (["--school", "9", "--date", "2026-11-18"], "teachlog: no school with id 9\n"),
    (["--school", "1", "--date", "18/11/2026"],
     "teachlog: cannot read --date '18/11/2026': use YYYY-MM-DD, e.g. 2026-11-18\n"),
])
def test_bad_options_are_one_line_errors(database, args, message):
    result = invoke("progress", *args)
    assert (result.exit_code, result.output) == (1, message)


async def test_the_number_of_queries_does_not_grow_with_the_members(db, clock):
    school_id = (await create_school(db, "合川中学", policy="seed-000", now=clock.now())).school_id

    async def statements_for_standing() -> int:
        with db.recording_statements() as statements:
            standing = await progress_cli.standing_on(db, school_id, None, clock.now())
        assert standing.today == dt.date(2026, 11, 18)
        return len(statements)

    for n in range(3):
        member = await add_member(db, school_id, f"教师{n}", ["teacher", "head_teacher", "leader"][n])
        await add_pairing(db, school_id, str(member), "小明")
    few = await statements_for_standing()
    assert few > 0
    for n in range(3, 40):
        member = await add_member(db, school_id, f"教师{n}", ["teacher", "head_teacher", "leader"][n % 3])
        await add_pairing(db, school_id, str(member), "小明")
    assert await statements_for_standing() == few
