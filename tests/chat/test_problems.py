"""/problems through the chat core, in Chinese and English: a leader lists the school's open problems, gives one
to a member (who is told in a direct message), the member closes it with the result; never in a group."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.chat.engine_builder import build_engine
from bot.chat.events import ChatAddress, Tap
from storage.models import Problem
from tests.support.chat import ChatHarness
from tests.support.outbound import RecordingOutbound
from tests.support.stored import add_entry, add_problem, member_id

GROUP = "-100555"
NETWORK = "家里没有网络，孩子上不了网课"


@pytest.fixture
async def chat(db, clock):
    """A school on plan 001, whose visits record problems, and a platform that delivers direct messages."""
    harness = ChatHarness(db, clock)
    await harness.create_school(policy="seed-001")
    harness.engine = build_engine(harness.core, outbound=RecordingOutbound())
    return harness


@pytest.fixture
def reach(chat) -> RecordingOutbound:
    return chat.engine.by_name["problems"].outbound


@pytest.fixture
async def leader(chat):
    return await chat.add_member("张校长", role="leader", language="zh")


@pytest.fixture
async def wang(chat):
    return await chat.add_member("王芳", role="teacher", language="zh")


@pytest.fixture
async def li(chat):
    return await chat.add_member("Li Lei", role="head_teacher", language="en")


@pytest.fixture
async def raised(chat, wang) -> int:
    """王芳's home visit to 王小明 today, where the family raised a problem."""
    school, raiser = chat.school.school_id, await member_id(chat.db, wang)
    visit = await add_entry(chat.db, school, raiser, "home_visit", dt.date(2026, 11, 18), "王小明")
    return await add_problem(chat.db, school, visit, raiser, NETWORK, "王小明")


async def stored(chat) -> list[Problem]:
    async with chat.db.transaction() as session:
        return list(await session.scalars(select(Problem).order_by(Problem.id)))


def labels(driver) -> list[str]:
    return [choice.label for choice in driver.latest_choices()]


async def test_a_problem_is_listed_given_to_a_member_who_is_told_and_closed_with_the_result(chat, reach, leader,
                                                                                           li, raised):
    outcome = await leader.send("/problems")
    heading, listed = outcome.replies
    assert heading.text == "待解决的问题：1 个"
    assert NETWORK in listed.text and "王小明" in listed.text and "王芳" in listed.text and "尚未指派" in listed.text
    assert labels(leader) == ["指派", "销号办结"]
    await leader.tap_label("指派")
    assert "交给谁办理" in leader.last_text and {"张校长", "王芳", "Li Lei"} <= set(labels(leader))
    await leader.send("li")
    assert leader.last_text == "已交给 Li Lei 办理，我已私信通知对方。"

    [(address, notice)] = reach.sent
    assert address == ChatAddress("terminal", li.user_id)
    assert "张校长 gave you a problem" in notice.text and NETWORK in notice.text and "王小明" in notice.text
    assert [c.label for c in notice.all_choices] == ["Close"]
    [problem] = await stored(chat)
    assert (problem.status, problem.assignee_member_id) == ("assigned", await member_id(chat.db, li))

    await li.send("/problems")
    assert li.replies[-2].text == "Problems assigned to you: 1" and labels(li) == ["Close"]
    chat.clock.advance(days=2)
    await li.deliver(Tap(notice.all_choices[0].data))  # the Close of the direct message
    assert "What was done about it?" in li.last_text
    await li.send("Lent the family a 4G router from the school")
    assert li.last_text == "✅ Closed. The result is on the problem list."
    [problem] = await stored(chat)
    assert (problem.status, problem.result, problem.closed_by_member_id, problem.closed_at) == \
        ("closed", "Lent the family a 4G router from the school", await member_id(chat.db, li), chat.clock.now())
    await leader.send("/problems")
    assert leader.last_text == "没有待解决的问题。🎉"


async def test_the_members_come_a_page_at_a_time_and_a_leader_can_take_it_himself(chat, leader, raised):
    for n in range(9):
        await chat.add_member(f"老师{n:02d}", language="zh")
    await leader.send("/problems")
    await leader.tap_label("指派")
    first_page = labels(leader)
    assert len(first_page) == 9 and first_page[-1] == "下一页 ▶"
    await leader.tap_label("下一页 ▶")
    assert labels(leader) == ["老师06", "老师07", "老师08", "◀ 上一页"]
    await leader.tap_label("◀ 上一页")
    assert labels(leader) == first_page
    await leader.tap_label("张校长")
    assert leader.last_text == "已交给你自己办理。解决后请点“销号办结”。"
    assert (await stored(chat))[0].assignee_member_id == await member_id(chat.db, leader)


async def test_an_assignee_who_cannot_be_reached_is_reported_to_the_leader(chat, reach, leader, li, raised):
    reach.unreachable.add(ChatAddress("terminal", li.user_id))
    await leader.send("/problems")
    await leader.tap_label("指派")
    await leader.tap_label("Li Lei")
    assert leader.last_text == "已交给 Li Lei 办理，但我无法私信通知对方，请你亲自告知。"
    assert (await stored(chat))[0].status == "assigned"


async def test_a_name_nobody_has_asks_again_and_an_english_leader_closes_with_a_result(chat, raised):
    leader = await chat.add_member("Liu Wei", role="leader", language="en")
    await leader.send("/problems")
    await leader.tap_label("Assign")
    await leader.send("Nobody Known")
    assert leader.last_text.startswith("Nobody at your school is called “Nobody Known”.")
    assert "Liu Wei" in labels(leader)
    await leader.send("/cancel")
    assert leader.last_text == "Stopped. Nothing was changed."
    await leader.send("/problems")
    await leader.tap_label("Close")
    await leader.send("x" * 1001)
    assert leader.last_text == "The result can be at most 1000 characters; yours has 1001. Please shorten it."
    await leader.send("Broadband installed")
    assert leader.last_text == "✅ Closed. The result is on the problem list."
    assert (await stored(chat))[0].result == "Broadband installed"


async def test_another_command_mid_step_says_what_is_open_and_the_step_goes_on(chat, leader, li, raised):
    await leader.send("/problems")
    await leader.tap_label("销号办结")
    await leader.send("/mine")
    assert leader.last_text == "你正在为一个问题销号办结。请输入处理结果，或发送 /cancel 取消。"
    await leader.send("已协调社区安装宽带")
    assert "已销号办结" in leader.last_text
    assert (await stored(chat))[0].result == "已协调社区安装宽带"
    await leader.send("/problems")
    assert leader.last_text == "没有待解决的问题。🎉"


async def test_members_cannot_give_or_close_problems_that_are_not_theirs(chat, wang, li, raised):
    await wang.send("/problems")
    assert wang.last_text == "目前没有交给你办理的问题。"
    for data in (f"prb:assign:{raised}", f"prb:close:{raised}"):
        await wang.deliver(Tap(data))
        assert wang.last_text == "只有学校领导和负责这个问题的老师可以这样做。"
    await li.deliver(Tap(f"prb:close:{raised}"))
    assert li.last_text == "Only leaders and the member it is assigned to can do that."
    assert (await stored(chat))[0].status == "open"


async def test_in_a_group_problems_are_never_shown(chat, leader, raised):
    group = chat.in_group(leader, GROUP)
    [reply] = (await group.send("/problems")).replies
    assert "私聊" in reply.text and not reply.choices
    outcome = await group.deliver(Tap(f"prb:assign:{raised}"))
    assert outcome.replies == []
    assert all(NETWORK not in r.text and "王小明" not in r.text for r in group.replies)
