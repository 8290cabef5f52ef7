"""Stored report summaries always equal a full recomputation, whatever was written, changed or read before."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from bot.database import app_database
from bot.logbook import entries
from bot.logbook.drafts import EntryDraft
from bot.people.membership import profile_of
from bot.people.pairings import PairingError, add_pairing, remove_pairing
from bot.people.schools import create_school, policy_of, set_counts_from, set_policy
from bot.platform_names import TELEGRAM
from bot.reporting import reports
from bot.reporting.reports import report_window, school_report
from bot.reporting.warm import ReportWarmer
from storage import daily_counts
from storage import repository as repo
from storage.entry_imports import insert_new_entries
from storage.migrate import upgrade
from storage.models import GroupLink, Member, ReportSlot, ReportSummary, School, SummaryChange
from tests.conftest import postgres_database
from tests.support.cli import invoke

TODAY = dt.date(2026, 11, 18)
STUDENTS = ("王小明", "李四", "赵六")
ACTIVITIES = ("home_visit", "phone_call", "pairing_help", "live_in_day", "tutoring", "letter")
WINDOWS = (("week", False), ("week", True), ("month", False), ("quarter", False), ("term", False),
           ("year", False))
ROLES = ("teacher", "head_teacher", "leader")


async def school_of_three(db, clock) -> tuple[int, list[int]]:
    school = (await create_school(db, "合川中学", policy="seed-000", now=clock.now())).school_id
    async with db.transaction() as session:
        members = [Member(school_id=school, role=role, display_name=name, joined_on=dt.date(2026, 9, 1))
                   for name, role in (("王芳", "teacher"), ("李磊", "head_teacher"), ("陈校长", "leader"))]
        session.add_all(members)
    return school, [m.id for m in members]


async def profile(db, member_id: int):
    async with db.transaction() as session:
        member = await session.get(Member, member_id)
        return profile_of(member, await session.get(School, member.school_id))


async def reference(db, school_id: int, window) -> tuple[dict, dict, dict]:
    """What a scan of the entries gives, with nothing stored: shares and counts per active member, totals."""
    async with db.transaction() as session:
        school = await session.get(School, school_id)
        members = [m for m in await repo.all_school_members(session, school_id) if m.active]
        counted = await reports._count(session, school_id, policy_of(school), window, members, None,
                                       {school_id: school.counts_from})
    # The school's report names no student: the paired students still waiting are a member's own report's.
    return ({m.id: [replace(share, students_missing=()) for share in counted.shares[m.id]] for m in members},
            {m.id: counted.counts[m.id] for m in members}, counted.totals)


async def from_summaries(db, school_id: int, window) -> tuple[dict, dict, dict]:
    report = await school_report(db, school_id, window)
    return ({m.member_id: list(m.quotas) for m in report.members},
            {m.member_id: dict(m.counts) for m in report.members}, dict(report.totals))


async def windows_of(db, school_id: int, today: dt.date):
    async with db.transaction() as session:
        policy = policy_of(await session.get(School, school_id))
    return [report_window(kind, previous, today, policy) for kind, previous in WINDOWS]


WRITE = st.one_of(
    st.tuples(st.just("log"), st.integers(0, 2), st.integers(0, 100), st.sampled_from(ACTIVITIES),
              st.sampled_from(STUDENTS), st.booleans()),
    st.tuples(st.just("undo"), st.integers(0, 2), st.integers(0, 5)),
    st.tuples(st.just("import"), st.integers(0, 2), st.integers(0, 100), st.sampled_from(ACTIVITIES),
              st.integers(0, 3)),
    st.tuples(st.just("pair"), st.integers(0, 2), st.sampled_from(STUDENTS)),
    st.tuples(st.just("unpair"), st.integers(0, 2), st.sampled_from(STUDENTS)),
    st.tuples(st.just("role"), st.integers(0, 2), st.sampled_from(ROLES)),
    st.tuples(st.just("joined"), st.integers(0, 2), st.integers(0, 80)),
    st.tuples(st.just("leave"), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("counts_from"), st.sampled_from([None, 30, 60])),
    st.tuples(st.just("policy"), st.sampled_from(["seed-000", "default"])),
    st.tuples(st.just("newcomer"), st.sampled_from(ROLES)),
    st.tuples(st.just("read"), st.sampled_from(range(len(WINDOWS)))),
    st.tuples(st.just("tomorrow")),
)

NAMES = ("王芳", "李磊", "陈校长")


async def apply(db, clock, school_id: int, members: list[int], write: tuple, today: dt.date) -> dt.date:
    """Make one write (or read) as the bot's services do; the day it leaves the school at."""
    kind, *args = write
    now = dt.datetime.combine(today, dt.time(10), tzinfo=dt.UTC)
    if kind == "log":
        who, days_ago, activity, student, with_colleague = args
        colleague = members[(who + 1) % 3] if with_colleague else None
        draft = EntryDraft(activity=activity, student=student, day=today - dt.timedelta(days=days_ago),
                           duration_minutes=20, covisitor_member_id=colleague)
        try:
            await entries.save_entry(db, await profile(db, members[who]), draft, source="test", now=now)
        except entries.EntryRefused:
            pass  # the policy now in force has no such activity
    elif kind == "undo":
        who, number = args
        mine = await profile(db, members[who])
        recent = await entries.history(db, mine, limit=6)
        if recent:
            await entries.undo_entry(db, mine, recent[number % len(recent)].id, now)
    elif kind == "import":
        who, days_ago, activity, token = args
        row = {"school_id": school_id, "member_id": members[who], "activity_code": activity,
               "occurred_on": today - dt.timedelta(days=days_ago), "student_name": "李四", "student_key": "李四",
               "duration_minutes": 10, "covisitor_member_id": members[(who + 2) % 3] if token == 0 else None,
               "source": "import", "client_token": f"import-{who}-{days_ago}-{activity}-{token}", "logged_at": now}
        async with db.transaction() as session:
            await insert_new_entries(session, [row])
    elif kind in ("pair", "unpair"):
        try:
            await (add_pairing if kind == "pair" else remove_pairing)(db, school_id, NAMES[args[0]], args[1])
        except PairingError:
            pass  # not paired, or the member has left
    elif kind in ("role", "joined", "leave"):
        who, value = args
        async with db.transaction() as session:
            member = await session.get(Member, members[who])
            if kind == "role":
                member.role = value
            elif kind == "joined":
                member.joined_on = dt.date(2026, 9, 1) + dt.timedelta(days=value)
            else:
                member.active = value
    elif kind == "counts_from":
        await set_counts_from(db, school_id, None if args[0] is None else dt.date(2026, 9, 1)
                              + dt.timedelta(days=args[0]))
    elif kind == "policy":
        await set_policy(db, school_id, args[0])
    elif kind == "newcomer":
        async with db.transaction() as session:
            session.add(Member(school_id=school_id, role=args[0], display_name="新老师", joined_on=today))
    elif kind == "read":
        kind_, previous = WINDOWS[args[0]]
        async with db.transaction() as session:
            policy = policy_of(await session.get(School, school_id))
        await school_report(db, school_id, report_window(kind_, previous, today, policy))
    elif kind == "tomorrow":
        return today + dt.timedelta(days=1)
    return today


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(WRITE, min_size=1, max_size=8))
async def test_after_any_writes_every_report_from_the_summaries_equals_a_full_recomputation(db, clock, writes):
    school_id, members = await school_of_three(db, clock)
    today = TODAY
    for window in await windows_of(db, school_id, today):
        await school_report(db, school_id, window)  # every slot stored before the writes
    for write in writes:
        today = await apply(db, clock, school_id, members, write, today)
        for window in await windows_of(db, school_id, today):
            assert await from_summaries(db, school_id, window) == await reference(db, school_id, window), \
                (write, window.kind, window.previous, writes)


async def test_an_unchanged_report_is_read_without_scanning_the_entries(db, clock):
    school_id, members = await school_of_three(db, clock)
    await entries.save_entry(db, await profile(db, members[0]),
                             EntryDraft(activity="home_visit", student="王小明", day=TODAY, duration_minutes=20),
                             source="test", now=clock.now())
    term = (await windows_of(db, school_id, TODAY))[4]
    first = await school_report(db, school_id, term)
    with db.recording_statements() as statements:
        again = await school_report(db, school_id, term)
    assert again.members == first.members and again.totals == {**first.totals} and first.totals["home_visit"] == 1
    assert not [s for s in statements if "AS participations" in s]
    assert not [s for s in statements if "FROM report_summaries" in s]  # kept decoded from the first report


@pytest.fixture
async def another_process(db, request):
    """A second engine on the same database: what another teachlog process (the worker, say) sees."""
    other = app_database(db.url) if db.dialect == "sqlite" \
        else postgres_database(request.getfixturevalue("postgres_schema"))
    yield other
    await other.dispose()


async def test_rows_kept_by_one_process_give_way_to_what_another_process_wrote_and_stored(db, another_process,
                                                                                         clock):
    school_id, members = await school_of_three(db, clock)
    term = (await windows_of(db, school_id, TODAY))[4]
    await school_report(db, school_id, term)  # this process keeps the slot's rows
    await entries.save_entry(another_process, await profile(another_process, members[1]),
                             EntryDraft(activity="home_visit", student="王小明", day=TODAY, duration_minutes=20),
                             source="test", now=clock.now())
    await school_report(another_process, school_id, term)  # the other one stores the change and moves the slot on
    with db.recording_statements() as statements:
        report = await school_report(db, school_id, term)
    assert {m.member_id: m.counts.get("home_visit", 0) for m in report.members} == {
        members[0]: 0, members[1]: 1, members[2]: 0}
    assert [s for s in statements if "FROM report_summaries" in s]  # read again: the kept rows were behind
    assert not [s for s in statements if "AS participations" in s]  # but not computed again


async def test_after_one_entry_only_its_member_is_computed_again(db, clock):
    school_id, members = await school_of_three(db, clock)
    term = (await windows_of(db, school_id, TODAY))[4]
    await school_report(db, school_id, term)
    await entries.save_entry(db, await profile(db, members[1]),
                             EntryDraft(activity="home_visit", student="王小明", day=TODAY, duration_minutes=20,
                                        covisitor_member_id=members[2]),
                             source="test", now=clock.now())
    with db.recording_statements() as statements:
        report = await school_report(db, school_id, term)
    scans = [s for s in statements if "AS participations" in s]
    two_members = re.compile(r"member_id IN \((\?|\$\d+::INTEGER), (\?|\$\d+::INTEGER)\)")
    assert scans and all(two_members.search(s) for s in scans)
    assert {m.member_id: m.counts.get("home_visit", 0) for m in report.members} == {
        members[0]: 0, members[1]: 1, members[2]: 1}
    assert report.totals["home_visit"] == 1


async def test_the_next_day_and_a_new_policy_each_compute_the_window_again(db, clock):
    school_id, members = await school_of_three(db, clock)
    await entries.save_entry(db, await profile(db, members[0]),
                             EntryDraft(activity="tutoring", student="王小明", day=TODAY, duration_minutes=20),
                             source="test", now=clock.now())
    today_week = (await windows_of(db, school_id, TODAY))[0]
    tomorrow_week = (await windows_of(db, school_id, TODAY + dt.timedelta(days=1)))[0]
    shares_today = (await school_report(db, school_id, today_week)).members[0].quotas
    assert shares_today == (await school_report(db, school_id, tomorrow_week)).members[0].quotas
    assert await from_summaries(db, school_id, tomorrow_week) == await reference(db, school_id, tomorrow_week)
    await set_policy(db, school_id, "default")
    default_week = (await windows_of(db, school_id, TODAY))[0]
    report = await school_report(db, school_id, default_week)
    assert {q.rule_id for q in report.members[0].quotas} == {"everyone-home-visit-monthly", "paired-call-monthly",
                                                            "teacher-tutoring-weekly"}


async def test_changes_every_stored_window_has_taken_in_are_pruned(db, clock):
    school_id, members = await school_of_three(db, clock)
    mine = await profile(db, members[0])
    for day in (TODAY, TODAY - dt.timedelta(days=1)):
        await entries.save_entry(db, mine, EntryDraft(activity="home_visit", student="王小明", day=day,
                                                      duration_minutes=20), source="test", now=clock.now())
    for window in await windows_of(db, school_id, TODAY):
        await school_report(db, school_id, window)
    async with db.transaction() as session:
        assert list(await session.scalars(select(SummaryChange.id))) == []
        assert len(list(await session.scalars(select(ReportSlot.slot)))) == len(WINDOWS)


def test_db_rebuild_summaries_recounts_the_daily_tables_and_stores_the_report_windows(cli_database):
    assert invoke("school", "create", "合川中学", "--policy", "seed-000").exit_code == 0

    async def write_around_the_write_path() -> None:
        db = app_database(cli_database)
        async with db.transaction() as session:
            session.add(Member(school_id=1, role="teacher", display_name="王芳", joined_on=TODAY))
            await session.execute(update(School).values(counts_from=None))
        await db.dispose()

    async def stored() -> tuple[int, int]:
        db = app_database(cli_database)
        async with db.transaction() as session:
            slots = len(list(await session.scalars(select(ReportSlot.slot))))
            rows = len(list(await session.scalars(select(ReportSummary.member_id))))
            school_days = await daily_counts.school_stored(session)
        await db.dispose()
        assert school_days == {}
        return slots, rows

    asyncio.run(write_around_the_write_path())
    result = invoke("db", "rebuild-summaries")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "daily counts rebuilt: 0 rows"
    assert "report windows stored: 10 for 1 school" in result.output
    slots, rows = asyncio.run(stored())
    assert slots == 10 and rows == 10  # 王芳, in each window


async def test_migration_0012_fills_the_schools_daily_counts(tmp_path):
    db = app_database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    await upgrade(db, "0011")
    async with db.engine.begin() as connection:  # as code of that revision wrote them: the columns it had
        await connection.execute(text(
            "INSERT INTO schools (id, name, timezone, language, policy_name, policy_text, created_at, reminder_time,"
            " quiet_start, quiet_end) VALUES (1, '合川中学', 'Asia/Shanghai', 'zh', 'default', '',"
            " '2026-09-01 00:00:00', '16:30', '21:00', '08:00')"))
        await connection.execute(text(
            "INSERT INTO members (id, school_id, role, display_name, joined_on, active, created_at, reminder_frequency)"
            " VALUES (1, 1, 'teacher', '王芳', '2026-11-18', 1, '2026-09-01 00:00:00', 'daily')"))
        await connection.execute(text(
            "INSERT INTO daily_counts (school_id, member_id, activity_code, day, entries, covisits)"
            " VALUES (1, 1, 'home_visit', '2026-11-18', 2, 1)"))
    await upgrade(db)
    async with db.transaction() as session:
        found = await daily_counts.school_stored(session)
    await db.dispose()
    assert found == {(1, TODAY, "home_visit"): 2}


async def test_the_warmer_stores_a_linked_schools_report_windows_once_and_each_day_those_gone_stale(db, clock):
    school_id, members = await school_of_three(db, clock)
    unlinked, _ = await school_of_three(db, clock)
    async with db.transaction() as session:
        session.add(GroupLink(platform=TELEGRAM, chat_id="-1001", school_id=school_id,
                              linked_by_member_id=members[2], linked_at=clock.now()))
    warmer = ReportWarmer(db)
    assert await warmer.warm(clock.now()) == 10  # this and last of five kinds
    assert await warmer.warm(clock.now() + dt.timedelta(hours=1)) == 0
    term = (await windows_of(db, school_id, TODAY))[4]
    with db.recording_statements() as statements:
        await school_report(db, school_id, term)
    assert not [s for s in statements if "AS participations" in s]
    async with db.transaction() as session:
        slots = set(await session.scalars(select(ReportSlot.school_id)))
    assert slots == {school_id}
    # The next day, the running periods are counted to a new day; the last ones are over and stay stored.
    assert await warmer.warm(clock.now() + dt.timedelta(days=1)) == 5
