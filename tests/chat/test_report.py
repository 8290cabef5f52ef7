"""/report through the chat core, in Chinese and English: a linked group sees counts and rankings with charts,
and never a student's name, a note or a problem; a private chat gets the details."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest

from bot.chat.events import Command
from bot.chat.replies import Reply
from bot.people.groups import LinkOptions
from bot.people.students import student_key
from storage.models import Pairing
from tests.support.stored import add_entry, add_problem, link, member_id

GROUP = "-100123"
STUDENTS = ("王小明", "Zhao Liuliu", "孙秘密", "钱多多")
NOTES = ("孩子最近情绪低落", "Father works away from home", "奶奶身体不好")
PROBLEM = "家里没有书桌"
PRIVATE_WORDS = (*STUDENTS, *NOTES, PROBLEM)
PNG = b"\x89PNG"


@pytest.fixture
async def people(chat):
    """A leader and a head teacher who write Chinese, a teacher who writes English; the group linked."""
    leader = await chat.add_member("陈校长", role="leader", language="zh")
    wang = await chat.add_member("王芳", role="head_teacher", language="zh")
    li = await chat.add_member("Li Lei", role="teacher", language="en")
    await link(chat.db, leader, GROUP, now=chat.clock.now())
    return {"leader": leader, "wang": wang, "li": li}


@pytest.fixture
async def logged(chat, people):
    """This week 王芳 made 2 home visits (one with 李磊 along, where a problem was raised) and 2 tutoring
    sessions, 李磊 1 tutoring session; last week 李磊 called twice. 李磊 is paired with 孙秘密 and 钱多多."""
    db, school = chat.db, chat.school.school_id
    wang, li = await member_id(db, people["wang"]), await member_id(db, people["li"])
    visit = await add_entry(db, school, wang, "home_visit", dt.date(2026, 11, 16), "王小明", "孩子最近情绪低落",
                            covisitor=li)
    await add_entry(db, school, wang, "home_visit", dt.date(2026, 11, 17), "Zhao Liuliu",
                    "Father works away from home")
    await add_entry(db, school, wang, "tutoring", dt.date(2026, 11, 16), "王小明")
    await add_entry(db, school, wang, "tutoring", dt.date(2026, 11, 18), "Zhao Liuliu")
    await add_entry(db, school, li, "tutoring", dt.date(2026, 11, 17), "钱多多", "奶奶身体不好")
    await add_entry(db, school, li, "phone_call", dt.date(2026, 11, 10), "钱多多")
    await add_entry(db, school, li, "phone_call", dt.date(2026, 11, 11), "钱多多")
    async with db.transaction() as session:
        session.add_all([Pairing(school_id=school, member_id=li, student_name=name, student_key=student_key(name))
                         for name in ("孙秘密", "钱多多")])
    await add_problem(db, school, visit, wang, PROBLEM, "王小明")


def assert_nothing_private(replies: list[Reply]) -> None:
    """No student's name, note or problem in the texts, choices, attachment names or captions."""
    assert replies, "nothing was said"
    for reply in replies:
        seen = [reply.text, *(c.label for c in reply.all_choices),
                *(f"{a.name} {a.caption}" for a in reply.attachments)]
        for word in PRIVATE_WORDS:
            assert not any(word in part for part in seen), f"{word!r} reached the group: {seen}"


def images(reply: Reply) -> list[bytes]:
    return [a.data for a in reply.attachments if a.kind == "image"]


# --- in a linked group ----------------------------------------------------------------------

async def test_a_linked_group_gets_the_ranking_totals_and_two_charts_in_chinese(chat, people, logged):
    group = chat.in_group(people["wang"], GROUP)
    [reply] = (await group.send("/report")).replies
    assert "📊 合川中学 · 本周" in reply.text and "11月16日 – 11月22日" in reply.text
    assert "合计：家访 2 · 作业辅导 3\n" in reply.text
    ranking = reply.text.split("按任务完成度排名：")[1].strip().splitlines()
    assert ranking[:3] == ["1. 王芳 — 80% · 家访 2 · 作业辅导 2", "2. Li Lei — 67% · 家访 1 · 作业辅导 1",
                           "3. 陈校长 — 0%"]
    assert len(images(reply)) == 2 and all(png.startswith(PNG) for png in images(reply))
    assert_nothing_private(group.replies)


async def test_a_linked_group_gets_the_report_in_the_askers_english(chat, people, logged):
    group = chat.in_group(people["li"], GROUP)
    await group.send("/report last week")
    assert "📊 合川中学 · Last week" in group.last_text and "9 Nov – 15 Nov" in group.last_text
    assert "Totals: Phone call 2\n" in group.last_text
    await group.send("/report visit")
    assert "📊 合川中学 · This week · Home visit" in group.last_text and "1. 王芳 — 2" in group.last_text
    assert_nothing_private(group.replies)


async def test_a_member_named_by_a_tapped_mention_shows_counts_but_no_student(chat, people, logged):
    group = chat.in_group(people["leader"], GROUP)
    mention = dataclasses.replace(group.event(Command("report", "@LL")), mentions=(people["li"].user_id,))
    [reply] = (await chat.engine.handle(mention)).replies
    assert "📊 Li Lei · 本周" in reply.text and "记录：家访 1 · 作业辅导 1" in reply.text
    assert "还在等" not in reply.text and images(reply)
    assert_nothing_private([reply])


async def test_a_member_named_in_english_in_a_group_and_one_who_is_not_found(chat, people, logged):
    group = chat.in_group(people["li"], GROUP)
    await group.send("/report 王")
    assert "📊 王芳 · This week" in group.last_text
    await group.send("/report @nobody")
    assert "I found no member of your school called “@nobody”" in group.last_text
    assert_nothing_private(group.replies)


async def test_an_unlinked_group_and_a_stranger_get_a_refusal_that_names_no_school(chat, people, logged):
    unlinked = chat.in_group(people["wang"], "-100999")
    await unlinked.send("/report")
    assert "没有关联学校" in unlinked.last_text and "/link" in unlinked.last_text
    stranger = chat.in_group(chat.person(language_code="en"), GROUP)
    await stranger.send("/report @Li Lei")
    assert "only members of the school this group is linked to" in stranger.last_text
    assert "合川中学" not in stranger.last_text and "Li Lei ·" not in stranger.last_text
    assert_nothing_private(unlinked.replies + stranger.replies)


async def test_a_group_linked_for_totals_gets_the_trend_only_and_no_member_report(chat, people, logged):
    await link(chat.db, people["leader"], GROUP, LinkOptions(totals_only=True), now=chat.clock.now())
    group = chat.in_group(people["wang"], GROUP)
    [reply] = (await group.send("/report")).replies
    assert "合计" in reply.text and "王芳 —" not in reply.text and len(images(reply)) == 1
    await group.send("/report @Li Lei")
    assert "只显示全校合计" in group.last_text and "Li Lei ·" not in group.last_text
    await link(chat.db, people["leader"], GROUP, LinkOptions(top_n=1), now=chat.clock.now())
    await group.send("/report")
    assert "1. 王芳" in group.last_text and "2. " not in group.last_text and "还有 2 人" in group.last_text
    assert_nothing_private(group.replies)


# --- in a private chat ----------------------------------------------------------------------

async def test_my_own_report_lists_my_entries_with_students_and_notes(chat, people, logged):
    li = people["li"]
    [reply] = (await li.send("/report")).replies
    assert "📊 Li Lei · This week" in reply.text and "Entries in this period (2):" in reply.text
    assert "奶奶身体不好" in reply.text and "王小明" in reply.text and "(co-visit)" in reply.text
    assert images(reply)
    await li.send("/report month")
    assert "A call a month to each paired student: 1 of 2" in li.last_text and "Still waiting: 孙秘密" in li.last_text


async def test_a_leader_sees_a_colleague_in_detail_and_a_teacher_only_themselves(chat, people, logged):
    await people["leader"].send("/report @王芳")
    assert "📊 王芳 · 本周" in people["leader"].last_text and "孩子最近情绪低落" in people["leader"].last_text
    await people["li"].send("/report @王芳")
    assert "Only school leaders can see a colleague's report" in people["li"].last_text
    await people["wang"].send("/report @Li Lei")
    assert people["wang"].last_text.startswith("只有学校领导")


async def test_words_that_make_no_report_get_the_usage_and_strangers_are_told_to_join(chat, people, logged):
    await people["li"].send("/report @Li Lei visit")
    assert "one member or one activity, not both" in people["li"].last_text
    assert "/report last week" in people["li"].last_text
    await people["wang"].send("/report @王芳 家访")
    assert "/report 上周" in people["wang"].last_text and "Ask for one" not in people["wang"].last_text
    stranger = chat.person(language_code="zh")
    await stranger.send("/report")
    assert "还没有加入学校" in stranger.last_text


# --- the charts -----------------------------------------------------------------------------

async def test_charts_are_drawn_off_the_event_loop_and_a_failed_chart_leaves_the_text(chat, people, logged,
                                                                                      monkeypatch):
    drawn_in = []

    def recording_charts(*args, **kwargs):
        drawn_in.append(threading.current_thread())
        return [PNG]

    monkeypatch.setattr("bot.chat.flows.school_overview.school_charts", recording_charts)
    group = chat.in_group(people["wang"], GROUP)
    [reply] = (await group.send("/report")).replies
    assert drawn_in and drawn_in[0] is not threading.current_thread()
    assert [a.name for a in reply.attachments] == ["report-1.png"]

    def broken_charts(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr("bot.chat.flows.school_overview.school_charts", broken_charts)
    [reply] = (await group.send("/report")).replies
    assert "📊 合川中学 · 本周" in reply.text and reply.attachments == ()
