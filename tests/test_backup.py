"""`teachlog db backup` and `db restore`: every table, across backends, taken while entries are written,
refused when damaged, and upgraded when older."""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import hashlib
import json
import zlib
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from bot.chat.conversations import ConversationKey, ConversationStore
from bot.clock import FixedClock
from bot.people.schools import create_school
from storage import daily_counts
from storage import repository as repo
from storage.backup import BackupDamaged, read_header, restore_backup, write_backup
from storage.db import Database
from storage.errors import DatabaseFailure
from storage.loading import target_state
from storage.migrate import known_revisions, upgrade
from storage.models import Base, ChatState, DailyCount, Entry, MemberAccount, SchoolDailyCount
from storage.table_rows import TransferRefused, schema_revision
from tests.conftest import DEFAULT_NOW, run_blocking
from tests.support.chat import ChatHarness
from tests.support.cli import invoke
from tests.support.filled import every_row, fill_every_table, sql_null_keys
from tests.support.migrations import empty_database, other_db_fixture  # noqa: F401  (other_db)
from tests.support.stored import add_entry, member_id

HEAD = known_revisions()[-1]


async def revision_of(db: Database) -> str | None:
    async with db.engine.connect() as connection:
        return await schema_revision(connection)


async def assert_nothing_written(db: Database) -> None:
    state = await target_state(db)
    assert (state.tables, state.with_rows) == (frozenset(), ())


@pytest.fixture(scope="module")
def filled_backup(tmp_path_factory) -> Path:
    """The backup of a SQLite database with rows in every table (made once: the tests below only read it)."""
    folder = tmp_path_factory.mktemp("filled")

    async def make() -> None:
        db = Database(f"sqlite+aiosqlite:///{folder / 'filled.db'}")
        try:
            await upgrade(db)
            await fill_every_table(db, FixedClock(DEFAULT_NOW))
            await write_backup(db, folder / "filled.backup.gz", DEFAULT_NOW)
        finally:
            await db.dispose()
    run_blocking(make)
    return folder / "filled.backup.gz"


async def test_a_backup_restored_on_the_other_backend_has_every_row_and_a_conversation_goes_on(db, other_db, clock,
                                                                                               tmp_path):
    filled = await fill_every_table(db, clock)
    path = tmp_path / "teachlog.backup.gz"
    await write_backup(db, path, clock.now())
    header = read_header(path)
    assert (header.revision, header.source) == (HEAD, db.dialect)
    assert set(Base.metadata.tables) <= {table.name for table in header.tables}
    restored = await restore_backup(other_db, path)
    source_rows = await every_row(db)
    assert await every_row(other_db) == source_rows
    assert await sql_null_keys(other_db) == ["sql-null"]  # the JSON document null stays apart from SQL NULL
    assert {name: restored.counts[name] for name in source_rows} == \
        {name: len(rows) for name, rows in source_rows.items()}
    assert await revision_of(other_db) == HEAD
    # 王芳 was half-way through /log: she finishes on the restored database, and the entry takes the next id.
    entries = await filled.finish_the_log_on(other_db, clock)
    assert len(entries) == 3 and entries[-1] == (3, "李华")


async def test_a_backup_taken_while_entries_are_written_restores_a_consistent_prefix(db, other_db, clock, tmp_path):
    chat = ChatHarness(db, clock)
    school = (await chat.create_school()).school_id
    wang, li = await member_id(db, await chat.add_member("王芳")), await member_id(db, await chat.add_member("李雷"))
    days = [dt.date(2026, 11, 9) + dt.timedelta(days=n) for n in range(10)]
    committed: list[int] = []

    async def write(n: int) -> None:
        covisitor = li if n % 3 == 0 else None
        committed.append(await add_entry(db, school, wang, ("home_visit", "phone_call")[n % 2], days[n % 10],
                                         student=f"学生{n % 7}", covisitor=covisitor))

    for n in range(20):
        await write(n)
    stop = asyncio.Event()

    async def writer() -> None:
        n = 20
        while not stop.is_set():
            await write(n)
            n += 1
            await asyncio.sleep(0.01)  # a busy school, not a flood

    waits = 0

    async def while_reading(_table: str, _rows: int) -> None:
        """After each batch the backup reads, another entry is committed: writers are not held up."""
        nonlocal waits
        waits += 1
        wanted = len(committed) + 1
        async with asyncio.timeout(30):
            while len(committed) < wanted:
                await asyncio.sleep(0.005)

    writing = asyncio.create_task(writer())
    path = tmp_path / "busy.backup.gz"
    try:
        await write_backup(db, path, clock.now(), batch_rows=10, progress=while_reading)
    finally:
        stop.set()
        await writing
    await restore_backup(other_db, path)
    async with other_db.transaction() as session:
        restored = list(await session.scalars(select(Entry.id).order_by(Entry.id)))
        counts, recounted = await daily_counts.stored(session), await daily_counts.recounted(session)
        school_counts = await daily_counts.school_stored(session)
        school_recounted = await daily_counts.school_recounted(session)
    assert restored == committed[:len(restored)]  # the entries committed first, and no other
    assert waits >= 3 and 20 <= len(restored) <= len(committed) - waits  # none written after the snapshot began
    assert counts == recounted and school_counts == school_recounted  # nothing torn
    assert sum(own for own, _joined in counts.values()) == len(restored)


def truncated_at_half(data: bytes) -> bytes:
    return data[:len(data) // 2]


def truncated_by_ten_bytes(data: bytes) -> bytes:
    return data[:-10]


def header_only(data: bytes) -> bytes:
    """The file cut where its header ends: still a whole gzip stream, but without a row."""
    reader = zlib.decompressobj(wbits=31)
    reader.decompress(data)
    return data[:len(data) - len(reader.unused_data)]


def one_name_changed(data: bytes) -> bytes:
    """A student's name altered in the rows, the file compressed again: gzip has nothing to object to."""
    text = gzip.decompress(data)
    assert "王小明".encode() in text
    return gzip.compress(text.replace("王小明".encode(), "王小朋".encode(), 1))


def one_byte_flipped(data: bytes) -> bytes:
    middle = len(data) * 2 // 3
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]


def a_row_count_lowered(data: bytes) -> bytes:
    """The header says entries has one row fewer (and the rest is left as it was)."""
    text = gzip.decompress(data)
    header, rest = text.split(b"\n", 1)
    document = json.loads(header)
    [entries] = [table for table in document["tables"] if table["name"] == "entries"]
    entries["rows"] -= 1
    return gzip.compress(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" + rest)


@pytest.mark.parametrize("damage, reason", [
    (truncated_at_half, "ends early"),
    (truncated_by_ten_bytes, "ends early"),
    (header_only, "ends early"),
    (one_name_changed, "do not match their checksum"),
    (one_byte_flipped, "is damaged"),
    (a_row_count_lowered, "do not match their checksum"),
])
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_truncated_or_altered_backup_is_refused_and_nothing_is_written(filled_backup, tmp_path, backend, damage,
                                                                               reason):
    damaged = tmp_path / "damaged.backup.gz"
    damaged.write_bytes(damage(filled_backup.read_bytes()))
    async with empty_database(backend, tmp_path) as target:
        with pytest.raises(BackupDamaged, match=reason) as refused:
            await restore_backup(target, damaged)
        assert str(refused.value).endswith("nothing was written")
        await assert_nothing_written(target)


async def test_a_restore_into_a_database_with_rows_is_refused_and_changes_nothing(db, clock, filled_backup):
    await create_school(db, "第二中学", now=clock.now())
    before = await every_row(db)
    with pytest.raises(TransferRefused, match="is not empty .*schools.* have rows"):
        await restore_backup(db, filled_backup)
    assert await every_row(db) == before


# -- a backup of an older schema ------------------------------------------------------------------------------

OLD_REVISION = "0010"
#: python-telegram-bot's saved /log conversation at revision 0010: 王芳 (Telegram 1001) about to give the date.
OLD_CONVERSATION = [
    {"kind": "conversation:log", "key": "[1001, 1001]", "value": {"state": 2}},
    {"kind": "user_data", "key": "1001", "value": {"draft": {"activity": "home_visit", "student": "王小明"}}},
]


async def fill_at_the_old_revision(db: Database, clock) -> None:
    """A school, a member and entries with their daily counts, written as the bot of revision 0010 did."""
    await upgrade(db, OLD_REVISION)
    school = 1
    async with db.engine.begin() as connection:  # the columns schools had at that revision
        await connection.execute(text(
            "INSERT INTO schools (id, name, timezone, language, policy_name, policy_text, created_at, reminder_time,"
            " quiet_start, quiet_end) VALUES (1, '合川中学', 'Asia/Shanghai', 'zh', 'default', '',"
            " '2026-09-01 00:00:00', '16:30', '21:00', '08:00')"))
        # and members: their model has columns added since
        await connection.execute(text(
            "INSERT INTO members (id, school_id, role, display_name, joined_on, active, created_at)"
            " VALUES (1, 1, 'teacher', '王芳', :today, true, :now)"),
            {"today": clock.now().date(), "now": clock.now().astimezone(dt.UTC).replace(tzinfo=None)})
    member = 1
    async with db.transaction() as session:
        await repo.add(session, MemberAccount(member_id=member, platform="telegram", external_id="1001",
                                              last_used_at=clock.now()))
    logged = clock.now().astimezone(dt.UTC)
    entries = [{"school_id": school, "member_id": member, "activity_code": code, "occurred_on": day,
                "student_name": "王小明", "source": "telegram", "logged_at": logged}
               for code, day in [("home_visit", dt.date(2026, 11, 16)), ("phone_call", dt.date(2026, 11, 17)),
                                 ("home_visit", dt.date(2026, 11, 17))]]
    per_day = Counter((row["activity_code"], row["occurred_on"]) for row in entries)
    async with db.engine.begin() as connection:
        await connection.execute(insert(Entry.__table__), entries)
        await connection.execute(insert(DailyCount.__table__), [
            {"school_id": school, "member_id": member, "activity_code": code, "day": day, "entries": count,
             "covisits": 0} for (code, day), count in per_day.items()])
        await connection.execute(insert(ChatState.__table__), [{**row, "updated_at": logged}
                                                               for row in OLD_CONVERSATION])


@pytest.mark.parametrize("backend, restored_on", [("sqlite", "postgresql"), ("postgresql", "sqlite")])
async def test_a_backup_of_an_older_schema_is_restored_at_it_and_upgraded(backend, restored_on, clock, tmp_path):
    path = tmp_path / "old.backup.gz"
    async with empty_database(backend, tmp_path) as old:
        await fill_at_the_old_revision(old, clock)
        await write_backup(old, path, clock.now())
    header = read_header(path)
    assert header.revision == OLD_REVISION and "school_daily_counts" not in {t.name for t in header.tables}
    async with empty_database(restored_on, tmp_path) as restored:
        await restore_backup(restored, path)
        assert await revision_of(restored) == HEAD
        async with restored.transaction() as session:
            assert await session.scalar(select(func.count()).select_from(Entry)) == 3
            school_days = await session.execute(
                select(SchoolDailyCount.day, SchoolDailyCount.activity_code, SchoolDailyCount.entries)
                .order_by(SchoolDailyCount.day, SchoolDailyCount.activity_code))
            assert school_days.all() == [(dt.date(2026, 11, 16), "home_visit", 1),
                                         (dt.date(2026, 11, 17), "home_visit", 1),
                                         (dt.date(2026, 11, 17), "phone_call", 1)]
        conversation = await ConversationStore(restored).load(ConversationKey("telegram", "1001", "1001"))
        assert conversation is not None and (conversation.flow, conversation.step) == ("log", "when")
        assert conversation.data["draft"]["student"] == "王小明"


# -- the commands -----------------------------------------------------------------------------------------------


def test_teachlog_db_backup_then_restore_into_the_configured_database(cli_database, tmp_path, monkeypatch):
    assert invoke("school", "create", "合川中学").exit_code == 0
    backup = invoke("db", "backup", "nightly.backup.gz")
    assert backup.exit_code == 0, backup.output
    size = (tmp_path / "nightly.backup.gz").stat().st_size
    tables = len(read_header(tmp_path / "nightly.backup.gz").tables)
    assert backup.stdout == (f"backup written: nightly.backup.gz (schema {HEAD}, {tables} tables, 5 rows, "
                             f"{size / 1024:.1f} KB)\n")

    restored_url = f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
    monkeypatch.setenv("TEACHLOG_DATABASE_URL", restored_url)
    restore = invoke("db", "restore", "nightly.backup.gz")
    assert restore.exit_code == 0, restore.output
    lines = restore.stdout.splitlines()
    assert lines[0].startswith("restored nightly.backup.gz (taken ")
    assert lines[0].endswith(f" from sqlite, schema {HEAD}) into {restored_url}")
    counts = dict(line.split() for line in lines[2:])
    assert (counts["schools"], counts["activity_types"], counts["invites"], counts["entries"]) == ("1", "3", "1", "0")
    assert invoke("invite", "create", "--school", "1", "--role", "teacher").exit_code == 0  # a school to go on with

    again = invoke("db", "restore", "nightly.backup.gz")
    assert again.exit_code == 1 and again.stdout == ""
    assert again.stderr == (f"teachlog: the database at {restored_url} is not empty (activity_types, invites, "
                            f"schools have rows): give an empty database; nothing was written\n")


def test_teachlog_db_restore_refuses_a_truncated_backup_in_one_line_and_creates_nothing(cli_database, tmp_path):
    assert invoke("school", "create", "合川中学").exit_code == 0
    assert invoke("db", "backup", "nightly.backup.gz").exit_code == 0
    whole = (tmp_path / "nightly.backup.gz").read_bytes()
    (tmp_path / "cut.backup.gz").write_bytes(whole[:len(whole) - 100])
    target = tmp_path / "restored.db"
    result = invoke("db", "restore", "cut.backup.gz", "--to", f"sqlite+aiosqlite:///{target}")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == ("teachlog: the backup cut.backup.gz ends early (is it truncated?): "
                             "nothing was written\n")
    assert not target.exists()


@pytest.mark.parametrize("args, message", [
    (["db", "backup", "out.backup.gz"], "there is no database at sqlite+aiosqlite:///"),
    (["db", "copy", "--to", "sqlite+aiosqlite:///copy.db"], "there is no database at sqlite+aiosqlite:///"),
    (["db", "restore", "missing.backup.gz"], "there is no backup file missing.backup.gz"),
    (["db", "backup", "no-such-folder/out.backup.gz"], "the folder no-such-folder does not exist"),
])
def test_a_missing_database_file_or_folder_is_named_in_one_line_and_nothing_is_created(no_cli_database, tmp_path,
                                                                                      args, message):
    result = invoke(*args)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("teachlog: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def with_a_duplicate_entry_id(data: bytes) -> bytes:
    """A file whose checksums all agree, but whose second entry has the first one's id: the target refuses it
    half-way through the rows."""
    header_line, *lines = gzip.decompress(data).split(b"\n")
    header = json.loads(header_line)
    start = 0
    for table in header["tables"]:
        if table["name"] == "entries":
            first = json.loads(lines[start])
            second = json.loads(lines[start + 1])
            second[0] = first[0]
            lines[start + 1] = json.dumps(second, ensure_ascii=False, separators=(",", ":")).encode()
            table["sha256"] = hashlib.sha256(b"".join(line + b"\n" for line in lines[start:start + table["rows"]]))\
                .hexdigest()
        start += table["rows"]
    header_line = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    return gzip.compress(b"\n".join([header_line, *lines]))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_restore_that_fails_half_way_leaves_no_row_behind(filled_backup, tmp_path, backend):
    bad = tmp_path / "duplicate.backup.gz"
    bad.write_bytes(with_a_duplicate_entry_id(filled_backup.read_bytes()))
    async with empty_database(backend, tmp_path) as target:
        with pytest.raises(DatabaseFailure, match="failed"):
            await restore_backup(target, bad)
        state = await target_state(target)
        assert "entries" in state.tables and state.with_rows == ()  # the schema was made; every row rolled back
