"""`teachlog chat`: the bot in a terminal, with piped input — as a member, with an invite, in the demo school."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.app_context import AppContext
from bot.chat.commands import COMMANDS, MEMBERS
from bot.chat.replies import Attachment, Outcome, Reply
from bot.cli import app
from bot.clock import FixedClock
from bot.database import app_database
from bot.demo import DEMO_SCHOOL, HEAD_TEACHER
from bot.notifications.sample_reminder import plan_sample_reminder
from bot.people.schools import create_invite, create_school
from bot.settings import Settings
from handlers.terminal.screen import Screen
from handlers.terminal.session import ChatSession
from storage import repository as repo
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Entry, GroupLink, Member, MemberAccount, OutboxMessage, Pairing, School
from tests.conftest import DEFAULT_NOW

runner = CliRunner()
#: /start and /log are being ported to the chat core; until they are, the engine does not answer them.


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch) -> FixedClock:
    clock = FixedClock(DEFAULT_NOW)
    monkeypatch.setattr("bot.cli.chat.CLOCK", clock)
    return clock


def chat(*args: str, lines: str = ""):
    return runner.invoke(app, ["chat", *args], input=lines)


def in_database(url: str, work):
    async def run():
        db = app_database(url)
        try:
            await upgrade(db)
            return await work(db)
        finally:
            await db.dispose()
    return asyncio.run(run())


def school_with_member(url: str, name: str = "王芳", *, language: str | None = None) -> int:
    """A school (the default policy, Chinese) with one member who has no account; the member's id."""
    async def work(db: Database) -> int:
        school = await create_school(db, "合川中学", now=DEFAULT_NOW)
        async with db.transaction() as session:
            member = await repo.add(session, Member(school_id=school.school_id, role="teacher", display_name=name,
                                                    language=language, joined_on=dt.date(2026, 11, 1)))
            return member.id
    return in_database(url, work)


def terminal_accounts(url: str) -> list[tuple[int, str]]:
    async def work(db: Database):
        async with db.transaction() as session:
            rows = await session.execute(select(MemberAccount.member_id, MemberAccount.external_id)
                                         .where(MemberAccount.platform == "terminal"))
            return [tuple(row) for row in rows]
    return in_database(url, work)


def test_chat_asks_for_exactly_one_way_in(cli_database):
    result = chat()
    assert result.exit_code == 1
    assert result.output.strip() == "teachlog: give one of --invite CODE, --member NAME|ID or --demo"


def test_an_empty_invite_code_is_one_line_and_a_failure(cli_database):
    result = chat("--invite", " ")
    assert result.exit_code == 1
    assert result.output.strip().startswith("teachlog: --invite needs the invite code")


def test_an_unknown_member_is_one_line_and_a_failure(cli_database):
    school_with_member(cli_database)
    result = chat("--member", "李四", lines="/mine\n")
    assert result.exit_code == 1
    assert result.output.strip() == "teachlog: no member is called '李四'"


def test_a_database_that_cannot_be_reached_is_one_line_and_a_failure(monkeypatch, tmp_path):
    monkeypatch.setenv("TEACHLOG_DATABASE_URL", "postgresql+asyncpg://teachlog:s3cret@127.0.0.1:5499/test")
    result = chat("--member", "王芳", lines="/mine\n")
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "s3cret" not in result.output


def test_a_member_gets_a_terminal_account_once_and_sees_their_quotas(cli_database):
    member_id = school_with_member(cli_database)
    result = chat("--member", "王芳", lines="/mine\n")
    assert result.exit_code == 0, result.output
    assert "> /mine" in result.output and "我的任务" in result.output
    assert "<b>" not in result.output  # HTML is printed as plain text
    assert chat("--member", str(member_id), lines="/history\n").exit_code == 0
    assert terminal_accounts(cli_database) == [(member_id, str(member_id))]


def test_lang_chooses_the_language_of_a_member_who_has_not_chosen_one(cli_database):
    school_with_member(cli_database, "Li Lei")
    result = chat("--member", "li lei", "--lang", "en", lines="/history\n")
    assert result.exit_code == 0
    assert "You have not logged anything yet." in result.output


def test_an_unknown_language_is_refused(cli_database):
    result = chat("--member", "王芳", "--lang", "fr")
    assert result.exit_code == 1 and result.output.strip() == "teachlog: unknown language 'fr': use zh or en"


def test_the_demo_opens_as_its_head_teacher_with_a_sample_reminder_and_a_month_behind_her(cli_database):
    result = chat("--demo", lines="/mine\n/history\n")
    assert result.exit_code == 0, result.output
    output = result.output
    assert f"you are {HEAD_TEACHER}" in output
    assert "示例提醒" in output and "[1] 📝 家访" in output  # the sample reminder, with its buttons
    assert "我的任务" in output and "班主任每月三次学生思想交流" in output
    assert "你最近的 10 条记录" in output and "王小明" in output

    async def stored(db: Database):
        async with db.transaction() as session:
            return {name: await session.scalar(select(func.count()).select_from(model))
                    for name, model in [("schools", School), ("members", Member), ("entries", Entry),
                                        ("pairings", Pairing), ("groups", GroupLink)]}
    counts = in_database(cli_database, stored)
    assert counts["schools"] == 1 and counts["members"] >= 5 and counts["entries"] > 50
    assert counts["pairings"] == counts["members"] and counts["groups"] == 1


def test_the_demo_twice_reuses_its_school_and_speaks_the_language_asked_for(cli_database, fixed_clock):
    assert chat("--demo").exit_code == 0
    fixed_clock.advance(minutes=5)
    second = chat("--demo", "--lang", "en", lines="/mine\n")
    assert second.exit_code == 0, second.output
    assert "reused" in second.output and "Sample reminder" in second.output and "示例提醒" not in second.output

    async def schools(db: Database):
        async with db.transaction() as session:
            return list(await session.scalars(select(School.name)))
    assert in_database(cli_database, schools) == [DEMO_SCHOOL]


def test_a_tap_beyond_the_buttons_says_so_on_one_line_and_the_chat_goes_on(cli_database):
    result = chat("--demo", lines="#9\n/help\n")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[lines.index("> #9") + 1] == "没有按钮 #9：请点 #1 到 #4。"
    assert "我能做这些：" in result.output


def test_a_tap_beyond_a_single_button_names_that_button(cli_database):
    result = chat("--demo", lines="/log\n#1\n王小明\n#2\n")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[lines.index("> #2") + 1] == "没有按钮 #2：最新一条消息只有一个按钮 #1。"


def test_a_tap_with_no_buttons_to_tap_says_so(cli_database):
    school_with_member(cli_database, "Li Lei", language="en")
    result = chat("--member", "Li Lei", lines="#1\n/help\n")
    assert result.exit_code == 0
    assert "There is no button to tap: the latest message has none." in result.output
    assert "What I can do:" in result.output


def test_the_terminals_help_is_the_command_catalogues(cli_database):
    school_with_member(cli_database, "Li Lei", language="en")
    result = chat("--member", "Li Lei", lines="/help\n")
    assert result.exit_code == 0
    shown = [f"/{entry.name} — {line.text}" for entry in COMMANDS for line in entry.help
             if line.section == MEMBERS and not line.args and not line.only_with_records and "{" not in line.text]
    assert len(shown) >= 6 and all(line in result.output for line in shown)
    assert "/log home visit Wang Xiaoming yesterday 40min notes — log in one line" in result.output


def test_it_ends_at_the_end_of_input_with_success(cli_database):
    school_with_member(cli_database)
    result = chat("--member", "王芳", lines="")
    assert result.exit_code == 0 and "you are 王芳" in result.output


def test_an_invite_joins_a_new_person(cli_database):
    school_with_member(cli_database, "Somebody")

    async def invite(db: Database) -> str:
        async with db.transaction() as session:
            school_id = await session.scalar(select(School.id))
        return (await create_invite(db, school_id, "teacher", now=DEFAULT_NOW)).code
    code = in_database(cli_database, invite)
    result = chat("--invite", code, lines="王小红\n/history\n")
    assert result.exit_code == 0
    assert f"> /start {code}" in result.output and "欢迎" in result.output
    assert [name for _, name in terminal_accounts(cli_database)]


def test_attachments_are_written_to_the_folder_and_their_paths_printed(tmp_path):
    printed: list[str] = []
    screen = Screen(printed.append, tmp_path / "files")
    chart = Attachment("进度 chart.png", b"\x89PNG", "image", caption="本周")
    screen.show(Outcome([Reply("<b>报告</b> &amp; 图表", html=True, attachments=(chart, chart))]))
    written = sorted((tmp_path / "files").iterdir())
    assert [p.name for p in written] == ["进度_chart-2.png", "进度_chart.png"]  # a second file never overwrites
    assert all(p.read_bytes() == b"\x89PNG" for p in written)
    assert printed[0] == "报告 & 图表"
    assert printed[1:3] == [f"📎 {tmp_path / 'files' / '进度_chart.png'}  本周",
                            f"📎 {tmp_path / 'files' / '进度_chart-2.png'}  本周"]


def test_the_demos_report_chart_is_written_to_the_files_folder(cli_database, tmp_path):
    folder = tmp_path / "charts"
    result = chat("--demo", "--files", str(folder), lines="/report\n")
    assert result.exit_code == 0, result.output
    charts = sorted(folder.iterdir())
    assert charts and all(path.suffix == ".png" and path.read_bytes().startswith(b"\x89PNG") for path in charts)
    assert all(f"📎 {path}" in result.output for path in charts)


# --- scheduled messages arrive between lines ------------------------------------------------------------


async def test_a_reminder_that_falls_due_mid_session_arrives_after_the_next_line_and_its_buttons_tap(db, clock):
    school = await create_school(db, "合川中学", now=clock.now())
    async with db.transaction() as session:
        wang = await repo.add(session, Member(school_id=school.school_id, role="teacher", display_name="王芳",
                                              joined_on=dt.date(2026, 11, 1)))
        other = await repo.add(session, Member(school_id=school.school_id, role="teacher", display_name="李磊",
                                               joined_on=dt.date(2026, 11, 1)))
        await repo.add_account(session, wang, "terminal", "77", clock.now())
        await repo.add_account(session, other, "terminal", "78", clock.now())
    core = AppContext(db=db, settings=Settings(_env_file=None), clock=clock)
    printed: list[str] = []
    screen = Screen(printed.append, Path("unused"))
    session = ChatSession(core, screen, echo=True, user_id="77")

    # The reminder is planned while the first line is being answered.
    script = iter(["/history", "#1"])
    original_send = session.send

    async def send_then_plan(line: str) -> None:
        await original_send(line)
        if line == "/history":
            await plan_sample_reminder(db, "王芳", clock.now())
            await plan_sample_reminder(db, "李磊", clock.now())
    session.send = send_then_plan  # type: ignore[method-assign]
    await session.run(script)
    text = "\n".join(printed)
    assert text.index("> /history") < text.index("示例提醒") < text.index("> #1")
    assert "[1] 📝 家访" in text
    async with db.transaction() as session_:
        statuses = dict((await session_.execute(select(OutboxMessage.member_id, OutboxMessage.status))).all())
    assert statuses == {wang.id: "sent", other.id: "pending"}  # only the person at this keyboard is delivered to


def test_a_reminder_due_now_arrives_when_the_chat_opens(cli_database, fixed_clock):
    school_with_member(cli_database, "Li Lei", language="en")
    fixed_clock.set(DEFAULT_NOW + dt.timedelta(days=9))  # Friday 27 November, 17:30: behind on the month's visit
    result = chat("--member", "Li Lei", lines="/help\n")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    reminder = next(i for i, line in enumerate(lines) if "behind" in line)
    assert reminder < lines.index("> /help")  # planned and delivered before the first line is read


def test_a_report_announced_to_follow_is_shown_before_a_piped_chat_ends(cli_database, monkeypatch):
    monkeypatch.setattr("bot.chat.flows.reports_to_follow.ANSWER_SECONDS", 0)  # as a large school's takes seconds
    school_with_member(cli_database)
    result = chat("--member", "王芳", lines="/report school term\n")
    assert result.exit_code == 0, result.output
    follows = result.output.index("正在根据记录准备本校的报表，稍后发来。")
    assert result.output.index("📊 合川中学") > follows
