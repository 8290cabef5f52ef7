"""Migration 0010: a database filled at revision 0009 keeps its outbox, group links and people, chats addressed as
(platform, id as text) and every platform id of a member an account."""

from __future__ import annotations

from sqlalchemy import inspect, text

from bot.database import app_database
from storage.db import Database
from storage.migrate import upgrade
from tests.support.migrations import empty_postgres_database

FILL_AT_0009 = [
    "INSERT INTO schools (id, name, timezone, language, policy_name, policy_text, created_at, reminder_time,"
    " quiet_start, quiet_end) VALUES (1, 'Hope School', 'Asia/Shanghai', 'zh', 'default', '',"
    " '2026-09-01 00:00:00+00:00', '16:30', '21:00', '08:00')",
    "INSERT INTO members (id, school_id, role, telegram_user_id, slack_user_id, display_name, joined_on, active,"
    " created_at, reminder_frequency) VALUES"
    " (1, 1, 'teacher', 1001, NULL, '王芳', '2026-09-01', TRUE, '2026-09-01 00:00:00+00:00', 'daily'),"
    " (2, 1, 'leader', 9007199254740993, 'U02LEADER', 'Li Lei', '2026-09-01', TRUE,"
    " '2026-09-01 00:00:00+00:00', 'daily'),"
    " (3, 1, 'teacher', NULL, NULL, 'Zhang Wei', '2026-09-01', TRUE, '2026-09-01 00:00:00+00:00', 'daily')",
    # Member 1 joined after 0008 through code that wrote the account; member 2's ids were only in the columns.
    "INSERT INTO member_accounts (member_id, platform, external_id, last_used_at) VALUES"
    " (1, 'telegram', '1001', '2026-11-02 08:00:00+00:00')",
    "INSERT INTO group_links (id, chat_id, school_id, linked_by_member_id, top_n, totals_only, active, linked_at)"
    " VALUES (1, -1001234567890, 1, 2, 5, FALSE, TRUE, '2026-10-01 00:00:00+00:00')",
    "INSERT INTO outbox (id, dedupe_key, school_id, member_id, chat_id, kind, payload, not_before, status, attempts,"
    " created_at) VALUES"
    " (1, 'reminder:1:2026-11-02', 1, 1, 1001, 'reminder', '{\"text\": \"hi\"}', '2026-11-02 08:30:00+00:00',"
    " 'sent', 1, '2026-11-02 08:30:00+00:00'),"
    " (2, 'leaderboard:1:2026-W44', 1, NULL, -1001234567890, 'leaderboard', '{\"text\": \"top\"}',"
    " '2026-11-02 09:00:00+00:00', 'pending', 0, '2026-11-02 09:00:00+00:00')",
]


async def fill_at_0009_and_upgrade(db: Database) -> dict[str, list[tuple]]:
    await upgrade(db, "0009")
    async with db.engine.begin() as connection:
        for statement in FILL_AT_0009:
            await connection.execute(text(statement))
    await upgrade(db)
    found: dict[str, list[tuple]] = {}
    async with db.engine.connect() as connection:
        for name, query in [
            ("accounts", "SELECT member_id, platform, external_id FROM member_accounts ORDER BY member_id, platform"),
            ("outbox", "SELECT id, platform, chat_id, status FROM outbox ORDER BY id"),
            ("links", "SELECT id, platform, chat_id, top_n FROM group_links ORDER BY id"),
        ]:
            found[name] = [tuple(row) for row in await connection.execute(text(query))]
        found["member columns"] = [tuple(sorted(await connection.run_sync(
            lambda sync: [c["name"] for c in inspect(sync).get_columns("members") if c["name"].endswith("_user_id")])))]
    return found


EXPECTED = {
    "accounts": [(1, "telegram", "1001"), (2, "slack", "U02LEADER"), (2, "telegram", "9007199254740993")],
    "outbox": [(1, "telegram", "1001", "sent"), (2, "telegram", "-1001234567890", "pending")],
    "links": [(1, "telegram", "-1001234567890", 5)],
    "member columns": [()],
}


async def a_second_platform_may_use_the_same_chat_id(db: Database) -> None:
    """Group links are unique per platform: the same id on Slack is another chat."""
    async with db.engine.begin() as connection:
        await connection.execute(text(
            "INSERT INTO group_links (id, platform, chat_id, school_id, totals_only, active, linked_at) VALUES"
            " (2, 'slack', '-1001234567890', 1, FALSE, TRUE, '2026-11-01 00:00:00+00:00')"))


async def test_upgrading_a_sqlite_database_from_0009_addresses_chats_by_platform_and_text(tmp_path):
    db = app_database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        assert await fill_at_0009_and_upgrade(db) == EXPECTED
        await a_second_platform_may_use_the_same_chat_id(db)
    finally:
        await db.dispose()


async def test_upgrading_a_postgresql_database_from_0009_addresses_chats_by_platform_and_text():
    async with empty_postgres_database("teachlog_0009") as db:
        assert await fill_at_0009_and_upgrade(db) == EXPECTED
        await a_second_platform_may_use_the_same_chat_id(db)
