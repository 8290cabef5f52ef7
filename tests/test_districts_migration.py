"""Migration 0013: a database filled at revision 0012 keeps its schools outside any district, each with its own
policy and everything else as it was."""

from __future__ import annotations

from sqlalchemy import text

from storage.db import Database
from storage.migrate import upgrade
from tests.support.migrations import empty_postgres_database

FILL_AT_0012 = [
    "INSERT INTO schools (id, name, timezone, language, policy_name, policy_text, created_at, reminder_time,"
    " quiet_start, quiet_end) VALUES"
    " (1, '合川中学', 'Asia/Shanghai', 'zh', 'seed-000', 'name: seed-000', '2026-09-01 00:00:00+00:00', '16:30',"
    " '21:00', '08:00'),"
    " (2, 'Hope School', 'Asia/Urumqi', 'en', 'default', '', '2026-09-01 00:00:00+00:00', '17:00', '22:00', '07:00')",
    "INSERT INTO members (id, school_id, role, display_name, joined_on, active, created_at, reminder_frequency)"
    " VALUES (1, 1, 'teacher', '王芳', '2026-09-01', TRUE, '2026-09-01 00:00:00+00:00', 'daily')",
    "INSERT INTO report_slots (school_id, slot, fingerprint, seen_change) VALUES (1, 'term/this/', 'abc', 0)",
]

SCHOOLS = ("SELECT id, name, timezone, language, policy_name, policy_text, reminder_time, quiet_start, quiet_end,"
           " district_id, zone, is_bureau, policy_follows, own_policy_text FROM schools ORDER BY id")


async def fill_at_0012_and_upgrade(db: Database) -> dict[str, list[tuple]]:
    await upgrade(db, "0012")
    async with db.engine.begin() as connection:
        for statement in FILL_AT_0012:
            await connection.execute(text(statement))
    await upgrade(db)
    async with db.engine.connect() as connection:
        return {
            "schools": [tuple(row) for row in await connection.execute(text(SCHOOLS))],
            "members": [tuple(row) for row in await connection.execute(text("SELECT id, school_id FROM members"))],
            "slots": [tuple(row) for row in await connection.execute(text("SELECT school_id, slot FROM report_slots"))],
            "districts": [tuple(row) for row in await connection.execute(text("SELECT id FROM districts"))],
        }


EXPECTED = {
    "schools": [
        (1, "合川中学", "Asia/Shanghai", "zh", "seed-000", "name: seed-000", "16:30", "21:00", "08:00",
         None, None, False, None, None),
        (2, "Hope School", "Asia/Urumqi", "en", "default", "", "17:00", "22:00", "07:00",
         None, None, False, None, None),
    ],
    "members": [(1, 1)],
    "slots": [(1, "term/this/")],
    "districts": [],
}


async def test_upgrading_a_sqlite_database_from_0012_leaves_every_school_outside_any_district(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        assert await fill_at_0012_and_upgrade(db) == EXPECTED
    finally:
        await db.dispose()


async def test_upgrading_a_postgresql_database_from_0012_leaves_every_school_outside_any_district():
    async with empty_postgres_database("teachlog_0012") as db:
        assert await fill_at_0012_and_upgrade(db) == EXPECTED
