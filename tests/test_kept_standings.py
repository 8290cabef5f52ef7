"""Kept standings: asked again, they are exactly what a fresh computation gives, after every kind of write that
moves where a member stands — and with nothing changed, only the members' lines are read."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from bot.database import app_database
from bot.logbook import entries, records
from bot.logbook.drafts import EntryDraft
from bot.people.assignments import add_assignment, remove_assignment
from bot.people.membership import profile_of
from bot.people.pairings import add_pairing, remove_pairing
from bot.people.schools import create_school, set_counts_from, set_policy
from bot.quotas.kept_standings import KeptStandings
from bot.quotas.standing import school_standings
from storage.migrate import upgrade
from storage.models import Member, School

TODAY = dt.date(2026, 11, 18)  # the clock fixture's day: inside seed-001's campaign


async def add_member(db, school_id: int, name: str, role: str) -> int:
    async with db.transaction() as session:
        member = Member(school_id=school_id, role=role, display_name=name, joined_on=dt.date(2026, 9, 1))
        session.add(member)
        await session.flush()
        return member.id


async def profile(db, member_id: int):
    async with db.transaction() as session:
        member = await session.get(Member, member_id)
        return profile_of(member, await session.get(School, member.school_id))


async def change_member(db, member_id: int, **values) -> None:
    async with db.transaction() as session:
        member = await session.get(Member, member_id)
        for name, value in values.items():
            setattr(member, name, value)


def visit(activity: str = "home_visit", *, student: str | None = "王小明", covisitor: int | None = None,
          place: str | None = None) -> EntryDraft:
    return EntryDraft(activity=activity, student=student, place=place, day=TODAY - dt.timedelta(days=1),
                      duration_minutes=20 if student else None, covisitor_member_id=covisitor)


@pytest.fixture
async def county(db, clock):
    """Two schools: one on seed-000 (entries, days, distinct families, paired students, written records), one on
    seed-001 (places assigned to its leader)."""
    first = (await create_school(db, "合川中学", policy="seed-000", now=clock.now())).school_id
    second = (await create_school(db, "华容一中", policy="seed-001", now=clock.now())).school_id
    members = {"王芳": await add_member(db, first, "王芳", "teacher"),
               "李磊": await add_member(db, first, "李磊", "head_teacher"),
               "刘校长": await add_member(db, second, "刘校长", "leader"),
               "周老师": await add_member(db, second, "周老师", "teacher")}
    return [first, second], members


async def test_kept_standings_follow_every_write_that_moves_a_member(db, clock, county):
    schools, members = county
    kept = KeptStandings(db)
    wang, li, liu, zhou = (members[name] for name in ("王芳", "李磊", "刘校长", "周老师"))
    now = clock.now()

    async def save(member_id: int, draft: EntryDraft) -> int:
        return (await entries.save_entry(db, await profile(db, member_id), draft, source="test", now=now)).entry_id

    async def undo(member_id: int, entry_id: int) -> None:
        assert await entries.undo_entry(db, await profile(db, member_id), entry_id, now)

    co_visit: list[int] = []

    async def log_with_colleague() -> None:
        co_visit.append(await save(li, visit(covisitor=wang)))

    async def write_a_reflection() -> None:
        await records.save_record(db, await profile(db, wang), "reflection", today=TODAY, now=now, text="反思")

    async def add_newcomer() -> None:
        await add_member(db, schools[1], "吴老师", "teacher")

    writes = [
        ("a logged visit", lambda: save(wang, visit())),
        ("a co-visit, counted for the colleague", log_with_colleague),
        ("an undone co-visit", lambda: undo(li, co_visit[0])),
        ("a day in the village", lambda: save(wang, visit("live_in_day", student=None))),
        ("a pairing", lambda: add_pairing(db, schools[0], "王芳", "赵六")),
        ("a call to the paired student", lambda: save(wang, visit("phone_call", student="赵六"))),
        ("a pairing taken away", lambda: remove_pairing(db, schools[0], "王芳", "赵六")),
        ("a written record", write_a_reflection),
        ("a place assigned", lambda: add_assignment(db, schools[1], "刘校长", "class", "初二(3)班")),
        ("a visit to the place", lambda: save(liu, visit("grassroots_visit", student=None, place="初二(3)班"))),
        ("a place taken away", lambda: remove_assignment(db, schools[1], "刘校长", "class", "初二(3)班")),
        ("a new role", lambda: change_member(db, zhou, role="head_teacher")),
        ("a new name", lambda: change_member(db, zhou, display_name="周晓")),
        ("a later start of counting", lambda: change_member(db, li, counts_from=TODAY)),
        ("a member who left", lambda: change_member(db, li, active=False)),
        ("a newcomer", add_newcomer),
        ("the school's start of counting", lambda: set_counts_from(db, schools[0], dt.date(2026, 11, 2))),
        ("another policy", lambda: set_policy(db, schools[0], "default")),
    ]
    before = await kept.many(schools, TODAY)
    assert before == await school_standings(db, schools, TODAY)
    for what, write in writes:
        await write()
        after = await kept.many(schools, TODAY)
        assert after == await school_standings(db, schools, TODAY), what
        assert after != before, f"{what} should move a standing"
        before = after


async def test_asked_again_with_nothing_changed_only_the_member_lines_are_read(db, county):
    schools, _ = county
    kept = KeptStandings(db)
    first = await kept.many(schools, TODAY)
    with db.recording_statements() as statements:
        again = await kept.many(schools, TODAY)
    assert again == first
    assert len(statements) == 2  # the schools, and their members' lines


async def test_another_day_is_computed_for_that_day(db, clock, county):
    schools, members = county
    kept = KeptStandings(db)
    await kept.many(schools, TODAY)
    await entries.save_entry(db, await profile(db, members["王芳"]), visit(), source="test", now=clock.now())
    tomorrow = TODAY + dt.timedelta(days=1)
    assert await kept.many(schools, tomorrow) == await school_standings(db, schools, tomorrow)
    assert await kept(schools[0], TODAY) == (await school_standings(db, schools, TODAY))[schools[0]]


async def test_an_unknown_school_is_refused_as_before(db, county):
    with pytest.raises(LookupError):
        await KeptStandings(db).many([999_999], TODAY)


async def test_upgrading_from_0016_gives_every_member_version_zero(tmp_path):
    db = app_database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    await upgrade(db, "0016")
    async with db.engine.begin() as connection:  # the columns schools and members had at that revision
        await connection.execute(text(
            "INSERT INTO schools (id, name, timezone, language, policy_name, policy_text, created_at, reminder_time,"
            " quiet_start, quiet_end, is_bureau) VALUES (1, '合川中学', 'Asia/Shanghai', 'zh', 'default', '',"
            " '2026-09-01 00:00:00', '16:30', '21:00', '08:00', 0)"))
        await connection.execute(text(
            "INSERT INTO members (id, school_id, role, display_name, joined_on, active, created_at,"
            " reminder_frequency) VALUES (7, 1, 'teacher', '王芳', '2026-09-01', 1, '2026-09-01 00:00:00', 'daily')"))
    await upgrade(db)
    async with db.engine.begin() as connection:
        found = (await connection.execute(text("SELECT id, display_name, standing_version FROM members"))).all()
    await db.dispose()
    assert found == [(7, "王芳", 0)]
