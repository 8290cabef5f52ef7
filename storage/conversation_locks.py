"""One step at a time per conversation, across processes; and each platform update answered once.

A chat step loads a conversation's state, runs, and saves it. Two processes (replicas behind a
webhook, two DingTalk Stream connections) may receive one person's updates, so the conversation is
locked in the database while its step runs:

* on PostgreSQL with a transaction-scoped advisory lock keyed on the conversation, taken in a
  transaction that stays open for the step and in which the state is loaded, saved and the update
  recorded; the lock goes with the commit, or with the connection if the process dies;
* on SQLite, which has no such lock, with a row in ``conversation_locks`` written by the holder in a
  short transaction, renewed while the step runs, and deleted in the transaction that saves the state.
  A row whose holder stopped renewing it lapses; one left by a process that died on this host (or by
  an earlier run of this very process id) is taken over at once.

An update a platform may deliver twice (Telegram's ``update_id``, Slack's ``event_id``) is recorded in
``handled_updates`` in the same transaction as the state it led to, and checked under the lock, so a
second delivery is recognised; :func:`forget_handled` prunes the record after :data:`HANDLED_FOR`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import os
import socket
import uuid
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage import repository as repo
from storage.db import Database
from storage.models import ConversationLock, HandledUpdate
from storage.rowcount import affected_rows
from storage.types import utcnow

#: How long a handled update is remembered: platforms redeliver within minutes (Telegram, Slack: seconds).
HANDLED_FOR = dt.timedelta(hours=24)
#: SQLite: a lock row lapses this long after its holder last renewed it (it renews every third of it).
LEASE = dt.timedelta(seconds=30)
#: SQLite: the longest pause between two tries at a lock somebody else holds.
MAX_WAIT_STEP = 0.1

HOST = socket.gethostname()
#: This process, as a lock row's holder: host, process id, and a token no earlier run with this pid had.
HOLDER = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class UpdateRef:
    """One delivery of a platform's update, by the platform's own id for it."""

    platform: str
    update_id: str


class HeldConversation:
    """A conversation locked for one step: its saved state, whether the update was handled already, and the
    write that ends the step (:meth:`finish`)."""

    def __init__(self, db: Database, kind: str, key: str, value: dict | None, update: UpdateRef | None,
                 duplicate: bool, *, session: AsyncSession | None = None, lock_row: str | None = None) -> None:
        self.kind, self.key, self.value, self.update, self.duplicate = kind, key, value, update, duplicate
        self._db, self._session, self._lock_row = db, session, lock_row
        self.finished = False

    async def finish(self, value: dict | None, now: dt.datetime) -> None:
        """Save the state the step left (None: no conversation) and record the update, in one transaction
        (on SQLite the one that also frees the lock row)."""
        if self._session is not None:
            await self._write(self._session, value, now)
        else:
            async with self._db.transaction() as session:
                await self._write(session, value, now)
                if self._lock_row is not None:
                    await _release(session, self._lock_row)
        self.finished = True

    async def _write(self, session: AsyncSession, value: dict | None, now: dt.datetime) -> None:
        if value != self.value:
            if value is None:
                await repo.drop_chat_state(session, self.kind, [self.key])
            else:
                await repo.save_chat_state(session, self.kind, self.key, value)
        if self.update is not None:
            await record_handled(session, self.update, now)


_HOLDERS: weakref.WeakKeyDictionary[Database, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _holders(db: Database) -> asyncio.Semaphore:
    """At most a pool's worth of steps hold a lock's connection at once, so their own queries still find one."""
    if db not in _HOLDERS:
        size = getattr(db.engine.pool, "size", lambda: 5)()
        _HOLDERS[db] = asyncio.Semaphore(max(1, size))
    return _HOLDERS[db]


def lock_name(kind: str, key: str) -> str:
    return hashlib.blake2b(f"{kind}\0{key}".encode(), digest_size=16).hexdigest()


def advisory_key(kind: str, key: str) -> int:
    """A signed 64-bit key for `pg_advisory_xact_lock`, from the conversation's name."""
    digest = hashlib.blake2b(f"{kind}\0{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextlib.asynccontextmanager
async def hold(db: Database, kind: str, key: str, update: UpdateRef | None) -> AsyncIterator[HeldConversation]:
    """Lock the conversation (kind, key) until the block ends; the state is saved by `finish` inside it.

    A block left without `finish` (an error, a duplicate) saves nothing and records nothing.
    """
    if db.dialect == "postgresql":
        async with _holders(db), db.transaction() as session:
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key(kind, key)})
            duplicate = update is not None and await was_handled(session, update)
            value = None if duplicate else await repo.load_chat_state_row(session, kind, key)
            yield HeldConversation(db, kind, key, value, update, duplicate, session=session)
        return
    name = lock_name(kind, key)
    value, duplicate = await _take(db, kind, key, name, update)
    held = HeldConversation(db, kind, key, value, update, duplicate, lock_row=name)
    renewing = asyncio.create_task(_renew(db, name))
    try:
        yield held
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        if not held.finished:
            async with db.transaction() as session:
                await _release(session, name)


async def _take(db: Database, kind: str, key: str, name: str,
                update: UpdateRef | None) -> tuple[dict | None, bool]:
    """Wait for the lock row, then read the state and whether the update was handled, in the same transaction."""
    pause = 0.005
    while True:
        async with db.transaction() as session:
            if await _claim(session, name):
                duplicate = update is not None and await was_handled(session, update)
                value = None if duplicate else await repo.load_chat_state_row(session, kind, key)
                return value, duplicate
        await asyncio.sleep(pause)
        pause = min(pause * 2, MAX_WAIT_STEP)


async def _claim(session: AsyncSession, name: str) -> bool:
    """Take the lock row if it is free, lapsed, or left by a process that is gone; its first statement writes,
    so SQLite's write lock is held from the start and the reads after it are current."""
    now = utcnow()
    statement = sqlite_insert(ConversationLock).values(conversation=name, holder=HOLDER, until=now + LEASE)
    statement = statement.on_conflict_do_update(
        index_elements=[ConversationLock.conversation],
        set_={"holder": statement.excluded.holder, "until": statement.excluded.until},
        where=ConversationLock.until < now)
    if affected_rows(await session.execute(statement)):
        return True
    holder = await session.scalar(select(ConversationLock.holder).where(ConversationLock.conversation == name))
    if holder is None or holder == HOLDER or not holder_is_gone(holder):
        return False
    taken = await session.execute(update(ConversationLock)
                                  .where(ConversationLock.conversation == name, ConversationLock.holder == holder)
                                  .values(holder=HOLDER, until=now + LEASE))
    return affected_rows(taken) == 1


def holder_is_gone(holder: str) -> bool:
    """Whether the process named `holder` has ended: known only for processes of this host."""
    host, pid_text, _token = (holder.rsplit(":", 2) + ["", ""])[:3]
    if host != HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True  # an earlier run that had this process id: its token differs from ours
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


async def _renew(db: Database, name: str) -> None:
    """Push the lock row's lapse back while the step runs, so a long step keeps it."""
    while True:
        await asyncio.sleep(LEASE.total_seconds() / 3)
        async with db.transaction() as session:
            await session.execute(update(ConversationLock)
                                  .where(ConversationLock.conversation == name, ConversationLock.holder == HOLDER)
                                  .values(until=utcnow() + LEASE))


async def _release(session: AsyncSession, name: str) -> None:
    await session.execute(delete(ConversationLock)
                          .where(ConversationLock.conversation == name, ConversationLock.holder == HOLDER))


async def was_handled(session: AsyncSession, update: UpdateRef) -> bool:
    found = await session.scalar(select(HandledUpdate.handled_at).where(
        HandledUpdate.platform == update.platform, HandledUpdate.update_id == update.update_id))
    return found is not None


async def record_handled(session: AsyncSession, update: UpdateRef, now: dt.datetime) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(insert(HandledUpdate).values(platform=update.platform, update_id=update.update_id,
                                                       handled_at=now).on_conflict_do_nothing())


async def forget_handled(db: Database, before: dt.datetime) -> int:
    """Drop the record of updates handled before `before`; how many."""
    async with db.transaction() as session:
        return affected_rows(await session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before)))
