"""A school that starts mid-term: staff from a roster, personal invites, and from when quotas count."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from bot.i18n import translator
from bot.notifications.digest import digest_text
from bot.notifications.weekly_facts import digest_facts
from bot.people.schools import SchoolError, create_invite, policy_of, set_counts_from
from bot.people.staff_import import import_staff
from bot.platform_names import TELEGRAM
from bot.quotas.standing import school_standing
from bot.reporting.report_text import school_text
from bot.reporting.reports import report_window, school_report
from storage import repository as repo
from storage.models import Member
from tests.support.accounts import account_ids
from tests.support.cli import invoke

TODAY = dt.date(2026, 11, 18)
ROSTER = "姓名,职务,counts_from\n王芳,教师,\nLi Lei,head_teacher,2026-11-02\n赵敏,leader,\n"


@pytest.fixture
def school_options():
    return {"policy": "seed-000"}


async def members(db) -> dict[str, Member]:
    async with db.transaction() as session:
        return {m.display_name: m for m in await session.scalars(select(Member))}


async def test_a_roster_pre_registers_staff_and_importing_it_again_changes_nothing(bot, tmp_path):
    roster = tmp_path / "staff.csv"
    roster.write_text(ROSTER, encoding="utf-8-sig")
    first = await import_staff(bot.db, bot.school.school_id, roster, bot.clock.now())
    assert (first.added, first.bad_rows) == (["王芳", "Li Lei", "赵敏"], [])
    again = await import_staff(bot.db, bot.school.school_id, roster, bot.clock.now())
    assert (again.added, again.updated, again.unchanged) == ([], [], ["王芳", "Li Lei", "赵敏"])
    stored = await members(bot.db)
    assert len(stored) == 3
    assert (stored["王芳"].role, await account_ids(bot.db, stored["王芳"].id), stored["Li Lei"].counts_from) == \
        ("teacher", [], dt.date(2026, 11, 2))


async def test_an_xlsx_roster_reads_like_the_csv(bot, tmp_path):
    book = Workbook()
    sheet = book.active
    for row in (["name", "role", "counts_from"], ["王芳", "teacher", dt.datetime(2026, 9, 1)], [None, None, None],
                ["Li Lei", "班主任", None]):
        sheet.append(row)
    book.save(tmp_path / "staff.xlsx")
    report = await import_staff(bot.db, bot.school.school_id, tmp_path / "staff.xlsx", bot.clock.now())
    assert report.added == ["王芳", "Li Lei"]
    assert (await members(bot.db))["王芳"].counts_from == dt.date(2026, 9, 1)


async def test_every_problem_of_every_bad_row_is_reported_and_nothing_is_imported(bot, tmp_path):
    roster = tmp_path / "staff.csv"
    roster.write_text("name,role,counts_from\n王芳,teacher,\n,janitor,next monday\nLi Lei,,\n王芳,leader,\n")
    report = await import_staff(bot.db, bot.school.school_id, roster, bot.clock.now())
    assert [(bad.line, bad.problems) for bad in report.bad_rows] == [
        (3, ("the name is missing",
             "unknown role 'janitor': use one of principal, leader, head_teacher, teacher, staff",
             "cannot read the date 'next monday': use YYYY-MM-DD")),
        (4, ("the role is missing",)),
        (5, ("王芳 is already on line 2",)),
    ]
    assert await members(bot.db) == {}


async def test_a_personal_invite_binds_the_person_to_their_pre_registered_member(bot, tmp_path):
    roster = tmp_path / "staff.csv"
    roster.write_text(ROSTER)
    await import_staff(bot.db, bot.school.school_id, roster, bot.clock.now())
    invite = await create_invite(bot.db, bot.school.school_id, None, member="li lei", now=bot.clock.now())
    teacher = bot.fake.user(1301, "Lei", "Li", language_code="en")  # Telegram's name differs from the roster's
    await bot.say(teacher, f"/start {invite.code}")
    assert bot.last_text(teacher).startswith("Welcome, Li Lei! You have joined 合川中学 as head teacher.")
    stored = await members(bot.db)
    assert len(stored) == 3 and await account_ids(bot.db, stored["Li Lei"].id) == ["1301"]
    async with bot.db.transaction() as session:
        assert (await repo.member_by_account(session, TELEGRAM, "1301")).display_name == "Li Lei"
    other = bot.fake.user(1302, "Someone", "Else", language_code="en")
    await bot.say(other, f"/start {invite.code}")
    assert "already been used" in bot.last_text(other)


async def test_the_digest_lists_who_has_not_joined_yet_and_reports_count_them(bot, tmp_path):
    roster = tmp_path / "staff.csv"
    roster.write_text(ROSTER)
    await import_staff(bot.db, bot.school.school_id, roster, bot.clock.now())
    standing = await school_standing(bot.db, bot.school.school_id, TODAY)
    assert {m.display_name for m in standing.members} == {"王芳", "Li Lei", "赵敏"}

    async def source(school_id, today):
        return await school_standing(bot.db, school_id, today)

    async with bot.db.transaction() as session:
        from storage import repository as repo
        school = await repo.get_school(session, bot.school.school_id)
    facts = await digest_facts(bot.db, source, school, TODAY)
    text = digest_text(facts, standing.policy, translator("zh"))
    assert "尚未加入（请把邀请发给他们）：\n• Li Lei\n• 王芳\n• 赵敏" in text
    assert "从未记录" not in text  # not joined is not "never logged"
    report = await school_report(bot.db, bot.school.school_id, report_window("week", False, TODAY, standing.policy))
    assert len(report.members) == 3 and report.not_joined == 3
    assert "名单上有 3 人尚未加入（按未记录计算）。" in school_text(report, translator("zh"))
    assert "3 members on the roster have not joined yet" in school_text(report, translator("en"))


async def test_counts_from_decides_from_when_targets_count(bot, wang, li):
    # Both joined today, 18 November: without counts_from, the quarter's four visits are prorated to 3.
    def visit_target(standing, name):
        member = next(m for m in standing.members if m.display_name == name)
        return next(p.target for p in member.rules if p.rule_id == "everyone-home-visit-quarterly")

    standing = await school_standing(bot.db, bot.school.school_id, TODAY)
    assert (visit_target(standing, "王芳"), visit_target(standing, "Li Lei")) == (3, 3)
    await set_counts_from(bot.db, bot.school.school_id, dt.date(2026, 9, 1))  # the term began before the quarter
    standing = await school_standing(bot.db, bot.school.school_id, TODAY)
    assert (visit_target(standing, "王芳"), visit_target(standing, "Li Lei")) == (4, 4)
    async with bot.db.transaction() as session:
        member = await session.scalar(select(Member).where(Member.display_name == "Li Lei"))
        member.counts_from = dt.date(2026, 12, 1)  # the member's own date wins over the school's
    standing = await school_standing(bot.db, bot.school.school_id, TODAY)
    assert (visit_target(standing, "王芳"), visit_target(standing, "Li Lei")) == (4, 2)
    await bot.say(wang, "/mine")
    mine = bot.fake.last_to(wang.id).plain_text
    assert "每人每季度家访不少于4次\n░░░░░░░░░░ 0 / 4，落后进度 1 次" in mine  # owed since October: whole target
    await bot.say(li, "/mine")  # Li Lei's own counts_from, 1 December, prorates the quarter: it says so
    assert "0 of 2 (prorated from the day your quotas count from; 4 for the whole quarter)" in \
        bot.fake.last_to(li.id).plain_text


def test_the_cli_imports_members_reports_bad_rows_and_sets_counts_from(cli_database, tmp_path):
    assert invoke("school", "create", "合川中学", "--policy", "seed-000").exit_code == 0
    roster = tmp_path / "staff.csv"
    roster.write_text(ROSTER)
    result = invoke("members", "import", "--school", "1", str(roster))
    assert result.exit_code == 0 and result.output.strip() == "staff.csv: 3 added, 0 updated, 0 unchanged"
    assert invoke("members", "import", "--school", "1", str(roster)).output.strip() == \
        "staff.csv: 0 added, 0 updated, 3 unchanged"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,role\n张伟,janitor\n")
    result = invoke("members", "import", "--school", "1", str(bad))
    assert result.exit_code == 1
    assert "bad.csv:2: unknown role 'janitor'" in result.output and "nothing was imported" in result.output
    result = invoke("invite", "create", "--school", "1", "--member", "王芳")
    assert result.exit_code == 0 and result.output.startswith("invite: ")
    assert "no member of school 1 is called '孙悟空'" in invoke("invite", "create", "--school", "1", "--member",
                                                               "孙悟空").output
    result = invoke("school", "set", "1", "--counts-from", "2026-09-01")
    assert result.exit_code == 0 and result.output.strip() == "school 1: quotas count from 2026-09-01"
    assert invoke("school", "set", "1", "--counts-from", "sept").exit_code == 1


# --- past records ---------------------------------------------------------------------------------

PAST = "\n".join([
    "日期,教师,活动,学生,时长,备注",
    "2026-03-02,王芳,家访,王小明,40,了解学习情况",      # 2: eight months ago: no 60-day limit here
    "2026-10-12,li lei,call,Zhao Liuliu,10min,",        # 3: names and words as chat understands them
    "2026-10-12,Li Lei,call,Zhao Liuliu,10min,",        # 4: the same call again: a second entry, not a repeat
    "2030-12-01,王芳,家访,王小明,40,",                   # 5: future
    "2026-10-01,孙悟空,跳舞,,13h,",                      # 6: unknown member and activity, too long
    "11月20号,王芳,家访,,,",                              # 7: a date as chat reads it; no student or duration
    "2026-10-20,王芳,三进三同,,,住校一天",                # 8: an activity without a student
]) + "\n"


async def test_past_records_are_imported_once_with_every_bad_row_reported(bot, wang, li, tmp_path):
    from bot.logbook.entries_import import import_entries

    path = tmp_path / "past.csv"
    path.write_text(PAST, encoding="utf-8-sig")
    report = await import_entries(bot.db, bot.school.school_id, path, bot.clock.now())
    assert (report.added, report.already_there) == (4, 0)
    assert [(bad.line, bad.problems) for bad in report.bad_rows] == [
        (5, ("the date is in the future",)),
        (6, ("no member called '孙悟空'", "unknown activity '跳舞'", "the duration is over 12 hours")),
        (7, ("the student is missing", "the duration is missing")),
    ]
    again = await import_entries(bot.db, bot.school.school_id, path, bot.clock.now())
    assert (again.added, again.already_there, len(again.bad_rows)) == (0, 4, 3)
    async with bot.db.transaction() as session:
        from storage.models import Entry
        stored = list(await session.scalars(select(Entry).order_by(Entry.occurred_on, Entry.id)))
    assert [(e.occurred_on.isoformat(), e.activity_code, e.student_name, e.duration_minutes, e.source)
            for e in stored] == [("2026-03-02", "home_visit", "王小明", 40, "import"),
                                 ("2026-10-12", "phone_call", "Zhao Liuliu", 10, "import"),
                                 ("2026-10-12", "phone_call", "Zhao Liuliu", 10, "import"),
                                 ("2026-10-20", "live_in_day", None, None, "import")]
    await bot.say(li, "/mine")
    assert bot.fake.last_to(li.id).plain_text.endswith("This quarter: Phone call 2")


def test_the_cli_imports_past_records_and_names_each_bad_line(cli_database, tmp_path):
    assert invoke("school", "create", "合川中学", "--policy", "seed-000").exit_code == 0
    roster = tmp_path / "staff.csv"
    roster.write_text(ROSTER)
    assert invoke("members", "import", "--school", "1", str(roster)).exit_code == 0
    path = tmp_path / "past.csv"
    path.write_text(PAST)
    result = invoke("entries", "import", "--school", "1", str(path))
    assert result.exit_code == 1
    assert "past.csv:6: no member called '孙悟空'; unknown activity '跳舞'; the duration is over 12 hours" \
        in result.output
    assert "past.csv: 4 added, 0 already there, 3 bad" in result.output
    assert "past.csv: 0 added, 4 already there, 3 bad" in invoke("entries", "import", "--school", "1",
                                                                  str(path)).output


async def test_once_a_pre_registered_member_joins_their_account_counts_them_as_joined(bot, tmp_path):
    roster = tmp_path / "staff.csv"
    roster.write_text(ROSTER)
    await import_staff(bot.db, bot.school.school_id, roster, bot.clock.now())
    invite = await create_invite(bot.db, bot.school.school_id, None, member="Li Lei", now=bot.clock.now())
    await bot.say(bot.fake.user(1301, "Lei", "Li", language_code="en"), f"/start {invite.code}")
    with pytest.raises(SchoolError, match="Li Lei has already joined"):
        await create_invite(bot.db, bot.school.school_id, None, member="Li Lei", now=bot.clock.now())

    async def source(school_id, today):
        return await school_standing(bot.db, school_id, today)

    async with bot.db.transaction() as session:
        school = await repo.get_school(session, bot.school.school_id)
    text = digest_text(await digest_facts(bot.db, source, school, TODAY), policy_of(school), translator("zh"))
    assert "尚未加入（请把邀请发给他们）：\n• 王芳\n• 赵敏" in text
