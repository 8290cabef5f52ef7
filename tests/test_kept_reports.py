"""A school's report is kept with what it was built from: asked again with nothing changed, it is the same report
(its ranking worked out already); anything that changes what it shows — an entry, a name, a new member, a problem —
builds a new one that shows it."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.people.schools import policy_of
from bot.people.students import student_key
from bot.reporting.reports import SchoolReport, report_window, school_report
from storage.models import Entry, Member, Problem, School
from storage.problems import OPEN


async def term_report(bot) -> SchoolReport:
    async with bot.db.transaction() as session:
        policy = policy_of(await session.get(School, bot.school.school_id))
    window = report_window("term", False, bot.clock.now().date(), policy)
    return await school_report(bot.db, bot.school.school_id, window)


async def log_visit(bot, user, student: str) -> None:
    await bot.say(user, f"/log 家访 {student} 今天 30分钟")
    await bot.tap(user, "✅ 保存")
    assert "已保存" in bot.last_text(user)


def entries_of(report: SchoolReport, name: str) -> int:
    return next(member.entries for member in report.members if member.display_name == name)


async def test_the_same_report_again_is_the_one_kept(bot, wang):
    await log_visit(bot, wang, "王小明")
    first = await term_report(bot)
    assert first.ranking  # worked out once, then kept with the report
    again = await term_report(bot)
    assert again is first
    assert entries_of(again, "王芳") == 1


async def test_a_new_entry_gives_a_new_report_that_counts_it(bot, wang):
    await log_visit(bot, wang, "王小明")
    first = await term_report(bot)
    await log_visit(bot, wang, "李雷")
    after = await term_report(bot)
    assert after is not first
    assert entries_of(after, "王芳") == 2
    assert after.totals["home_visit"] == first.totals["home_visit"] + 1


async def test_a_renamed_member_and_a_newcomer_show_in_the_next_report(bot, wang):
    await log_visit(bot, wang, "王小明")
    first = await term_report(bot)
    async with bot.db.transaction() as session:
        await session.execute(update(Member).where(Member.display_name == "王芳").values(display_name="王芳芳"))
    renamed = await term_report(bot)
    assert [m.display_name for m in renamed.members] == ["王芳芳"]
    assert renamed.ranking[0].member.display_name == "王芳芳"
    await bot.join(bot.fake.user(1002, "李雷", language_code="zh"), "teacher")
    joined = await term_report(bot)
    assert sorted(m.display_name for m in joined.members) == ["李雷", "王芳芳"]
    assert first.members[0].display_name == "王芳"  # a kept report is never changed in place


async def test_a_problem_raised_shows_in_the_next_report(bot, wang):
    await log_visit(bot, wang, "王小明")
    first = await term_report(bot)
    async with bot.db.transaction() as session:
        entry = await session.scalar(select(Entry).where(Entry.school_id == bot.school.school_id))
        session.add(Problem(school_id=entry.school_id, entry_id=entry.id, raised_by_member_id=entry.member_id,
                            text="家里没有书桌", student_name="王小明", student_key=student_key("王小明"),
                            status=OPEN, raised_at=bot.clock.now()))
    after = await term_report(bot)
    assert (first.problems.raised, after.problems.raised) == (0, 1)
