"""`teachlog db copy --to URL`: every table into an empty database (SQLite to PostgreSQL and back), ids kept,
sequences continued, a database with rows refused untouched, and the same report on both."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import delete, func, insert, select

import bot.cli.report as report_cli
from bot.clock import FixedClock
from bot.people.schools import create_school
from storage.copy import copy_database
from storage.db import Database
from storage.migrate import known_revisions, upgrade
from storage.models import Base, SummaryChange
from storage.report_summaries import mark_changed
from storage.table_rows import TransferRefused, schema_revision
from tests.conftest import DEFAULT_NOW
from tests.support.cli import invoke
from tests.support.filled import every_row, fill_every_table, sql_null_keys
from tests.support.migrations import empty_postgres_url, other_db_fixture  # noqa: F401  (other_db)


async def test_a_copy_to_the_other_backend_has_every_row_and_a_conversation_goes_on(db, other_db, clock):
    filled = await fill_every_table(db, clock)
    copied = await copy_database(db, other_db, batch_rows=2)
    source_rows = await every_row(db)
    assert await every_row(other_db) == source_rows
    assert await sql_null_keys(other_db) == ["sql-null"]
    assert set(Base.metadata.tables) <= set(copied.counts)
    assert {name: copied.counts[name] for name in source_rows} == \
        {name: len(rows) for name, rows in source_rows.items()}
    async with other_db.engine.connect() as connection:
        assert await schema_revision(connection) == known_revisions()[-1]
    entries = await filled.finish_the_log_on(other_db, clock)
    assert len(entries) == 3 and entries[-1] == (3, "李华")


async def test_change_ids_continue_after_the_last_one_handed_out_even_when_its_rows_were_pruned(db, other_db, clock):
    """Stored report windows remember the last change id they took in: a new change must come after it."""
    school = (await create_school(db, "合川中学", now=clock.now())).school_id
    for _ in range(3):
        async with db.transaction() as session:
            await mark_changed(session, [(school, 1)])
    async with db.transaction() as session:
        handed_out = await session.scalar(select(func.max(SummaryChange.id)))
        await session.execute(delete(SummaryChange))
    await copy_database(db, other_db)
    async with other_db.engine.begin() as connection:
        new_id = (await connection.execute(insert(SummaryChange.__table__).values(school_id=school, member_id=1)
                                           .returning(SummaryChange.id))).scalar_one()
    assert handed_out is not None and new_id == handed_out + 1


async def test_a_copy_into_a_database_with_rows_is_refused_and_nothing_is_written(db, other_db, clock):
    await fill_every_table(db, clock)
    await create_school(other_db, "第二中学", now=clock.now())
    before = await every_row(other_db)
    with pytest.raises(TransferRefused, match=r"is not empty \(activity_types, invites, schools have rows\)"):
        await copy_database(db, other_db)
    assert await every_row(other_db) == before


def test_teachlog_db_copy_moves_a_sqlite_school_to_postgresql_and_the_report_is_the_same(cli_database, monkeypatch):
    async def fill() -> None:
        db = Database(cli_database)
        await upgrade(db)
        await fill_every_table(db, FixedClock(DEFAULT_NOW))
        await db.dispose()

    asyncio.run(fill())
    monkeypatch.setattr(report_cli, "CLOCK", FixedClock(DEFAULT_NOW))
    report = ["report", "--school", "1", "term", "--date", "2026-11-18", "--json"]
    on_sqlite = invoke(*report)
    assert on_sqlite.exit_code == 0, on_sqlite.output
    with empty_postgres_url("teachlog_copy") as postgres:
        copied = invoke("db", "copy", "--to", postgres)
        assert copied.exit_code == 0, copied.output
        lines = copied.stdout.splitlines()
        assert lines[0] == f"copied {cli_database} to {postgres} (schema {known_revisions()[-1]}); row counts checked:"
        assert lines[1].split() == ["table", "rows"]
        counts = dict(line.split() for line in lines[2:-1])
        assert (counts["entries"], counts["chat_state"], counts["outbox"], counts["report_summaries"]) == \
            ("2", "3", "1", "2")
        assert lines[-1] == f"to use it: export TEACHLOG_DATABASE_URL='{postgres}'"

        again = invoke("db", "copy", "--to", postgres)
        assert again.exit_code == 1 and again.stdout == ""
        assert again.stderr.startswith(f"teachlog: the database at {postgres} is not empty (")
        assert again.stderr.rstrip().endswith("nothing was written") and len(again.stderr.splitlines()) == 1

        monkeypatch.setenv("TEACHLOG_DATABASE_URL", postgres)
        on_postgres = invoke(*report)
    assert on_postgres.exit_code == 0, on_postgres.output
    assert json.loads(on_postgres.stdout) == json.loads(on_sqlite.stdout)
    assert on_postgres.stdout == on_sqlite.stdout
