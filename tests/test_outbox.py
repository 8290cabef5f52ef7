"""The outbox on SQLite and PostgreSQL: dedupe keys, claiming, leases, expiry, and the migration."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select

from bot.people.schools import create_school
from bot.platform_names import SLACK, TELEGRAM
from storage import outbox
from storage.migrate import upgrade
from storage.models import DeliveryAttempt, OutboxMessage
from tests.support.notifications import local

NOW = local("2026-11-18", "16:30")


def row(key: str, school_id: int, chat_id: str = "1", platform: str = TELEGRAM, **fields) -> dict:
    values = {"dedupe_key": key, "school_id": school_id, "member_id": None, "platform": platform, "chat_id": chat_id,
              "kind": "reminder",
              "payload": {"text": key}, "not_before": NOW, "expires_at": None, "status": "pending", "attempts": 0,
              "created_at": NOW}
    return values | fields


async def school(db) -> int:
    return (await create_school(db, "合川中学", now=NOW)).school_id


async def statuses(db) -> dict[str, str]:
    async with db.transaction() as session:
        return {m.dedupe_key: m.status for m in await session.scalars(select(OutboxMessage))}


async def test_a_dedupe_key_is_planned_once(db):
    school_id = await school(db)
    async with db.transaction() as session:
        assert await outbox.insert_if_absent(session, [row("a", school_id), row("b", school_id)]) == ["a", "b"]
    async with db.transaction() as session:
        assert await outbox.insert_if_absent(session, [row("b", school_id), row("c", school_id)]) == ["c"]
        assert await outbox.statuses_of(session, ["a", "c", "zzz"]) == {"a": "pending", "c": "pending"}
    assert len(await statuses(db)) == 3


async def test_two_claimers_never_get_the_same_row(db):
    school_id = await school(db)
    async with db.transaction() as session:
        await outbox.insert_if_absent(session, [row(f"k{i}", school_id, chat_id=str(i)) for i in range(40)])

    async def claim(worker: str) -> list[int]:
        taken = []
        while True:
            async with db.transaction() as session:
                rows = await outbox.claim_due(session, NOW, worker, NOW + dt.timedelta(minutes=5), 3, TELEGRAM)
            if not rows:
                return taken
            taken += [r.id for r in rows]
            await asyncio.sleep(0)

    first, second = await asyncio.gather(claim("one"), claim("two"))
    assert sorted(first + second) == list(range(1, 41)) and not set(first) & set(second)


async def test_only_due_unexpired_rows_are_claimed_and_stale_ones_expire(db):
    school_id = await school(db)
    later = NOW + dt.timedelta(minutes=10)
    async with db.transaction() as session:
        await outbox.insert_if_absent(session, [
            row("due", school_id), row("later", school_id, not_before=later),
            row("stale", school_id, expires_at=NOW - dt.timedelta(minutes=1))])
    async with db.transaction() as session:
        assert await outbox.expire_stale(session, NOW) == [3]
        claimed = await outbox.claim_due(session, NOW, "w", NOW + dt.timedelta(minutes=5), 10, TELEGRAM)
        assert [r.dedupe_key for r in claimed] == ["due"]
        assert await outbox.next_due_at(session, NOW) == later
    assert await statuses(db) == {"due": "sending", "later": "pending", "stale": "expired"}


async def test_a_sender_claims_only_the_rows_of_its_platform(db):
    school_id = await school(db)
    async with db.transaction() as session:
        await outbox.insert_if_absent(session, [row("dm", school_id, chat_id="1001"),
                                                row("slack dm", school_id, chat_id="U01WANG", platform=SLACK)])
    async with db.transaction() as session:
        claimed = await outbox.claim_due(session, NOW, "w", NOW + dt.timedelta(minutes=5), 10, TELEGRAM)
        assert [(r.platform, r.chat_id) for r in claimed] == [(TELEGRAM, "1001")]
        assert await outbox.next_due_at(session, NOW, TELEGRAM) is None
        assert await outbox.next_due_at(session, NOW, SLACK) == NOW
    assert await statuses(db) == {"dm": "sending", "slack dm": "pending"}


async def test_a_lapsed_lease_goes_back_to_pending_and_a_lost_claim_records_nothing(db):
    school_id = await school(db)
    async with db.transaction() as session:
        await outbox.insert_if_absent(session, [row("a", school_id)])
        [claimed] = await outbox.claim_due(session, NOW, "dead", NOW + dt.timedelta(minutes=5), 10, TELEGRAM)
    async with db.transaction() as session:
        assert await outbox.recover_lapsed_leases(session, NOW + dt.timedelta(minutes=4)) == []
        assert await outbox.recover_lapsed_leases(session, NOW + dt.timedelta(minutes=6)) == [claimed.id]
        later = NOW + dt.timedelta(minutes=6)
        [again] = await outbox.claim_due(session, later, "alive", later + dt.timedelta(minutes=5), 10, TELEGRAM)
        assert again.attempts == 1
        # The dead sender's late answer no longer counts; the live one's does.
        assert not await outbox.finish(session, claimed.id, "dead", status="sent", sent_at=NOW)
        assert await outbox.finish(session, again.id, "alive", status="sent", sent_at=NOW)
    assert await statuses(db) == {"a": "sent"}


async def test_released_rows_are_due_again_as_they_were(db):
    school_id = await school(db)
    async with db.transaction() as session:
        await outbox.insert_if_absent(session, [row("a", school_id), row("b", school_id)])
        claimed = await outbox.claim_due(session, NOW, "w", NOW + dt.timedelta(minutes=5), 10, TELEGRAM)
        await outbox.release(session, [r.id for r in claimed], "w")
        await outbox.record_attempts(session, NOW, [(claimed[0].id, "sent", None)])
    assert await statuses(db) == {"a": "pending", "b": "pending"}
    async with db.transaction() as session:
        assert (await session.scalar(select(DeliveryAttempt))).outcome == "sent"


async def test_the_outbox_migration_goes_down_and_up_again(db):
    from alembic import command

    from storage.migrate import alembic_config

    async with db.engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0002"))
    await upgrade(db)
    school_id = await school(db)
    async with db.transaction() as session:
        assert await outbox.insert_if_absent(session, [row("a", school_id)]) == ["a"]
