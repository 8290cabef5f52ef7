"""Queries for the notification outbox, its delivery record, and the group chats linked to schools.

Row life cycle (`OutboxMessage.status`)::

    pending ──claim──▶ sending ──▶ sent
       ▲                 │  ├────▶ failed      (permanent error, blocked, or too many attempts)
       └──retry/release──┘  └────▶ cancelled   (no longer wanted: group unlinked, member away …)
    pending ──past expires_at──▶ expired

Claiming is what makes two senders safe on one database: on PostgreSQL the due
rows are locked with ``SELECT … FOR UPDATE SKIP LOCKED`` and then marked, so
concurrent claimers take disjoint rows; on SQLite one conditional
``UPDATE … WHERE status = 'pending'`` marks them (SQLite lets one writer in at a
time). A claim holds a lease: ``sending`` rows whose lease ran out belong to a
sender that died, and go back to ``pending``. Every outcome update is
conditional on the row still being claimed by the same sender.

A chat is addressed as (platform, chat id as text): a sender claims only the rows
of the platform it delivers through, and group links are unique per platform.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DeliveryAttempt, GroupLink, Member, OutboxMessage, School
from storage.rowcount import affected_rows

PENDING, SENDING, SENT, FAILED, EXPIRED, CANCELLED = "pending", "sending", "sent", "failed", "expired", "cancelled"
KEY_CHUNK = 1000


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _dialect_insert(session: AsyncSession):
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"the outbox needs SQLite or PostgreSQL, not {name}")


# --- planning -----------------------------------------------------------------------------------

async def insert_if_absent(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[str]:
    """Insert outbox rows whose dedupe key is new (INSERT … ON CONFLICT DO NOTHING); the keys inserted."""
    if not rows:
        return []
    statement = (_dialect_insert(session)(OutboxMessage)
                 .on_conflict_do_nothing(index_elements=["dedupe_key"])
                 .returning(OutboxMessage.dedupe_key))
    # Many parameter sets: SQLAlchemy batches them into multi-row INSERTs ("insertmanyvalues").
    return list(await session.scalars(statement, list(rows)))


async def statuses_of(session: AsyncSession, keys: Sequence[str]) -> dict[str, str]:
    """dedupe key → status, for the keys already in the outbox."""
    found: dict[str, str] = {}
    for chunk in _chunks(list(keys), KEY_CHUNK):
        rows = await session.execute(
            select(OutboxMessage.dedupe_key, OutboxMessage.status).where(OutboxMessage.dedupe_key.in_(chunk)))
        found.update({key: status for key, status in rows})
    return found


async def all_schools(session: AsyncSession) -> list[School]:
    return list(await session.scalars(select(School).order_by(School.id)))


# --- claiming and outcomes ----------------------------------------------------------------------

async def expire_stale(session: AsyncSession, now: dt.datetime) -> list[int]:
    """Pending rows past their expiry become 'expired'; their ids."""
    rows = await session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.status == PENDING, OutboxMessage.expires_at <= now)
        .values(status=EXPIRED)
        .returning(OutboxMessage.id))
    return list(rows)


async def recover_lapsed_leases(session: AsyncSession, now: dt.datetime) -> list[int]:
    """'sending' rows whose lease ran out (their sender died) go back to 'pending', an attempt spent; their ids."""
    rows = await session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.lease_until < now)
        .values(status=PENDING, claimed_by=None, lease_until=None, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id))
    return list(rows)


def _due(now: dt.datetime, platform: str):
    return and_(OutboxMessage.status == PENDING, OutboxMessage.platform == platform, OutboxMessage.not_before <= now,
                or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now))


async def claim_due(session: AsyncSession, now: dt.datetime, worker_id: str, lease_until: dt.datetime,
                    limit: int, platform: str, chat_id: str | None = None) -> list[OutboxMessage]:
    """Mark up to `limit` due rows of the platform (of that one chat, when `chat_id` is given) as being sent by
    `worker_id` until `lease_until`; the claimed rows.

    Oldest first. Concurrent claimers never get the same row (see the module docstring).
    """
    due = _due(now, platform) if chat_id is None else and_(_due(now, platform), OutboxMessage.chat_id == chat_id)
    candidates = select(OutboxMessage.id).where(due) \
        .order_by(OutboxMessage.not_before, OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(await session.scalars(candidates.with_for_update(skip_locked=True)))
        if not ids:
            return []
        condition: ColumnElement[bool] = OutboxMessage.id.in_(ids)
    else:
        condition = and_(OutboxMessage.id.in_(candidates.scalar_subquery()), OutboxMessage.status == PENDING)
    claimed = list(await session.scalars(
        update(OutboxMessage).where(condition)
        .values(status=SENDING, claimed_by=worker_id, lease_until=lease_until)
        .returning(OutboxMessage.id)))
    if not claimed:
        return []
    rows = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .execution_options(populate_existing=True))
    return list(rows)


def _claimed_by(outbox_id: int, worker_id: str):
    return and_(OutboxMessage.id == outbox_id, OutboxMessage.status == SENDING,
                OutboxMessage.claimed_by == worker_id)


async def finish(session: AsyncSession, outbox_id: int, worker_id: str, *, status: str,
                 error: str | None = None, sent_at: dt.datetime | None = None, counts: bool = True) -> bool:
    """Record a final status (sent, failed, cancelled); False when the claim was lost meanwhile."""
    values: dict[str, Any] = {"status": status, "claimed_by": None, "lease_until": None, "last_error": error}
    if sent_at is not None:
        values["sent_at"] = sent_at
    if counts:
        values["attempts"] = OutboxMessage.attempts + 1
    result = await session.execute(update(OutboxMessage).where(_claimed_by(outbox_id, worker_id)).values(**values))
    return affected_rows(result) == 1


async def retry_later(session: AsyncSession, outbox_id: int, worker_id: str, not_before: dt.datetime, *,
                      error: str | None, counts: bool, chat_id: str | None = None) -> bool:
    """Put a claimed row back to 'pending' until `not_before`; `counts` adds it to its attempts."""
    values: dict[str, Any] = {"status": PENDING, "claimed_by": None, "lease_until": None,
                              "not_before": not_before, "last_error": error}
    if counts:
        values["attempts"] = OutboxMessage.attempts + 1
    if chat_id is not None:
        values["chat_id"] = chat_id
    result = await session.execute(update(OutboxMessage).where(_claimed_by(outbox_id, worker_id)).values(**values))
    return affected_rows(result) == 1


async def release(session: AsyncSession, outbox_ids: Sequence[int], worker_id: str) -> None:
    """Give claimed rows that were never tried back to 'pending', as they were."""
    if outbox_ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(outbox_ids)), OutboxMessage.status == SENDING,
                   OutboxMessage.claimed_by == worker_id)
            .values(status=PENDING, claimed_by=None, lease_until=None))


async def record_attempts(session: AsyncSession, at: dt.datetime,
                          outcomes: Iterable[tuple[int, str, str | None]]) -> None:
    """One delivery_attempts row per (outbox id, outcome, detail)."""
    session.add_all(DeliveryAttempt(outbox_id=outbox_id, at=at, outcome=outcome, detail=detail)
                    for outbox_id, outcome, detail in outcomes)
    await session.flush()


async def next_due_at(session: AsyncSession, now: dt.datetime, platform: str | None = None) -> dt.datetime | None:
    """When the earliest pending, unexpired row (of the platform, when given) becomes due (now or later); None
    when nothing waits."""
    query = select(func.min(OutboxMessage.not_before)).where(
        OutboxMessage.status == PENDING, or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now))
    if platform is not None:
        query = query.where(OutboxMessage.platform == platform)
    return await session.scalar(query)


async def move_chat(session: AsyncSession, platform: str, old_chat_id: str, new_chat_id: str) -> None:
    """The platform moved a group to a new id (a Telegram group became a supergroup): messages not sent yet
    follow it."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.platform == platform, OutboxMessage.chat_id == old_chat_id,
               OutboxMessage.status.in_([PENDING, SENDING]))
        .values(chat_id=new_chat_id))


async def cancel_unsent_for_chat(session: AsyncSession, platform: str, chat_id: str, worker_id: str,
                                 reason: str) -> list[int]:
    """The chat cannot be reached: its messages waiting, or claimed by `worker_id` and not tried, are
    cancelled; their ids."""
    rows = await session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.platform == platform, OutboxMessage.chat_id == chat_id,
               or_(OutboxMessage.status == PENDING,
                   and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_by == worker_id)))
        .values(status=CANCELLED, claimed_by=None, lease_until=None, last_error=reason)
        .returning(OutboxMessage.id))
    return list(rows)


async def members_by_id(session: AsyncSession, member_ids: Iterable[int]) -> dict[int, Member]:
    """The recipients of a claimed batch, to check they still want their messages."""
    ids = list(set(member_ids))
    if not ids:
        return {}
    return {member.id: member for member in await session.scalars(select(Member).where(Member.id.in_(ids)))}


# --- group links --------------------------------------------------------------------------------

async def group_link(session: AsyncSession, platform: str, chat_id: str) -> GroupLink | None:
    return await session.scalar(select(GroupLink).where(GroupLink.platform == platform, GroupLink.chat_id == chat_id))


async def group_links_by_id(session: AsyncSession, link_ids: Iterable[int]) -> dict[int, GroupLink]:
    ids = list(set(link_ids))
    if not ids:
        return {}
    return {link.id: link for link in await session.scalars(select(GroupLink).where(GroupLink.id.in_(ids)))}


async def active_group_links_of_schools(session: AsyncSession, school_ids: Sequence[int]) -> dict[int, list[GroupLink]]:
    """Each school's active group links, by id (every school present, maybe empty), in one statement."""
    found: dict[int, list[GroupLink]] = {school_id: [] for school_id in school_ids}
    for link in await session.scalars(
            select(GroupLink).where(GroupLink.school_id.in_(list(school_ids)), GroupLink.active.is_(True))
            .order_by(GroupLink.id)):
        found[link.school_id].append(link)
    return found


async def move_group_link(session: AsyncSession, platform: str, old_chat_id: str, new_chat_id: str) -> None:
    """Follow a group to its new chat id; if the new id is already linked, the old link is retired."""
    old = await group_link(session, platform, old_chat_id)
    if old is None:
        return
    if await group_link(session, platform, new_chat_id) is not None:
        old.active = False
    else:
        old.chat_id = new_chat_id
    await session.flush()
