"""The problem list (plan 001): problems logged with a visit, listed for leaders, assigned, closed with a result,
counted — in direct messages only, on both backends and in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.logbook.problems import ProblemCounts, problem_counts, problem_counts_by_member
from storage.models import Member, Problem

NOV_1, NOV_30 = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
GROUP = -1001234567890


@pytest.fixture
def school_options():
    return {"policy": "seed-001"}


@pytest.fixture
def li_role():
    return "head_teacher"


@pytest.fixture
async def leader(bot):
    user = bot.fake.user(2001, "张校长", language_code="zh-hans")
    await bot.join(user, "leader")
    return user


async def stored_problems(db) -> list[Problem]:
    async with db.transaction() as session:
        return list(await session.scalars(select(Problem).order_by(Problem.id)))


async def member_id(db, name: str) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(Member.id).where(Member.display_name == name))


async def reach_the_problems_question(bot, user, student: str, notes: str = "了解学习情况") -> None:
    """A home visit logged alone today, 45 minutes, with `notes` typed: up to "what problems did the family raise?"."""
    await bot.say(user, "/log")
    await bot.tap(user, "入户家访")
    await bot.say(user, student)
    await bot.tap(user, "不，独自一人")
    await bot.tap(user, "今天")
    await bot.tap(user, "45 分钟")
    await bot.say(user, notes)
    assert "反映了什么问题" in bot.last_text(user)


async def log_visit_with_problems(bot, user, student: str, problems: list[str]) -> None:
    await reach_the_problems_question(bot, user, student)
    for text in problems:
        await bot.say(user, text)
        assert "已记下" in bot.last_text(user) and text in bot.last_text(user)
    await bot.tap(user, "完成" if problems else "没有")


def problem_message(bot, user, text: str):
    """The latest message to the user that shows this problem with its buttons."""
    return next(m for m in reversed(bot.fake.messages_to(user.id)) if m.content and text in m.content
                and m.has_inline_keyboard)


def group_texts(bot) -> list[str]:
    return [m.content or "" for m in bot.fake.sent if m.chat_id < 0]


async def test_a_problem_goes_from_the_visit_to_the_leader_to_the_assignee_and_is_closed(bot, leader, wang, li):
    # 1. a teacher logs a home visit and notes two problems the family raised
    await log_visit_with_problems(bot, wang, "王小明", ["家里没有网络，孩子上不了网课", "上学路远，希望有校车"])
    summary = bot.last_text(wang)
    assert "反映的问题：" in summary and "1. 家里没有网络" in summary and "2. 上学路远" in summary
    assert await stored_problems(bot.db) == []  # nothing is stored before Save
    await bot.tap(wang, "✅ 保存")
    assert "2 个问题已列入学校的问题清单" in bot.last_text(wang)
    first, second = await stored_problems(bot.db)
    assert (first.text, first.student_name, first.status, first.raised_by_member_id) == \
        ("家里没有网络，孩子上不了网课", "王小明", "open", await member_id(bot.db, "王芳"))
    assert second.entry_id == first.entry_id

    # 2. the leader lists the school's open problems, student names included (a direct message)
    await bot.say(leader, "/problems")
    texts = bot.fake.texts_to(leader.id)
    assert "待解决的问题：2 个" in texts[-3]
    assert "王小明" in texts[-2] and "家里没有网络" in texts[-2] and "王芳" in texts[-2] and "尚未指派" in texts[-2]
    assert [label for label, _ in problem_message(bot, leader, "家里没有网络").inline_buttons] == ["指派", "销号办结"]

    # 3. assigns the first one by typing part of a name, to a member who chose English for the bot
    await bot.say(li, "/settings")
    await bot.tap(li, "English")
    await bot.fake.tap_button(bot.app, leader, "指派", problem_message(bot, leader, "家里没有网络"))
    assert "交给谁办理" in bot.last_text(leader)
    assert {"张校长", "王芳", "Li Lei"} <= set(bot.buttons(leader))
    await bot.say(leader, "li")
    assert bot.last_text(leader) == "已交给 Li Lei 办理，我已私信通知对方。"

    # 4. the assignee is told in a direct message, in their language, with a Close button
    notice = bot.fake.last_to(li.id)
    assert "张校长 gave you a problem" in notice.content and "家里没有网络" in notice.content
    assert "王小明" in notice.content and "Assigned to Li Lei" in notice.content
    assert bot.buttons(li) == ["Close"]
    [assigned, _] = await stored_problems(bot.db)
    assert (assigned.status, assigned.assignee_member_id) == ("assigned", await member_id(bot.db, "Li Lei"))

    # 5. the assignee sees it in /problems and closes it with the result
    await bot.say(li, "/problems")
    assert "Problems assigned to you: 1" in bot.fake.texts_to(li.id)[-2]
    assert bot.buttons(li) == ["Close"]
    bot.clock.advance(days=2)
    await bot.tap(li, "Close")
    assert "What was done about it?" in bot.last_text(li)
    await bot.say(li, "Lent the family a 4G router from the school")
    assert bot.last_text(li) == "✅ Closed. The result is on the problem list."
    closed, still_open = await stored_problems(bot.db)
    assert (closed.status, closed.result, closed.closed_by_member_id) == \
        ("closed", "Lent the family a 4G router from the school", await member_id(bot.db, "Li Lei"))
    assert closed.closed_at == bot.clock.now()

    # 6. the counts for reports
    assert await problem_counts(bot.db, bot.school.school_id, NOV_1, NOV_30) == ProblemCounts(2, 1, 1)
    by_member = await problem_counts_by_member(bot.db, bot.school.school_id, NOV_1, NOV_30)
    assert by_member[await member_id(bot.db, "王芳")] == ProblemCounts(raised=2, open=0, closed=0)
    assert by_member[await member_id(bot.db, "Li Lei")] == ProblemCounts(raised=0, open=0, closed=1)
    await bot.say(leader, "/problems")
    assert "待解决的问题：1 个" in bot.fake.texts_to(leader.id)[-2]
    assert "上学路远" in bot.last_text(leader)

    # nothing of it ever went to a group
    assert group_texts(bot) == []
    assert bot.errors() == []


async def test_in_a_group_problems_and_their_students_are_never_shown(bot, leader, wang):
    await log_visit_with_problems(bot, wang, "王小明", ["家里没有网络"])
    await bot.tap(wang, "✅ 保存")
    replies = await bot.fake.send(bot.app, bot.fake.group_text(leader, GROUP, "/problems"))
    assert [m.chat_id for m in replies] == [GROUP]
    assert "私聊" in replies[0].content
    assert all("王小明" not in text and "网络" not in text for text in group_texts(bot))
    assert not any(m.has_inline_keyboard for m in replies)


async def test_a_one_liner_skips_the_problems_step_and_activities_without_it_never_ask(bot, wang):
    await bot.say(wang, "/log 家访 王小明 今天 30分钟")
    assert bot.buttons(wang) == ["✅ 保存", "✏️ 修改", "✖️ 取消"]
    await bot.tap(wang, "✅ 保存")
    await bot.say(wang, "/log")
    await bot.tap(wang, "电话")  # phone calls do not ask for problems in plan 001
    await bot.say(wang, "王小明")
    await bot.tap(wang, "今天")
    await bot.tap(wang, "15 分钟")
    await bot.tap(wang, "跳过")
    assert bot.buttons(wang) == ["✅ 保存", "✏️ 修改", "✖️ 取消"]  # straight to the summary
    await bot.tap(wang, "✅ 保存")
    assert await stored_problems(bot.db) == []


async def test_none_records_no_problem_and_edit_can_add_or_clear_them(bot, wang):
    await log_visit_with_problems(bot, wang, "王小明", [])
    assert "反映的问题" not in bot.last_text(wang)
    await bot.tap(wang, "✏️ 修改")
    await bot.tap(wang, "反映的问题")
    await bot.say(wang, "作业太多")
    await bot.say(wang, "午饭太贵")
    await bot.tap(wang, "清空问题")
    assert bot.buttons(wang) == ["没有"]
    await bot.say(wang, "午饭太贵")
    await bot.tap(wang, "完成")
    assert "1. 午饭太贵" in bot.last_text(wang) and "作业太多" not in bot.last_text(wang)
    await bot.tap(wang, "✅ 保存")
    assert [p.text for p in await stored_problems(bot.db)] == ["午饭太贵"]


async def test_the_buttons_typed_instead_of_tapped_answer_as_taps_and_a_typed_none_never_clears_a_list(bot, wang):
    await reach_the_problems_question(bot, wang, "王小明", notes="跳过")  # the Skip button typed
    await bot.say(wang, "作业太多")
    await bot.say(wang, "没有")  # a list is under way: this is the family's word, not the None button
    await bot.say(wang, "完成")
    assert "1. 作业太多\n2. 没有" in bot.last_text(wang) and "🗒" not in bot.last_text(wang)
    await bot.tap(wang, "✅ 保存")
    assert [p.text for p in await stored_problems(bot.db)] == ["作业太多", "没有"]
    await reach_the_problems_question(bot, wang, "王小明", notes="跳过")
    await bot.say(wang, "没有")
    assert "请确认" in bot.last_text(wang) and "反映的问题" not in bot.last_text(wang)


async def test_an_over_long_problem_is_refused_with_the_reason_and_the_step_goes_on(bot, li):
    await bot.say(li, "/log")
    await bot.tap(li, "Home visit")
    await bot.say(li, "Zhang Wei")
    await bot.tap(li, "No, alone")
    await bot.tap(li, "Today")
    await bot.tap(li, "45 min")
    await bot.tap(li, "Skip")
    assert "Did the family raise any problems?" in bot.last_text(li) and bot.buttons(li) == ["None"]
    await bot.say(li, "x" * 501)
    assert bot.last_text(li) == "A problem can be at most 500 characters; yours has 501. Please shorten it."
    await bot.say(li, "The stairs to the flat are unsafe")
    assert bot.buttons(li) == ["Done", "Clear the list"]
    await bot.tap(li, "Done")
    assert "Problems raised:\n1. The stairs to the flat are unsafe" in bot.last_text(li)
    await bot.tap(li, "✅ Save")
    assert "1 problem is on the school's problem list." in bot.last_text(li)


async def test_members_see_only_their_own_and_cannot_assign_or_close_others(bot, leader, wang, li):
    await log_visit_with_problems(bot, wang, "王小明", ["家里没有网络"])
    await bot.tap(wang, "✅ 保存")
    [problem] = await stored_problems(bot.db)
    await bot.say(wang, "/problems")
    assert bot.last_text(wang) == "目前没有交给你办理的问题。"
    visit_message = bot.fake.last_to(wang.id)
    for data in (f"prb:assign:{problem.id}", f"prb:close:{problem.id}"):
        await bot.fake.send(bot.app, bot.fake.tap(wang, visit_message, data))
        assert bot.last_text(wang) == "只有学校领导和负责这个问题的老师可以这样做。"
    assert (await stored_problems(bot.db))[0].status == "open"
    assert bot.errors() == []


async def test_another_schools_leader_cannot_see_or_touch_the_problems(bot, leader, wang, clock):
    await log_visit_with_problems(bot, wang, "王小明", ["家里没有网络"])
    await bot.tap(wang, "✅ 保存")
    [problem] = await stored_problems(bot.db)
    first_school = bot.school
    await bot.create_school("另一所学校", policy="seed-001")
    other = bot.fake.user(3001, "赵校长", language_code="zh")
    await bot.join(other, "leader")
    bot.school = first_school
    await bot.say(other, "/problems")
    assert bot.last_text(other) == "没有待解决的问题。🎉"
    message = bot.fake.last_to(other.id)
    await bot.fake.send(bot.app, bot.fake.tap(other, message, f"prb:close:{problem.id}"))
    assert bot.last_text(other) == "这个问题已不在问题清单上。"
    await bot.fake.send(bot.app, bot.fake.tap(other, message, f"prb:assign:{problem.id}"))
    assert bot.last_text(other) == "这个问题已不在问题清单上。"
    assert (await stored_problems(bot.db))[0].status == "open"


async def test_the_member_buttons_come_a_page_at_a_time_and_a_leader_can_take_a_problem_himself(bot, leader, wang):
    for n in range(9):
        await bot.join(bot.fake.user(4000 + n, f"老师{n:02d}", language_code="zh"), "teacher")
    await log_visit_with_problems(bot, wang, "王小明", ["家里没有网络"])
    await bot.tap(wang, "✅ 保存")
    await bot.say(leader, "/problems")
    await bot.tap(leader, "指派")
    first_page = bot.buttons(leader)
    assert len(first_page) == 9 and first_page[-1] == "下一页 ▶"  # 8 names and "next"
    await bot.tap(leader, "下一页 ▶")
    second_page = bot.buttons(leader)
    assert second_page == ["老师06", "老师07", "老师08", "◀ 上一页"]
    assert len(set(first_page[:-1]) | set(second_page[:-1])) == 11  # everyone, once
    await bot.tap(leader, "◀ 上一页")
    assert bot.buttons(leader) == first_page
    await bot.tap(leader, "张校长")
    assert bot.last_text(leader) == "已交给你自己办理。解决后请点“销号办结”。"
    await bot.say(leader, "/problems")
    await bot.tap(leader, "销号办结")
    await bot.say(leader, "已协调社区安装宽带")
    assert "已销号办结" in bot.last_text(leader)
    [problem] = await stored_problems(bot.db)
    assert (problem.status, problem.result) == ("closed", "已协调社区安装宽带")
    counts = await problem_counts_by_member(bot.db, bot.school.school_id, NOV_1, NOV_30)
    assert counts[await member_id(bot.db, "张校长")].closed == 1


async def test_a_blocked_assignee_is_reported_to_the_leader(bot, leader, wang, li):
    await log_visit_with_problems(bot, wang, "王小明", ["家里没有网络"])
    await bot.tap(wang, "✅ 保存")
    bot.fake.block(li.id)
    await bot.say(leader, "/problems")
    await bot.tap(leader, "指派")
    await bot.tap(leader, "Li Lei")
    assert bot.last_text(leader) == "已交给 Li Lei 办理，但我无法私信通知对方，请你亲自告知。"
    assert (await stored_problems(bot.db))[0].status == "assigned"
    assert bot.errors() == []


async def test_a_closed_problem_cannot_be_closed_again(bot, leader, wang):
    await log_visit_with_problems(bot, wang, "王小明", ["家里没有网络"])
    await bot.tap(wang, "✅ 保存")
    await bot.say(leader, "/problems")
    listed = problem_message(bot, leader, "家里没有网络")
    await bot.fake.tap_button(bot.app, leader, "销号办结", listed)
    await bot.say(leader, "已解决")
    await bot.fake.tap_button(bot.app, leader, "销号办结", listed)
    assert bot.last_text(leader) == "这个问题已经销号办结。"
    assert (await stored_problems(bot.db))[0].result == "已解决"


async def test_problems_of_an_undone_entry_leave_the_list(bot, leader, wang):
    await log_visit_with_problems(bot, wang, "王小明", ["家里没有网络"])
    await bot.tap(wang, "✅ 保存")
    await bot.say(wang, "/undo")
    await bot.tap(wang, bot.buttons(wang)[0])
    await bot.say(leader, "/problems")
    assert bot.last_text(leader) == "没有待解决的问题。🎉"
    assert await problem_counts(bot.db, bot.school.school_id, NOV_1, NOV_30) == ProblemCounts(0, 0, 0)


async def test_counts_follow_the_days_of_the_range(bot, leader, wang, clock):
    await log_visit_with_problems(bot, wang, "王小明", ["家里没有网络", "午饭太贵"])
    await bot.tap(wang, "✅ 保存")  # raised on Wed 18 November
    clock.advance(days=14)  # closed on Wed 2 December
    await bot.say(leader, "/problems")
    await bot.fake.tap_button(bot.app, leader, "销号办结", problem_message(bot, leader, "家里没有网络"))
    await bot.say(leader, "已解决")
    school = bot.school.school_id
    assert await problem_counts(bot.db, school, NOV_1, NOV_30) == ProblemCounts(raised=2, open=2, closed=0)
    assert await problem_counts(bot.db, school, dt.date(2026, 12, 1), dt.date(2026, 12, 31)) == \
        ProblemCounts(raised=0, open=1, closed=1)
    assert await problem_counts(bot.db, school, dt.date(2026, 11, 19), dt.date(2026, 11, 30)) == \
        ProblemCounts(raised=0, open=2, closed=0)


async def test_a_problem_counts_in_the_period_of_its_visit_not_the_day_it_was_typed_in(bot, wang):
    await bot.say(wang, "/log")
    await bot.tap(wang, "入户家访")
    await bot.say(wang, "王小明")
    await bot.tap(wang, "不，独自一人")
    await bot.say(wang, "10月30号")  # typed in on 18 November, about a visit in October
    await bot.tap(wang, "45 分钟")
    await bot.say(wang, "了解学习情况")
    await bot.say(wang, "家里没有书桌")
    await bot.tap(wang, "完成")
    await bot.tap(wang, "✅ 保存")
    october = await problem_counts(bot.db, bot.school.school_id, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    november = await problem_counts(bot.db, bot.school.school_id, NOV_1, NOV_30)
    assert (october.raised, november.raised) == (1, 0)
    assert november.open == 1  # still waiting for a leader at the end of November
    by_member = await problem_counts_by_member(bot.db, bot.school.school_id, dt.date(2026, 10, 1),
                                               dt.date(2026, 10, 31))
    assert by_member[await member_id(bot.db, "王芳")].raised == 1
