"""The daily count table follows every write to the entries: saving, co-visits, undo, backfill and import."""

from __future__ import annotations

import asyncio
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bot.database import app_database
from bot.logbook import entries
from bot.logbook.drafts import EntryDraft
from bot.people.membership import profile_for_account
from bot.platform_names import TELEGRAM
from storage import daily_counts, reports
from storage.entry_imports import insert_new_entries
from storage.migrate import upgrade
from storage.models import Entry, Member
from storage.reports import daily_activity_counts
from tests.support.cli import invoke

TODAY = dt.date(2026, 11, 18)


def draft(day: dt.date, activity: str = "home_visit", covisitor: int | None = None) -> EntryDraft:
    return EntryDraft(activity=activity, student="王小明", day=day, duration_minutes=20, covisitor_member_id=covisitor)


def import_row(school_id: int, member_id: int, day: dt.date, token: str, covisitor: int | None = None) -> dict:
    return {"school_id": school_id, "member_id": member_id, "activity_code": "phone_call", "occurred_on": day,
            "student_name": "李四", "student_key": "李四", "duration_minutes": 10, "covisitor_member_id": covisitor,
            "source": "import", "client_token": token, "logged_at": dt.datetime(2026, 11, 18, tzinfo=dt.UTC)}


async def table(db) -> dict:
    async with db.transaction() as session:
        return await daily_counts.stored(session)


async def test_a_co_visit_counts_once_for_the_school_and_once_for_each_member(bot, li, wang, db, clock):
    profile = await profile_for_account(db, TELEGRAM, str(wang.id))
    colleague = await profile_for_account(db, TELEGRAM, str(li.id))
    await entries.save_entry(db, profile, draft(TODAY, covisitor=colleague.member_id), source="test", now=clock.now())
    school = profile.school_id
    assert await table(db) == {(school, profile.member_id, "home_visit", TODAY): (1, 0),
                               (school, colleague.member_id, "home_visit", TODAY): (0, 1)}


async def test_an_undone_entry_leaves_no_count_behind(bot, wang, db, clock):
    profile = await profile_for_account(db, TELEGRAM, str(wang.id))
    kept = await entries.save_entry(db, profile, draft(TODAY), source="test", now=clock.now())
    undone = await entries.save_entry(db, profile, draft(TODAY - dt.timedelta(days=1)), source="test", now=clock.now())
    assert await entries.undo_entry(db, profile, undone.entry_id, clock.now())
    assert kept.created
    assert await table(db) == {(profile.school_id, profile.member_id, "home_visit", TODAY): (1, 0)}


async def test_importing_the_same_rows_twice_counts_them_once(bot, wang, db):
    profile = await profile_for_account(db, TELEGRAM, str(wang.id))
    rows = [import_row(profile.school_id, profile.member_id, TODAY, f"import-{n}") for n in range(3)]
    for _ in range(2):
        async with db.transaction() as session:
            await insert_new_entries(session, rows)
    assert await table(db) == {(profile.school_id, profile.member_id, "phone_call", TODAY): (3, 0)}


async def test_rebuilding_recounts_entries_written_around_the_write_path(bot, wang, db):
    profile = await profile_for_account(db, TELEGRAM, str(wang.id))
    async with db.transaction() as session:
        session.add(Entry(school_id=profile.school_id, member_id=profile.member_id, activity_code="home_visit",
                          occurred_on=TODAY, logged_at=dt.datetime(2026, 11, 18, tzinfo=dt.UTC)))
    assert await table(db) == {}
    async with db.transaction() as session:
        assert await daily_counts.rebuild(session) == 1
    assert await table(db) == {(profile.school_id, profile.member_id, "home_visit", TODAY): (1, 0)}


async def test_the_trend_counts_a_co_visit_once_for_the_school_and_for_each_member_who_was_there(bot, li, wang, db,
                                                                                               clock):
    profile = await profile_for_account(db, TELEGRAM, str(wang.id))
    colleague = await profile_for_account(db, TELEGRAM, str(li.id))
    covisit = draft(TODAY, covisitor=colleague.member_id)
    await entries.save_entry(db, profile, covisit, source="test", now=clock.now())
    await entries.save_entry(db, profile, draft(TODAY), source="test", now=clock.now())
    undone = await entries.save_entry(db, colleague, draft(TODAY), source="test", now=clock.now())
    await entries.undo_entry(db, colleague, undone.entry_id, clock.now())
    start = TODAY - dt.timedelta(days=70)
    async with db.transaction() as session:
        school = await daily_activity_counts(session, profile.school_id, start, TODAY)
        logger = await daily_activity_counts(session, profile.school_id, start, TODAY, profile.member_id)
        along = await daily_activity_counts(session, profile.school_id, start, TODAY, colleague.member_id)
    assert (school, logger, along) == ({(TODAY, "home_visit"): 2}, {(TODAY, "home_visit"): 2},
                                       {(TODAY, "home_visit"): 1})


WRITE = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 1), st.integers(0, 3), st.sampled_from(["home_visit", "phone_call"])),
    st.tuples(st.just("covisit"), st.integers(0, 1), st.integers(0, 3), st.just("home_visit")),
    # A backfill: a visit made long before the member joined.
    st.tuples(st.just("backfill"), st.integers(0, 1), st.integers(60, 90), st.just("home_visit")),
    st.tuples(st.just("undo"), st.integers(0, 1), st.integers(0, 5), st.just("")),
    st.tuples(st.just("import"), st.integers(0, 1), st.integers(0, 3), st.integers(0, 4).map(str)),
)


TALLIES = [reports.Tally(("home_visit",), TODAY - dt.timedelta(days=2), TODAY),
           reports.Tally(("home_visit", "phone_call"), TODAY - dt.timedelta(days=90), TODAY, own_only=True)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(WRITE, min_size=1, max_size=8))
async def test_after_any_writes_the_table_equals_a_recount_of_the_entries(bot, li, wang, db, clock, writes):
    people = [await profile_for_account(db, TELEGRAM, str(user.id)) for user in (wang, li)]
    for kind, who, number, detail in writes:
        profile, other = people[who], people[1 - who]
        day = TODAY - dt.timedelta(days=number)
        if kind in ("create", "backfill"):
            await entries.save_entry(db, profile, draft(day, detail), source="test", now=clock.now())
        elif kind == "covisit":
            await entries.save_entry(db, profile, draft(day, covisitor=other.member_id), source="test",
                                     now=clock.now())
        elif kind == "undo":
            recent = await entries.history(db, profile, limit=6)
            if recent:
                await entries.undo_entry(db, profile, recent[number % len(recent)].id, clock.now())
        else:
            # Tokens repeat across examples, so some imported rows are already stored and must not count again.
            row = import_row(profile.school_id, profile.member_id, day, f"import-{who}-{number}-{detail}",
                             covisitor=other.member_id if detail == "0" else None)
            async with db.transaction() as session:
                await insert_new_entries(session, [row])
        async with db.transaction() as session:
            assert await daily_counts.stored(session) == await daily_counts.recounted(session), (kind, writes)
            assert (await daily_counts.school_stored(session)
                    == await daily_counts.school_recounted(session)), (kind, writes)
            # The report's entry counts, read from the table, agree with a scan of the entries.
            assert (await reports.tallies_by_member(session, profile.school_id, TALLIES)
                    == await reports._entry_tallies(session, profile.school_id, TALLIES, None)), (kind, writes)



def test_db_rebuild_summaries_recounts_the_daily_table_from_the_entries(cli_database):
    assert invoke("school", "create", "合川中学").exit_code == 0

    async def write_around_the_write_path() -> None:
        db = app_database(cli_database)
        async with db.transaction() as session:
            member = Member(school_id=1, role="teacher", display_name="王芳", joined_on=TODAY)
            session.add(member)
            await session.flush()
            session.add_all([Entry(school_id=1, member_id=member.id, activity_code="home_visit", occurred_on=TODAY,
                                   logged_at=dt.datetime(2026, 11, 18, tzinfo=dt.UTC)) for _ in range(2)])
        await db.dispose()

    async def read_the_table() -> dict:
        db = app_database(cli_database)
        found = await table(db)
        await db.dispose()
        return found

    asyncio.run(write_around_the_write_path())
    result = invoke("db", "rebuild-summaries")
    assert result.exit_code == 0 and result.output.splitlines()[0] == "daily counts rebuilt: 1 rows"
    assert asyncio.run(read_the_table()) == {(1, 1, "home_visit", TODAY): (2, 0)}


async def test_migration_0009_fills_the_table_from_the_entries_already_stored(tmp_path):
    db = app_database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    await upgrade(db, "0007")
    school_id = 1
    async with db.engine.begin() as connection:  # the columns schools had at that revision
        await connection.execute(text(
            "INSERT INTO schools (id, name, timezone, language, policy_name, policy_text, created_at, reminder_time,"
            " quiet_start, quiet_end) VALUES (1, '合川中学', 'Asia/Shanghai', 'zh', 'default', '',"
            " '2026-09-01 00:00:00', '16:30', '21:00', '08:00')"))
        # and members: their model has columns added since
        await connection.execute(text(
            "INSERT INTO members (id, school_id, role, display_name, joined_on, active, created_at) VALUES"
            " (1, 1, 'teacher', '王芳', '2026-11-18', 1, '2026-09-01 00:00:00'),"
            " (2, 1, 'teacher', '李磊', '2026-11-18', 1, '2026-09-01 00:00:00')"))
    members = [1, 2]
    async with db.transaction() as session:
        logged_at = dt.datetime(2026, 11, 18, tzinfo=dt.UTC)
        session.add_all([
            Entry(school_id=school_id, member_id=members[0], activity_code="home_visit", occurred_on=TODAY,
                  covisitor_member_id=members[1], logged_at=logged_at),
            Entry(school_id=school_id, member_id=members[0], activity_code="home_visit", occurred_on=TODAY,
                  logged_at=logged_at, deleted_at=logged_at)])
    await upgrade(db)
    found = await table(db)
    await db.dispose()
    assert found == {(school_id, members[0], "home_visit", TODAY): (1, 0),
                     (school_id, members[1], "home_visit", TODAY): (0, 1)}
