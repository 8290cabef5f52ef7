"""One step at a time per conversation, across processes; and each platform update answered once.

A chat step loads a conversation's state, runs, and saves it. Two processes (replicas behind a
webhook, two DingTalk Stream connections) may receive one person's updates, so the conversation is
locked while its step runs:

* on PostgreSQL with a transaction-scoped advisory lock keyed on the conversation, taken in a
  transaction that stays open for the step, in which the state is loaded and then saved with the
  update's record; the lock goes with the commit, or with the connection if the process dies;
* on SQLite, whose processes all share one file on one machine, with an exclusive `flock` on a lock
  file next to the database (one of :data:`LOCK_FILES`, chosen by the conversation), which the
  kernel releases when the process ends however it ends. An in-memory database is never shared
  between processes, so it takes no file lock.

An update a platform may deliver twice (Telegram's ``update_id``, Slack's ``event_id``) is recorded in
``handled_updates`` in the same transaction as the state it led to, and checked under the lock, so a
second delivery is recognised; :func:`forget_handled` prunes the record after :data:`HANDLED_FOR`.

Every chat step runs these statements, so they are built once (:func:`statements`), compiled once for the
driver, and sent straight to the pooled connection's driver (:class:`_DirectStep`), past SQLAlchemy's adapter:
on aiosqlite each of the adapter's statements is four hand-offs to the driver's thread (cursor, execute, fetch,
close) where ``execute_fetchall`` is one, so a step takes four instead of twelve (with the pool's reset, which
skips its rollback when nothing is open: :mod:`storage.db`); on asyncpg the transaction begins with the advisory
lock in one round trip, and the state and the update's record are written by one statement, so a step takes
four round trips instead of five.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import json
import os
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Executable, Text, bindparam, cast, delete, exists, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.dialects.sqlite.aiosqlite import dialect as aiosqlite_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.errors import DatabaseFailure, known_failure
from storage.models import ChatState, HandledUpdate
from storage.rowcount import affected_rows
from storage.types import utcnow

#: How long a handled update is remembered: platforms redeliver within minutes (Telegram, Slack: seconds).
HANDLED_FOR = dt.timedelta(hours=24)
#: SQLite: how many lock files conversations share (two conversations on one file only wait for each other).
LOCK_FILES = 256
#: SQLite: the longest pause between two tries at a lock file another step holds.
MAX_PAUSE = 0.05


@dataclass(frozen=True)
class UpdateRef:
    """One delivery of a platform's update, by the platform's own id for it."""

    platform: str
    update_id: str


class HeldConversation:
    """A conversation locked for one step: its saved state (JSON, decoded afresh for this step: the step may change
    it), whether the update was handled already, and :meth:`finish`, the write that ends the step."""

    def __init__(self, db: Database, kind: str, key: str, saved_text: str | None, update: UpdateRef | None,
                 duplicate: bool, step: _DirectStep | None = None) -> None:
        """`saved_text` is the state as stored (JSON text). With `step`, `finish` writes through that driver
        connection; without, in a transaction of its own."""
        self.kind, self.key, self.update, self.duplicate = kind, key, update, duplicate
        self.value: dict | None = json.loads(saved_text) if saved_text is not None else None
        self._db, self._saved_text, self._step = db, saved_text, step

    async def finish(self, value: dict | None, now: dt.datetime) -> None:
        """Save the state the step left (None: no conversation) and record the update, in one transaction; an
        unchanged state is not written again."""
        text_value = _dumps(value) if value is not None else None
        changed = text_value != self._saved_text
        if self._step is not None:
            await self._step.finish(self.kind, self.key, text_value, changed, self.update, now)
            return
        prepared = statements(self._db.dialect)
        async with self._db.engine.begin() as connection:
            if changed:
                await connection.execute(prepared.save if value is not None else prepared.drop,
                                         {"kind": self.kind, "key": self.key, "value": value, "updated_at": utcnow()})
            if self.update is not None:
                await connection.execute(prepared.record, {"platform": self.update.platform,
                                                           "update_id": self.update.update_id, "handled_at": now})


def _dumps(value: dict) -> str:
    """A state as JSON text, as SQLAlchemy's JSON type writes it (the standard library's defaults)."""
    return json.dumps(value)


@contextlib.asynccontextmanager
async def hold(db: Database, kind: str, key: str, update: UpdateRef | None) -> AsyncIterator[HeldConversation]:
    """Lock the conversation (kind, key) until the block ends; the state is saved by `finish` inside it.

    A block left without `finish` (an error, a duplicate) saves nothing and records nothing.
    """
    path = lock_file(db, kind, key) if db.dialect == "sqlite" else None
    if db.dialect == "sqlite" and path is None:
        # In memory: one process, and perhaps one connection the step's own queries need, so none is held.
        async with db.engine.connect() as connection:
            saved_text, duplicate = await _state_and_handled(connection, kind, key, update)
        yield HeldConversation(db, kind, key, saved_text, update, duplicate)
        return
    # One connection for the load and the save. On SQLite the read takes no lock, so holding it blocks no one;
    # on PostgreSQL its transaction holds the advisory lock.
    async with _file_lock(path), _holders(db), db.engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        step: _DirectStep = _PostgresStep(db, driver) if db.dialect == "postgresql" else _SqliteStep(db, driver)
        try:
            saved_text, duplicate = await step.lock_and_load(kind, key, update)
            yield HeldConversation(db, kind, key, saved_text, update, duplicate, step)
        finally:
            if not await step.ended():
                await connection.invalidate()  # closed, so the database undoes what the step began


async def _state_and_handled(connection: AsyncConnection, kind: str, key: str,
                             update: UpdateRef | None) -> tuple[str | None, bool]:
    """The saved state (JSON text) and whether the update was handled, in one statement."""
    prepared = statements(connection.dialect.name)
    if update is None:
        return (await connection.execute(prepared.state, {"kind": kind, "key": key})).scalar_one(), False
    row = (await connection.execute(prepared.state_and_handled, {"kind": kind, "key": key, "platform": update.platform,
                                                                 "update_id": update.update_id})).one()
    duplicate = bool(row[1])
    return (None if duplicate else row[0]), duplicate


class _DirectStep:
    """A step's statements sent straight to the pooled connection's driver (aiosqlite, asyncpg), as SQL compiled
    once (:func:`_direct_sql`): the lock and the load, the save or drop with the update's record, the commit. The
    pool's connection is left as it was found: committed, or rolled back when the step ends without finishing."""

    def __init__(self, db: Database, driver: Any) -> None:
        self.db, self.driver = db, driver
        self.sql = _direct_sql(db.dialect)

    async def lock_and_load(self, kind: str, key: str, update: UpdateRef | None) -> tuple[str | None, bool]:
        """The saved state (JSON text) and whether the update was handled; the conversation locked first."""
        with _known_failures(self.db):
            await self.lock(kind, key)
            if update is None:
                return (await self.fetch(self.sql.state, kind, key))[0][0], False
            text_value, handled = (await self.fetch(self.sql.state_and_handled, kind, key, update.platform,
                                                    update.update_id))[0]
            return (None if handled else text_value), bool(handled)

    async def finish(self, kind: str, key: str, text_value: str | None, changed: bool, update: UpdateRef | None,
                     now: dt.datetime) -> None:
        stamp = self.sql.timestamp
        with _known_failures(self.db):
            if changed and text_value is not None and update is not None and self.sql.save_and_record is not None:
                await self.fetch(self.sql.save_and_record, update.platform, update.update_id, stamp(now), kind, key,
                                 text_value, stamp(utcnow()))
            else:
                if changed and text_value is not None:
                    await self.fetch(self.sql.save, kind, key, text_value, stamp(utcnow()))
                elif changed:
                    await self.fetch(self.sql.drop, kind, key)
                if update is not None:
                    await self.fetch(self.sql.record, update.platform, update.update_id, stamp(now))
            await self.commit()

    async def lock(self, kind: str, key: str) -> None:
        raise NotImplementedError

    async def fetch(self, statement: str, *parameters: object) -> list:
        raise NotImplementedError

    async def commit(self) -> None:
        raise NotImplementedError

    async def ended(self) -> bool:
        """Roll back what the step began and did not commit; False when even that failed."""
        raise NotImplementedError


@contextlib.contextmanager
def _known_failures(db: Database) -> Iterator[None]:
    """A driver's error for an unreachable, refused or read-only database as the :class:`DatabaseFailure` the
    engine's statements raise (see :mod:`storage.db`); others as they are."""
    try:
        yield
    except Exception as error:
        message = known_failure(error, db.url)
        if message is None:
            raise
        raise DatabaseFailure(message) from error


class _SqliteStep(_DirectStep):
    """On aiosqlite each call is one hand-off to its thread (SQLAlchemy's adapter makes four of a statement:
    cursor, execute, fetch, close). The lock is the file lock :func:`hold` takes; the first write begins the
    transaction (the driver's implicit BEGIN)."""

    async def lock(self, kind: str, key: str) -> None:
        pass

    async def fetch(self, statement: str, *parameters: object) -> list:
        self.db.sent_directly(statement)
        return list(await self.driver.execute_fetchall(statement, parameters))

    async def commit(self) -> None:
        if self.driver.in_transaction:
            self.db.sent_directly("COMMIT")
            await self.driver.commit()

    async def ended(self) -> bool:
        try:
            if self.driver.in_transaction:
                await self.driver.rollback()
        except Exception:
            return False
        return True


class _PostgresStep(_DirectStep):
    """On asyncpg the transaction begins with the advisory lock in one round trip (the simple query protocol
    takes both statements; the key is a number this module makes), and the load runs after the lock is granted,
    so it reads what the step before saved."""

    async def lock(self, kind: str, key: str) -> None:
        script = f"BEGIN; SELECT pg_advisory_xact_lock({int(advisory_key(kind, key))})"
        self.db.sent_directly(script)
        await self.driver.execute(script)

    async def fetch(self, statement: str, *parameters: object) -> list:
        self.db.sent_directly(statement)
        return list(await self.driver.fetch(statement, *parameters))

    async def commit(self) -> None:
        self.db.sent_directly("COMMIT")
        await self.driver.execute("COMMIT")

    async def ended(self) -> bool:
        try:
            if self.driver.is_in_transaction():
                self.db.sent_directly("ROLLBACK")
                await self.driver.execute("ROLLBACK")
        except BaseException:  # cancelled, or the connection broke: it is closed instead
            return False
        return True


@dataclass(frozen=True)
class _DirectSql:
    """The statements of :func:`statements` as SQL text with positional parameters for one driver, and the stored
    form of a timestamp."""

    state: str
    state_and_handled: str
    save: str
    drop: str
    record: str
    save_and_record: str | None
    timestamp: Callable[[dt.datetime], object]


@functools.cache
def _direct_sql(dialect_name: str) -> _DirectSql:
    """:func:`statements` compiled for aiosqlite or asyncpg, the state read as JSON text; each statement's
    parameters checked, once, to be in the order :class:`_DirectStep` passes them."""
    dialect = asyncpg_dialect() if dialect_name == "postgresql" else aiosqlite_dialect()
    prepared = statements(dialect_name)
    orders = {"state": ("kind", "key"), "state_and_handled": ("kind", "key", "platform", "update_id"),
              "save": ("kind", "key", "value", "updated_at"), "drop": ("kind", "key"),
              "record": ("platform", "update_id", "handled_at"),
              "save_and_record": ("platform", "update_id", "handled_at", "kind", "key", "value", "updated_at")}
    sql: dict[str, str | None] = {}
    for name, order in orders.items():
        statement = getattr(prepared, name)
        if statement is None:
            sql[name] = None
            continue
        compiled = statement.compile(dialect=dialect)
        if tuple(compiled.positiontup or ()) != order:
            raise RuntimeError(f"the {name} statement takes {compiled.positiontup}, not {order}")
        sql[name] = str(compiled)
    to_stored = HandledUpdate.__table__.c.handled_at.type.bind_processor(dialect)
    return _DirectSql(**sql, timestamp=to_stored or (lambda value: value))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Statements:
    """A step's statements, with their values as bound parameters (``kind``, ``key``, ``value``, ``updated_at``;
    ``platform``, ``update_id``, ``handled_at``); the state is read as its JSON text."""

    state: Executable
    state_and_handled: Executable
    save: Executable
    drop: Executable
    record: Executable
    #: The save and the record in one statement (PostgreSQL: a data-modifying WITH); None where there is none.
    save_and_record: Executable | None


@functools.cache
def statements(dialect: str) -> Statements:
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    state = select(cast(ChatState.value, Text)).where(ChatState.kind == bindparam("kind"),
                                                      ChatState.key == bindparam("key"))
    handled = exists().where(HandledUpdate.platform == bindparam("platform"),
                             HandledUpdate.update_id == bindparam("update_id"))
    save = insert(ChatState).values(kind=bindparam("kind"), key=bindparam("key"), value=bindparam("value"),
                                    updated_at=bindparam("updated_at"))
    save = save.on_conflict_do_update(index_elements=[ChatState.kind, ChatState.key],
                                      set_={"value": save.excluded.value, "updated_at": save.excluded.updated_at})
    record = insert(HandledUpdate).values(platform=bindparam("platform"), update_id=bindparam("update_id"),
                                          handled_at=bindparam("handled_at")).on_conflict_do_nothing()
    drop = delete(ChatState).where(ChatState.kind == bindparam("kind"), ChatState.key == bindparam("key"))
    save_and_record = None
    if dialect == "postgresql":
        columns = ChatState.__table__.c
        save_and_record = text(
            "WITH handled AS (INSERT INTO handled_updates (platform, update_id, handled_at) "
            "VALUES (:platform, :update_id, :handled_at) ON CONFLICT DO NOTHING) "
            "INSERT INTO chat_state (kind, key, value, updated_at) VALUES (:kind, :key, :value, :updated_at) "
            "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        ).bindparams(bindparam("value", type_=columns.value.type),
                     bindparam("updated_at", type_=columns.updated_at.type),
                     bindparam("handled_at", type_=HandledUpdate.__table__.c.handled_at.type))
    return Statements(select(state.scalar_subquery()),
                      select(state.scalar_subquery(), handled), save, drop, record, save_and_record)


_HOLDERS: weakref.WeakKeyDictionary[Database, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _holders(db: Database) -> asyncio.Semaphore:
    """At most a pool's worth of steps hold a lock's connection at once, so their own queries still find one."""
    if db not in _HOLDERS:
        size = getattr(db.engine.pool, "size", lambda: 5)()
        _HOLDERS[db] = asyncio.Semaphore(max(1, size))
    return _HOLDERS[db]


def advisory_key(kind: str, key: str) -> int:
    """A signed 64-bit key for `pg_advisory_xact_lock`, from the conversation's name."""
    digest = hashlib.blake2b(f"{kind}\0{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_file(db: Database, kind: str, key: str) -> Path | None:
    """The lock file of this conversation, next to the SQLite file; None for an in-memory database."""
    directory = _lock_directory(db.url)
    if directory is None:
        return None
    digest = hashlib.blake2b(f"{kind}\0{key}".encode(), digest_size=8).digest()
    return directory / f"{int.from_bytes(digest, 'big') % LOCK_FILES:03d}"


@functools.cache
def _lock_directory(url: str) -> Path | None:
    """Where the lock files of the SQLite database at `url` are; None for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:" or "mode=memory" in database:
        return None
    path = Path(database.removeprefix("file:").split("?", 1)[0])
    return path.with_name(f"{path.name}-locks")


@contextlib.asynccontextmanager
async def _file_lock(path: Path | None) -> AsyncIterator[None]:
    """An exclusive flock on `path`, waited for without blocking the event loop. Each holder opens the file
    itself, so two steps of one process exclude each other as two processes do."""
    if path is None:
        yield
        return
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except FileNotFoundError:  # the first step on this database makes the folder (not every step: a system call)
        path.parent.mkdir(exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        pause = 0.001
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)
        yield
    finally:
        os.close(descriptor)  # closing the only descriptor of this open file releases its lock


async def forget_handled(db: Database, before: dt.datetime) -> int:
    """Drop the record of updates handled before `before`; how many."""
    async with db.transaction() as session:
        return affected_rows(await session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before)))
