"""A school's /report with nothing stored for its window does not keep the chat waiting: where the platform can
send later, the chat is told at once that the report follows, and it is sent when ready — computed once however
many ask meanwhile (a report ready within a moment is the answer itself). After a policy change the running bot's
warmer recomputes the windows, and reports are read from what it stored."""

from __future__ import annotations

import asyncio

import pytest

from bot.chat.engine_builder import build_engine
from bot.chat.flows import reports_to_follow, school_overview
from bot.cli import policy as policy_cli
from bot.reporting.warm import ReportWarmer
from tests.support.outbound import RecordingOutbound
from tests.support.stored import add_entry, link, member_id

GROUP = "-100555"
FOLLOWS = "正在根据记录准备本校的报表，稍后发来。"
#: What a report's scan of the entries selects: absent when it reads stored summaries.
ENTRY_SCAN = "AS participations"


@pytest.fixture
async def school(chat, monkeypatch):
    """合川中学 (seed-000) with a leader and a teacher who logged a visit, a linked group, and an engine whose
    platform can send later; a report not ready at once follows (a large school's, where it takes seconds)."""
    monkeypatch.setattr(reports_to_follow, "ANSWER_SECONDS", 0)
    outbound = RecordingOutbound()
    chat.engine = build_engine(chat.core, outbound=outbound)
    await chat.create_school(policy="seed-000")
    leader = await chat.add_member("陈校长", role="leader")
    teacher = await chat.add_member("王芳")
    await add_entry(chat.db, chat.school.school_id, await member_id(chat.db, teacher), "home_visit",
                    chat.clock.now().date(), student="王小明")
    await link(chat.db, leader, GROUP)
    return {"outbound": outbound, "leader": leader, "teacher": teacher,
            "group": chat.in_group(leader, GROUP), "teacher_in_group": chat.in_group(teacher, GROUP)}


async def sent(outbound: RecordingOutbound, count: int = 1) -> None:
    for _ in range(600):
        if len(outbound.sent) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(outbound.sent)} of {count} reports sent")


async def test_a_cold_group_report_is_announced_at_once_and_sent_when_ready(chat, school):
    group, outbound = school["group"], school["outbound"]
    await group.send("/report term")
    assert group.last_text == FOLLOWS
    await sent(outbound)
    [reply] = outbound.to(GROUP)
    assert reply.text.startswith("📊 合川中学 · 2026年秋季学期")
    assert "王小明" not in reply.text  # what a group may see, as when answered at once
    assert [a.kind for a in reply.attachments] and {a.kind for a in reply.attachments} == {"image"}
    await group.send("/report term")  # stored now: answered in the step
    assert group.last_text.startswith("📊 合川中学 · 2026年秋季学期")
    assert len(outbound.sent) == 1


async def test_a_cold_report_ready_within_a_moment_is_the_answer_itself(chat, school, monkeypatch):
    monkeypatch.setattr(reports_to_follow, "ANSWER_SECONDS", 30)  # a small school's takes milliseconds
    await school["group"].send("/report term")
    assert school["group"].last_text.startswith("📊 合川中学 · 2026年秋季学期")
    assert school["outbound"].sent == []


async def test_a_second_ask_while_the_report_is_computed_joins_that_computation(chat, school, monkeypatch):
    computing, release, computed = asyncio.Event(), asyncio.Event(), []
    real = school_overview.school_report

    async def held_school_report(db, school_id, window, **options):
        computed.append(window.kind)
        computing.set()
        await release.wait()
        return await real(db, school_id, window, **options)

    monkeypatch.setattr(school_overview, "school_report", held_school_report)
    group, teacher_in_group, leader = school["group"], school["teacher_in_group"], school["leader"]
    await group.send("/report term")
    await computing.wait()
    await teacher_in_group.send("/report term")  # the same group, the same report: sent there once
    await leader.send("/report school term")  # a private chat: its own reply of the same computation
    assert (teacher_in_group.last_text, leader.last_text) == (FOLLOWS, FOLLOWS)
    release.set()
    await sent(school["outbound"], 2)
    await asyncio.sleep(0.1)
    assert computed == ["term"]
    assert [address.chat_id for address, _ in school["outbound"].sent] in ([GROUP, leader.user_id],
                                                                          [leader.user_id, GROUP])
    [private] = school["outbound"].to(leader.user_id)
    assert private.text.startswith("📊 合川中学 · 2026年秋季学期")


async def test_a_report_that_fails_to_compute_is_followed_by_an_apology_not_silence(chat, school, monkeypatch):
    async def broken(*_args, **_options):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(school_overview, "school_report", broken)
    await school["group"].send("/report month")
    assert school["group"].last_text == FOLLOWS
    await sent(school["outbound"])
    [reply] = school["outbound"].to(GROUP)
    assert reply.text == "抱歉，报表没能准备好，请稍后再试。"


async def test_after_policy_set_the_warmer_recomputes_and_the_report_reads_what_it_stored(chat, school):
    db, group, now = chat.db, school["group"], chat.clock.now()
    warmer = ReportWarmer(db)
    assert await warmer.warm(now) == 10  # the linked school's this and last of five kinds of period
    await policy_cli._set_school_policy(db, chat.school.school_id, "seed-002")  # what `policy set --school` does
    assert len(await warmer.stale(now)) == 10  # stored for the old policy: every window is cold again
    assert await warmer.warm(now) == 10  # the scheduler's job, one window after the other
    assert await warmer.stale(now) == []
    with db.recording_statements() as statements:
        await group.send("/report term")
    assert group.last_text.startswith("📊 合川中学 · 2026年秋季学期")
    assert not [s for s in statements if ENTRY_SCAN in s or "INSERT INTO report_summaries" in s]
    assert school["outbound"].sent == []


async def test_a_computation_that_fails_once_is_tried_again_and_the_report_still_follows(chat, school, monkeypatch):
    real, calls = school_overview.school_report, []

    async def conflicting_once(db, school_id, window, **options):
        calls.append(window.kind)
        if len(calls) == 1:
            raise RuntimeError("could not serialize access: the warmer stores the same window")
        return await real(db, school_id, window, **options)

    monkeypatch.setattr(school_overview, "school_report", conflicting_once)
    await school["group"].send("/report month")
    await sent(school["outbound"])
    [reply] = school["outbound"].to(GROUP)
    assert reply.text.startswith("📊 合川中学 · 本月") and calls == ["month", "month"]
