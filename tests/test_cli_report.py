"""`teachlog report`: the report a linked group gets, printed from the shell and as JSON, with no student names."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

import bot.cli.report as report_cli
from bot.clock import FixedClock
from bot.database import app_database
from bot.i18n import translator
from bot.people.schools import policy_of
from bot.reporting.report_text import school_text
from bot.reporting.reports import report_window, school_report
from storage.models import School
from tests.support.cli import invoke
from tests.test_cli_progress import store_filled_school

STUDENTS = ("小明", "小红", "小刚")


@pytest.fixture(scope="module")
def filled_database(sqlite_template, tmp_path_factory) -> Path:
    """The school and its entries, stored once for the module; each test reads and writes a copy (`database`)."""
    path = tmp_path_factory.mktemp("cli_report") / "cli.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    store_filled_school(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TEACHLOG_DATABASE_URL", url)
        # The entries were stored directly, so their daily counts are recounted as after an import.
        assert invoke("db", "rebuild-summaries").exit_code == 0
    return path


@pytest.fixture
def database(cli_database, filled_database, tmp_path):
    shutil.copy(filled_database, tmp_path / "cli.db")
    return cli_database


def test_the_term_report_is_the_text_a_linked_group_gets(database):
    result = invoke("report", "--school", "1", "term", "--date", "2026-11-18")
    assert result.exit_code == 0, result.output

    async def group_text() -> str:
        db = app_database(database)
        async with db.transaction() as session:
            policy = policy_of(await session.get(School, 1))
        report = await school_report(db, 1, report_window("term", False, dt.date(2026, 11, 18), policy))
        await db.dispose()
        return school_text(report, translator("zh"))

    assert result.stdout_bytes.decode("utf-8").rstrip("\n") == asyncio.run(group_text())
    lines = result.stdout_bytes.decode("utf-8").splitlines()
    assert lines[0].startswith("📊 合川中学")
    assert any("王芳" in line for line in lines) and any("李雷" in line for line in lines)
    assert not any(student in result.output for student in STUDENTS)


def test_english_and_a_past_period(database):
    result = invoke("report", "--school", "1", "last", "month", "--lang", "en", "--date", "2026-11-18")
    assert result.exit_code == 0, result.output
    assert "October" in result.output or "Oct" in result.output
    assert "Totals: Home visit 1" in result.output  # 20 October; the November visit is not last month


def test_json_gives_the_window_totals_and_ranking_without_student_names(database):
    result = invoke("report", "--school", "1", "本月", "--json", "--date", "2026-11-18")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout_bytes.decode("utf-8"))
    assert record["window"] == {"kind": "month", "previous": False, "key": "2026-11", "start": "2026-11-01",
                                "end": "2026-11-30", "as_of": "2026-11-18"}
    assert record["totals"] == {"home_visit": 1, "phone_call": 1}
    ranking = {placed["display_name"]: placed for placed in record["ranking"]}
    assert ranking["王芳"]["counts"] == {"home_visit": 1}
    assert ranking["李雷"]["counts"] == {"home_visit": 1, "phone_call": 1}  # the co-visit counts for him too
    assert [(p["place"], p["display_name"]) for p in record["ranking"]] == [(1, "王芳"), (2, "李雷")]
    assert (record["members_with_quotas"], record["not_joined"]) == (2, 2)
    assert not any(student in result.output for student in STUDENTS)


def test_without_a_date_today_is_taken_in_the_school_time_zone(database, monkeypatch):
    # 17:00 UTC on 30 November is already 1 December in Shanghai.
    monkeypatch.setattr(report_cli, "CLOCK", FixedClock(dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.timezone.utc)))
    result = invoke("report", "--school", "1", "month", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout_bytes.decode("utf-8"))["window"]["key"] == "2026-12"


@pytest.mark.parametrize(("args", "message"), [
    (("--school", "9"), "no school with id 9"),
    (("--school", "1", "王芳"), "a member's report is given in chat"),
    (("--school", "1", "--lang", "fr"), "--lang 'fr': use zh or en"),
    (("--school", "1", "--date", "2026-13-01"), "cannot read --date"),
])
def test_bad_requests_are_one_line_errors(database, args, message):
    result = invoke("report", *args)
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1
