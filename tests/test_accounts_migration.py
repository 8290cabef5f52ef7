"""Migration 0008: a database filled at revision 0007 keeps its people, each Telegram or Slack id an account."""

from __future__ import annotations

from sqlalchemy import text

from bot.database import app_database
from storage.db import Database
from storage.migrate import upgrade
from tests.support.migrations import empty_postgres_database

FILL_AT_0007 = [
    "INSERT INTO schools (id, name, timezone, language, policy_name, policy_text, created_at, reminder_time,"
    " quiet_start, quiet_end) VALUES (1, 'Hope School', 'Asia/Shanghai', 'zh', 'default', '',"
    " '2026-09-01 00:00:00+00:00', '16:30', '21:00', '08:00')",
    "INSERT INTO members (id, school_id, role, telegram_user_id, slack_user_id, display_name, joined_on, active,"
    " created_at, reminder_frequency) VALUES"
    " (1, 1, 'teacher', 1001, NULL, '王芳', '2026-09-01', TRUE, '2026-09-01 00:00:00+00:00', 'daily'),"
    " (2, 1, 'leader', 9007199254740993, 'U02LEADER', 'Li Lei', '2026-09-01', TRUE,"
    " '2026-09-01 00:00:00+00:00', 'daily'),"
    " (3, 1, 'teacher', NULL, NULL, 'Zhang Wei', '2026-09-01', TRUE, '2026-09-01 00:00:00+00:00', 'daily')",
]


async def fill_at_0007_and_upgrade(db: Database) -> list[tuple]:
    await upgrade(db, "0007")
    async with db.engine.begin() as connection:
        for statement in FILL_AT_0007:
            await connection.execute(text(statement))
    await upgrade(db)
    async with db.engine.connect() as connection:
        rows = await connection.execute(text(
            "SELECT member_id, platform, external_id, last_used_at FROM member_accounts ORDER BY member_id, platform"))
        return [tuple(row) for row in rows]


EXPECTED = [(1, "telegram", "1001", None), (2, "slack", "U02LEADER", None),
            (2, "telegram", "9007199254740993", None)]


async def test_upgrading_a_sqlite_database_from_0007_turns_platform_ids_into_accounts(tmp_path):
    db = app_database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        assert await fill_at_0007_and_upgrade(db) == EXPECTED
    finally:
        await db.dispose()


async def test_upgrading_a_postgresql_database_from_0007_turns_platform_ids_into_accounts():
    async with empty_postgres_database("teachlog_0007") as db:
        assert await fill_at_0007_and_upgrade(db) == EXPECTED
