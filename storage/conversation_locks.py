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
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, exists, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from storage import repository as repo
from storage.db import Database
from storage.models import ChatState, HandledUpdate
from storage.rowcount import affected_rows

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
    """A conversation locked for one step: its saved state (JSON), whether the update was handled already,
    and :meth:`finish`, the write that ends the step."""

    def __init__(self, db: Database, kind: str, key: str, value: dict | None, update: UpdateRef | None,
                 duplicate: bool, session: AsyncSession | None = None) -> None:
        self.kind, self.key, self.value, self.update, self.duplicate = kind, key, value, update, duplicate
        self._db, self._session = db, session

    async def finish(self, value: dict | None, now: dt.datetime) -> None:
        """Save the state the step left (None: no conversation) and record the update, in one transaction."""
        if self._session is not None:
            await self._write(self._session, value, now)
            return
        async with self._db.transaction() as session:
            await self._write(session, value, now)

    async def _write(self, session: AsyncSession, value: dict | None, now: dt.datetime) -> None:
        if value != self.value:
            if value is None:
                await repo.drop_chat_state(session, self.kind, [self.key])
            else:
                await repo.save_chat_state(session, self.kind, self.key, value)
        if self.update is not None:
            await record_handled(session, self.update, now)


@contextlib.asynccontextmanager
async def hold(db: Database, kind: str, key: str, update: UpdateRef | None) -> AsyncIterator[HeldConversation]:
    """Lock the conversation (kind, key) until the block ends; the state is saved by `finish` inside it.

    A block left without `finish` (an error, a duplicate) saves nothing and records nothing.
    """
    if db.dialect == "postgresql":
        async with _holders(db), db.transaction() as session:
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key(kind, key)})
            value, duplicate = await _state_and_handled(session, kind, key, update)
            yield HeldConversation(db, kind, key, value, update, duplicate, session)
        return
    async with _file_lock(lock_file(db, kind, key)):
        async with db.transaction() as session:
            value, duplicate = await _state_and_handled(session, kind, key, update)
        yield HeldConversation(db, kind, key, value, update, duplicate)


async def _state_and_handled(session: AsyncSession, kind: str, key: str,
                             update: UpdateRef | None) -> tuple[dict | None, bool]:
    """The saved state and whether the update was handled, in one statement."""
    state = select(ChatState.value).where(ChatState.kind == kind, ChatState.key == key).scalar_subquery()
    handled = exists().where(HandledUpdate.platform == update.platform, HandledUpdate.update_id == update.update_id) \
        if update is not None else None
    row = (await session.execute(select(state, handled) if handled is not None else select(state))).one()
    duplicate = bool(row[1]) if handled is not None else False
    return (None if duplicate else row[0]), duplicate


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
    database = make_url(db.url).database
    if not database or database == ":memory:" or "mode=memory" in database:
        return None
    path = Path(database.removeprefix("file:").split("?", 1)[0])
    digest = hashlib.blake2b(f"{kind}\0{key}".encode(), digest_size=8).digest()
    return path.with_name(f"{path.name}-locks") / f"{int.from_bytes(digest, 'big') % LOCK_FILES:03d}"


@contextlib.asynccontextmanager
async def _file_lock(path: Path | None) -> AsyncIterator[None]:
    """An exclusive flock on `path`, waited for without blocking the event loop. Each holder opens the file
    itself, so two steps of one process exclude each other as two processes do."""
    if path is None:
        yield
        return
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


async def record_handled(session: AsyncSession, update: UpdateRef, now: dt.datetime) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(insert(HandledUpdate).values(platform=update.platform, update_id=update.update_id,
                                                       handled_at=now).on_conflict_do_nothing())


async def forget_handled(db: Database, before: dt.datetime) -> int:
    """Drop the record of updates handled before `before`; how many."""
    async with db.transaction() as session:
        return affected_rows(await session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before)))
