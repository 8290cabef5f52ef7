"""Migration 0011: a conversation python-telegram-bot kept at revision 0010 goes on in the chat core."""

from __future__ import annotations

import json

from sqlalchemy import text

from bot.chat.conversations import ConversationKey, ConversationStore
from bot.database import app_database
from storage.db import Database
from storage.migrate import upgrade
from tests.support.migrations import empty_postgres_database

DRAFT = {"token": "abc", "short_id": "k3", "activity": "home_visit", "student": "王小明"}
FILL_AT_0010 = [
    "INSERT INTO chat_state (kind, key, value, updated_at) VALUES"
    " ('conversation:log', '[1001, 1001]', '{\"state\": 2}', '2026-11-18 09:20:00+00:00'),"
    " ('conversation:join', '[1002, 1002]', '{\"state\": 0}', '2026-11-18 09:21:00+00:00'),"
    " ('conversation:gone', '[1003, 1003]', '{\"state\": 0}', '2026-11-18 09:22:00+00:00'),"
    " ('conversation:log', '[1004, 1004]', NULL, '2026-11-18 09:23:00+00:00'),"
    f" ('user_data', '1001', '{json.dumps({'draft': DRAFT, 'unrelated': 1}, ensure_ascii=False)}',"
    " '2026-11-18 09:20:00+00:00'),"
    " ('user_data', '1002', '{\"invite_code\": \"JOIN42\"}', '2026-11-18 09:21:00+00:00'),"
    " ('bot', 'username', '{\"username\": \"teachlog_bot\"}', '2026-11-18 09:00:00+00:00')",
]


async def fill_at_0010_upgrade_and_check(db: Database) -> None:
    await upgrade(db, "0010")
    async with db.engine.begin() as connection:
        for statement in FILL_AT_0010:
            await connection.execute(text(statement))
    await upgrade(db)
    store = ConversationStore(db)
    log = await store.load(ConversationKey("telegram", "1001", "1001"))
    assert log is not None and (log.flow, log.step, log.data) == ("log", "when", {"draft": DRAFT})
    join = await store.load(ConversationKey("telegram", "1002", "1002"))
    assert join is not None and (join.flow, join.step, join.data) == ("join", "name", {"invite_code": "JOIN42"})
    async with db.engine.connect() as connection:
        kinds = sorted(row[0] for row in await connection.execute(text("SELECT DISTINCT kind FROM chat_state")))
    assert kinds == ["bot", "chat"]
    assert len(await store.all()) == 2


async def test_on_sqlite_an_open_log_and_join_go_on_at_the_same_step_and_the_old_rows_go(tmp_path):
    db = app_database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await fill_at_0010_upgrade_and_check(db)
    finally:
        await db.dispose()


async def test_on_postgresql_an_open_log_and_join_go_on_at_the_same_step_and_the_old_rows_go():
    async with empty_postgres_database("teachlog_0010") as db:
        await fill_at_0010_upgrade_and_check(db)
