"""/report for a district through the chat core, in Chinese and English: the bureau's leaders (and a group linked to
the bureau) see the district's schools ranked and any school of it; a school's own people see only their school;
another district's schools are never found; forged buttons are refused; no student name, note or problem text."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.chat.engine_builder import build_engine
from bot.chat.events import Tap
from bot.chat.replies import Reply
from bot.people.districts import create_district, create_district_school
from storage.models import School
from tests.support.accounts import member_with_account
from tests.support.chat import PLATFORM
from tests.support.outbound import RecordingOutbound
from tests.support.stored import add_entry, link, member_id

BUREAU_GROUP = "-100777"
SCHOOL_GROUP = "-100888"
STUDENTS = ("王小明", "李秘密")
NOTES = ("孩子最近情绪低落",)
PRIVATE_WORDS = (*STUDENTS, *NOTES)
PNG = b"\x89PNG"


@pytest.fixture
async def county(chat):
    return await make_county(chat)


async def make_county(chat):
    """华容县 (seed-003): its bureau (刘局长 a leader, Xiao Li staff writing English), 城关中学 (陈校长, 王芳) and
    东山中学 (张伟, writing English); 苍南县 with 灵溪一小 next door. Groups linked to the bureau and to 城关中学."""
    db, now = chat.db, chat.clock.now()
    huarong = await create_district(db, "华容县教育局", timezone="Asia/Shanghai", language="zh", policy="seed-003",
                                    now=now)
    chengguan = await create_district_school(db, "城关中学", huarong.district_id, zone="城关学区", timezone=None,
                                             language=None, policy=None, now=now)
    dongshan = await create_district_school(db, "东山中学", huarong.district_id, zone="东山学区", timezone=None,
                                            language=None, policy=None, now=now)
    cangnan = await create_district(db, "苍南县教育局", timezone="Asia/Shanghai", language="zh", policy="seed-004",
                                    now=now)
    lingxi = await create_district_school(db, "灵溪一小", cangnan.district_id, zone="灵溪学区", timezone=None,
                                          language=None, policy=None, now=now)

    async def person(school_id: int, name: str, role: str, language: str):
        driver = chat.person(display_name=name)
        await member_with_account(db, school_id, name, PLATFORM, driver.user_id, now, role=role, language=language)
        return driver

    people = {
        "director": await person(huarong.bureau_school_id, "刘局长", "leader", "zh"),
        "clerk": await person(huarong.bureau_school_id, "Xiao Li", "staff", "en"),
        "principal": await person(chengguan.school_id, "陈校长", "leader", "zh"),
        "wang": await person(chengguan.school_id, "王芳", "teacher", "zh"),
        "zhang": await person(dongshan.school_id, "张伟", "teacher", "en"),
        "neighbour": await person(cangnan.bureau_school_id, "黄局长", "leader", "zh"),
    }
    wang = await member_id(db, people["wang"])
    await add_entry(db, chengguan.school_id, wang, "pairing_help", dt.date(2026, 11, 16), "王小明", "孩子最近情绪低落")
    zhang = await member_id(db, people["zhang"])
    await add_entry(db, dongshan.school_id, zhang, "home_visit", dt.date(2026, 11, 17), "李秘密")
    await link(db, people["director"], BUREAU_GROUP, now=now)
    await link(db, people["principal"], SCHOOL_GROUP, now=now)
    return {**people, "ids": {"bureau": huarong.bureau_school_id, "chengguan": chengguan.school_id,
                              "dongshan": dongshan.school_id, "lingxi": lingxi.school_id}}


def assert_nothing_private(replies: list[Reply]) -> None:
    assert replies, "nothing was said"
    for reply in replies:
        seen = [reply.text, *(c.label for c in reply.all_choices), *(a.name for a in reply.attachments)]
        for word in PRIVATE_WORDS:
            assert not any(word in part for part in seen), f"{word!r} was shown: {seen}"


def images(reply: Reply) -> list[bytes]:
    return [a.data for a in reply.attachments if a.kind == "image"]


async def test_a_bureau_leader_gets_the_district_ranked_with_a_chart_and_buttons(chat, county):
    director = county["director"]
    [reply] = (await director.send("/report district")).replies
    lines = reply.text.splitlines()
    assert lines[0] == "🏛 华容县教育局 · 本周"
    assert "学校按任务完成度排名：" in lines and "最落后的学校：" in lines
    ranked = lines[lines.index("学校按任务完成度排名：") + 1:][:2]
    assert ranked == ["1. 城关中学 — 100% · 2 名成员，2 名已加入 · 结对帮扶 1",
                      "2. 东山中学 — 0% · 1 名成员，1 名已加入 · 家访 1"]
    assert lines[lines.index("最落后的学校：") + 1:][:2] == ["东山中学 — 0%", ""]
    assert "区域（学区）按任务完成度排名：" in lines and "1. 城关学区 — 100% · 1 所学校 · 2 名成员" in lines
    assert len(images(reply)) == 1 and images(reply)[0].startswith(PNG)
    assert [choice.label for choice in reply.all_choices] == ["东山中学"]  # a button for each school behind
    for words in ("/report 全县", "/report 全区 本学期"):
        [reply] = (await director.send(words)).replies
        assert reply.text.startswith("🏛 华容县教育局 · ")
    assert "2026年秋季学期" in reply.text
    assert_nothing_private(director.replies)


async def test_one_zone_of_the_district_and_an_unknown_zone(chat, county):
    director = county["director"]
    await director.send("/report district 城关学区 本月")
    assert director.last_text.startswith("🏛 华容县教育局 · 城关学区 · 本月")
    assert "东山中学" not in director.last_text
    await director.send("/report district 灵溪学区")
    assert director.last_text == "你们县（区）没有学校属于“灵溪学区”。学区有：东山学区、城关学区"


async def test_a_part_of_a_name_that_fits_several_schools_lists_them_in_the_askers_language(chat, county):
    async with chat.db.transaction() as session:
        district_id = (await session.get(School, county["ids"]["chengguan"])).district_id
    await create_district_school(chat.db, "城关小学", district_id, zone=None, timezone=None, language=None,
                                 policy=None, now=chat.clock.now())
    await county["director"].send("/report school 城关")
    assert county["director"].last_text == "“城关”对应多所学校：城关中学、城关小学。请写出更完整的校名。"


async def test_a_school_named_by_part_of_its_name_is_exactly_what_its_own_group_gets(chat, county):
    director, wang = county["director"], county["wang"]
    [own] = (await chat.in_group(wang, SCHOOL_GROUP).send("/report 本学期")).replies
    [seen] = (await director.send("/report school 城关 本学期")).replies
    assert seen.text == own.text and seen.text.startswith("📊 城关中学 · 2026年秋季学期")
    assert len(images(seen)) == len(images(own)) == 2
    assert_nothing_private([seen, own])


async def test_the_bureau_group_gets_the_district_and_its_schools_in_the_askers_language(chat, county):
    group = chat.in_group(county["clerk"], BUREAU_GROUP)
    await group.send("/report district term")
    assert group.last_text.startswith("🏛 华容县教育局 · Autumn term 2026")
    assert "Schools ranked by share of quotas met:" in group.last_text
    await group.send("/report school 东山")
    assert group.last_text.startswith("📊 东山中学 · This week")
    assert_nothing_private(group.replies)


async def test_a_button_under_the_district_report_opens_that_schools_overview(chat, county):
    director = county["director"]
    await director.send("/report district 本学期")
    await director.tap_label("东山中学")
    assert director.last_text.startswith("📊 东山中学 · 2026年秋季学期")
    assert_nothing_private(director.replies)


async def test_another_districts_school_is_never_found(chat, county):
    director = county["director"]
    await director.send("/report school 灵溪一小")
    assert director.last_text == "你们县（区）没有叫“灵溪一小”的学校。"
    group = chat.in_group(county["clerk"], BUREAU_GROUP)
    await group.send("/report school 灵溪")
    assert group.last_text == "No school of your district is called “灵溪”."


async def test_a_schools_own_people_see_only_their_school(chat, county):
    principal = county["principal"]
    await principal.send("/report district")
    assert principal.last_text == "只有教育局领导才能查看全县（区）的报表。"
    await principal.send("/report school 东山中学")
    assert principal.last_text == "你只能查看本校的报表。"
    await principal.send("/report school 城关中学")
    assert principal.last_text.startswith("📊 城关中学 · 本周")
    school_group = chat.in_group(county["wang"], SCHOOL_GROUP)
    await school_group.send("/report 全县")
    assert school_group.last_text == "只有教育局领导才能查看全县（区）的报表。"
    await school_group.send("/report school 城关 上周")
    assert school_group.last_text.startswith("📊 城关中学 · 上周")
    zhang = county["zhang"]
    await zhang.send("/report school 城关")
    assert zhang.last_text == "You can see your own school's report only."


async def test_the_bureaus_staff_who_are_not_leaders_are_refused_in_private(chat, county):
    clerk = county["clerk"]
    await clerk.send("/report district")
    assert clerk.last_text == "Only the bureau's leaders can see the district's report."
    await clerk.send("/report school 东山")
    assert clerk.last_text == "Only the bureau's leaders can see the district's report."


async def test_forged_buttons_for_a_school_outside_the_district_or_by_someone_else_are_refused(chat, county):
    ids = county["ids"]
    director, principal, neighbour = county["director"], county["principal"], county["neighbour"]
    await director.deliver(Tap(f"rep:school:{ids['lingxi']}:term:this"))
    assert director.last_text == "这所学校不在你们县（区）。"
    await neighbour.deliver(Tap(f"rep:school:{ids['chengguan']}:week:this"))
    assert neighbour.last_text == "这所学校不在你们县（区）。"
    await principal.deliver(Tap(f"rep:school:{ids['dongshan']}:week:this"))
    assert principal.last_text == "只有教育局领导才能查看全县（区）的报表。"
    school_group = chat.in_group(county["wang"], SCHOOL_GROUP)
    await school_group.deliver(Tap(f"rep:school:{ids['dongshan']}:week:this"))
    assert school_group.last_text == "只有教育局领导才能查看全县（区）的报表。"
    bureau_group = chat.in_group(county["clerk"], BUREAU_GROUP)
    await bureau_group.deliver(Tap(f"rep:school:{ids['lingxi']}:week:this"))
    assert bureau_group.last_text == "That school is not in your district."
    for driver in (director, neighbour, principal, school_group, bureau_group):
        assert not any(reply.text.startswith("📊") for reply in driver.replies)


async def test_a_district_report_with_nothing_stored_is_announced_and_sent_when_ready(chat, monkeypatch):
    """Where the platform can send later (an outbound), a cold report does not keep the chat waiting."""
    monkeypatch.setattr("bot.chat.flows.reports_to_follow.ANSWER_SECONDS", 0)  # as a county's takes seconds
    outbound = RecordingOutbound()
    chat.engine = build_engine(chat.core, outbound=outbound)
    county = await make_county(chat)
    director = county["director"]
    await director.send("/report district 本学期")
    assert director.last_text == "正在根据记录准备全县（区）的报表，稍后发来。"
    for _ in range(600):
        if outbound.sent:
            break
        await asyncio.sleep(0.05)
    [(address, reply)] = outbound.sent
    assert address.chat_id == director.user_id
    assert reply.text.startswith("🏛 华容县教育局 · 2026年秋季学期") and images(reply)
    assert [choice.label for choice in reply.all_choices] == ["东山中学"]
    await director.send("/report district 本学期")  # stored now: answered at once
    assert director.last_text.startswith("🏛 华容县教育局 · 2026年秋季学期")
    assert len(outbound.sent) == 1
