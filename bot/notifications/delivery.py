"""Delivery: one step of the sender — claim due outbox rows, send them, record every outcome.

Any number of senders may run :func:`deliver_due` against one database (the
bot's repeating job, `teachlog worker` processes): claiming gives each row to
one of them (see :mod:`storage.outbox`). A sender is given the messenger of one
platform and claims only that platform's rows. What happens to a row:

* sent → ``sent``;
* the platform asks to slow down (429) → back to ``pending`` until the time it
  names, not counted as an attempt; this step stops sending;
* timeout, network or server error → ``pending`` again after an exponential
  backoff (15 s, 30 s, 1 min … at most 10 min); after ``max_attempts`` → ``failed``;
* refused as it is (bad request) → ``failed``;
* the member blocked the bot → ``failed``, the member whose account the chat is
  becomes inactive with ``blocked_at`` set (the leaders' digest lists them), their other pending
  messages are cancelled; a group that removed the bot is unlinked the same way;
* the group moved to a new id → its link and its unsent messages follow, and
  the row is due again at once for the new id;
* the platform's monthly quota is used up (DingTalk's free organisation) → back
  to ``pending``, not counted; the platform is held (one row of ``chat_state``,
  see :mod:`storage.delivery_holds`) until the month turns where the school is, or
  ``teachlog notify --resume PLATFORM``; the hold is logged once, by the sender
  that placed it, and while it lasts only chats reachable without a counted call
  (an open session webhook) are served;
* no longer wanted when its turn comes (member inactive, away or opted out
  of reminders; group unlinked) → ``cancelled``, never sent.

Where the messenger sends one reply to several people in one call (a
:class:`~bot.notifications.messenger.BatchMessenger`: DingTalk's batchSend, 20
people), rows due together that show the same reply in people's 1:1 chats go in
one call; each row's outcome is still recorded once, a failure of the whole call
being every row's, and a slow-down holding them all back to go together later.

A sender that dies mid-step leaves rows ``sending``; once their lease lapses
the next step puts them back to ``pending`` (counted as an attempt). A message
Telegram accepted just before the sender died, or whose answer timed out after
it was delivered, may then be sent again: the Bot API offers no idempotency
key, so that narrow window is the one place a duplicate can come from.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.notifications.messenger import (
    BatchMessenger,
    ChatMoved,
    DeliveryError,
    Messenger,
    QuotaExhausted,
    RetryLater,
    TransientFailure,
    Unreachable,
)
from bot.notifications.stored_reply import REPLY, reply_of_row
from bot.observability.metrics import delivery_recorded
from storage import delivery_holds, outbox
from storage import repository as repo
from storage.db import Database
from storage.models import Member, OutboxMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    batch: int = 50
    concurrency: int = 8
    lease: dt.timedelta = dt.timedelta(minutes=5)
    max_attempts: int = 10
    backoff_base: dt.timedelta = dt.timedelta(seconds=15)
    backoff_cap: dt.timedelta = dt.timedelta(minutes=10)

    def backoff(self, attempts: int) -> dt.timedelta:
        """The wait after the `attempts`-th failed attempt: doubling from the base, capped."""
        return min(self.backoff_base * 2 ** max(attempts - 1, 0), self.backoff_cap)


@dataclass
class DeliveryReport:
    claimed: int = 0
    outcomes: Counter = field(default_factory=Counter)
    retry_after: float | None = None
    """Seconds the platform asked us to wait, when it did."""
    batches: int = 0
    """Calls that each took several rows showing the same reply."""
    held_until: dt.datetime | None = None
    """When the platform's quota is held: until when (only chats reachable without a counted call were served)."""

    @property
    def sent(self) -> int:
        return self.outcomes["sent"]


async def _housekeeping(db: Database, now: dt.datetime, report: DeliveryReport) -> None:
    async with db.transaction() as session:
        expired = await outbox.expire_stale(session, now)
        lapsed = await outbox.recover_lapsed_leases(session, now)
        await outbox.record_attempts(session, now, [(i, "expired", None) for i in expired] +
                                     [(i, "lease_lapsed", None) for i in lapsed])
    report.outcomes.update({"expired": len(expired), "lease_lapsed": len(lapsed)})


def _unwanted_reason(row: OutboxMessage, members: dict[int, Member], links: dict) -> str | None:
    """Why a claimed row should no longer go out, or None when it still should."""
    if row.member_id is not None:
        member = members.get(row.member_id)
        if member is None or not member.active:
            return "member inactive"
        day = row.payload.get("day")
        if day is not None:  # a reminder
            if member.reminder_frequency == "off":
                return "reminders turned off"
            if member.away_until is not None and dt.date.fromisoformat(day) <= member.away_until:
                return "member away"
    link_id = row.payload.get("group_link_id")
    if link_id is not None:
        link = links.get(link_id)
        if link is None or not link.active:
            return "group unlinked"
    return None


class Sender:
    """One delivery step's work on its claimed rows."""

    def __init__(self, db: Database, messenger: Messenger, platform: str, clock: Clock, worker_id: str,
                 policy: DeliveryPolicy, report: DeliveryReport) -> None:
        self.db, self.messenger, self.platform, self.clock, self.worker_id = db, messenger, platform, clock, worker_id
        self.policy, self.report = policy, report
        self.slow_down = asyncio.Event()
        self.tried: set[int] = set()
        self.gate = asyncio.Semaphore(policy.concurrency)

    async def record(self, row: OutboxMessage, outcome: str, detail: str | None, change) -> None:
        """Apply `change(session, now)` (the row's new state) and log the outcome, in one transaction."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            if await change(session, now):
                await outbox.record_attempts(session, now, [(row.id, outcome, detail)])
                self.report.outcomes[outcome] += 1
                delivery_recorded(outcome)
            else:
                log.warning("outbox row %s was claimed away from %s", row.id, self.worker_id)

    async def cancel(self, row: OutboxMessage, reason: str) -> None:
        await self.record(row, "cancelled", reason, lambda s, now: outbox.finish(
            s, row.id, self.worker_id, status=outbox.CANCELLED, error=reason, counts=False))

    async def send_chat(self, rows: list[OutboxMessage]) -> None:
        """A chat's rows in order, so a leaderboard's text comes before its chart."""
        for row in rows:
            async with self.gate:
                if self.slow_down.is_set():
                    return
                self.tried.add(row.id)
                if not await self.send_one(row):
                    return  # the chat moved or cannot be reached: its other rows wait or were cancelled

    async def send_one(self, row: OutboxMessage) -> bool:
        """Send one row and record what happened; False when the chat's other rows should not follow."""
        if row.attempts >= self.policy.max_attempts:
            await self.record(row, "gave_up", row.last_error, lambda s, now: outbox.finish(
                s, row.id, self.worker_id, status=outbox.FAILED, error=row.last_error, counts=False))
            return True
        try:
            await self.messenger.send(row.chat_id, reply_of_row(row.payload, row.attachment, row.attachment_name))
        except DeliveryError as error:
            return await self.settle(row, error)
        return await self.settle(row, None)

    async def send_batch(self, messenger: BatchMessenger, rows: list[OutboxMessage]) -> None:
        """Rows showing the same reply to different people, in one call: each row's outcome recorded once (a
        failure of the whole call is every row's; a slow-down holds them all back, to go together later)."""
        async with self.gate:
            if self.slow_down.is_set():
                return
            self.tried.update(row.id for row in rows)
            first = rows[0]
            try:
                failed = await messenger.send_many([row.chat_id for row in rows],
                                                   reply_of_row(first.payload, first.attachment, first.attachment_name))
            except DeliveryError as error:
                failed = dict.fromkeys((row.chat_id for row in rows), error)
            self.report.batches += 1
            for row in rows:
                await self.settle(row, failed.get(row.chat_id))

    async def settle(self, row: OutboxMessage, error: DeliveryError | None) -> bool:
        """Record a send's outcome (None: it went out); False when the chat's other rows should not follow."""
        if error is None:
            await self.record(row, "sent", None, lambda s, now: outbox.finish(
                s, row.id, self.worker_id, status=outbox.SENT, sent_at=now))
        elif isinstance(error, RetryLater):
            detail, until = str(error), self.clock.now() + dt.timedelta(seconds=error.seconds)
            self.slow_down.set()
            self.report.retry_after = max(self.report.retry_after or 0, error.seconds)
            await self.record(row, "retry_after", detail, lambda s, now: outbox.retry_later(
                s, row.id, self.worker_id, until, error=detail, counts=False))
        elif isinstance(error, QuotaExhausted):
            self.slow_down.set()
            await self.hold(row, str(error))
            await self.record(row, "quota_exhausted", str(error), lambda s, now: outbox.retry_later(
                s, row.id, self.worker_id, row.not_before, error=str(error), counts=False))
        elif isinstance(error, TransientFailure):
            detail, attempts = str(error), row.attempts + 1
            if attempts >= self.policy.max_attempts:
                await self.record(row, "gave_up", detail, lambda s, now: outbox.finish(
                    s, row.id, self.worker_id, status=outbox.FAILED, error=detail))
            else:
                await self.record(row, "transient", detail, lambda s, now: outbox.retry_later(
                    s, row.id, self.worker_id, now + self.policy.backoff(attempts), error=detail, counts=True))
        elif isinstance(error, Unreachable):
            detail = str(error)
            await self.record(row, "blocked", detail, lambda s, now: self._unreachable(s, now, row, detail))
            return False
        elif isinstance(error, ChatMoved):
            detail, new_chat_id = str(error), error.new_chat_id
            await self.record(row, "moved", str(new_chat_id),
                              lambda s, now: self._moved(s, now, row, new_chat_id, detail))
            return False
        else:  # PermanentFailure, or a DeliveryError no sender knows more about
            detail = str(error)
            await self.record(row, "rejected", detail, lambda s, now: outbox.finish(
                s, row.id, self.worker_id, status=outbox.FAILED, error=detail))
        return True

    async def hold(self, row: OutboxMessage, detail: str) -> None:
        """Holds the platform until the month turns where the row's school is; logged by the sender that placed
        the hold, once, not at every row."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            zone = (await delivery_holds.school_timezones(session, {row.school_id})).get(row.school_id, "UTC")
            until = month_turn(now, zoneinfo.ZoneInfo(zone))
            placed = await delivery_holds.place_hold(session, delivery_holds.Hold(self.platform, now, until, detail))
        if placed:
            log.error("%s: the monthly quota of calls is used up (%s); nothing more is sent through it until %s, "
                      "except over open session webhooks. Once the quota is raised: teachlog notify --resume %s",
                      self.platform, detail, until.isoformat(), self.platform)

    async def _unreachable(self, session, now: dt.datetime, row: OutboxMessage, reason: str) -> bool:
        if not await outbox.finish(session, row.id, self.worker_id, status=outbox.FAILED, error=reason):
            return False
        owner = await repo.member_by_account(session, row.platform, row.chat_id)
        if owner is not None:
            owner.active, owner.blocked_at = False, now
        link = await outbox.group_link(session, row.platform, row.chat_id)
        if link is not None:
            link.active = False
        cancelled = await outbox.cancel_unsent_for_chat(session, row.platform, row.chat_id, self.worker_id, reason)
        await outbox.record_attempts(session, now, [(i, "cancelled", reason) for i in cancelled])
        return True

    async def _moved(self, session, now: dt.datetime, row: OutboxMessage, new_chat_id: str, detail: str) -> bool:
        if not await outbox.retry_later(session, row.id, self.worker_id, now, error=detail, counts=False,
                                        chat_id=new_chat_id):
            return False
        await outbox.move_group_link(session, row.platform, row.chat_id, new_chat_id)
        await outbox.move_chat(session, row.platform, row.chat_id, new_chat_id)
        return True


async def _wanted(db: Database, rows: list[OutboxMessage]) -> tuple[dict[int, Member], dict]:
    member_ids = {row.member_id for row in rows if row.member_id is not None}
    link_ids = {row.payload["group_link_id"] for row in rows if row.payload.get("group_link_id") is not None}
    async with db.transaction() as session:
        return await outbox.members_by_id(session, member_ids), await outbox.group_links_by_id(session, link_ids)


def month_turn(now: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The first moment of next month where `zone` is (a monthly quota comes back then)."""
    local = now.astimezone(zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return dt.datetime(year, month, 1, tzinfo=zone).astimezone(dt.UTC)


def _batch_key(row: OutboxMessage) -> tuple[str, bytes | None, str | None] | None:
    """What rows must share to go out in one call: the same reply to a person's 1:1 chat; None for a group's."""
    if row.member_id is None or row.payload.get("group_link_id") is not None:
        return None
    shown = row.payload.get(REPLY) if REPLY in row.payload else \
        {key: value for key, value in row.payload.items() if key in ("text", "parse_mode", "buttons")}
    return json.dumps(shown, sort_keys=True, ensure_ascii=False), row.attachment, row.attachment_name


def _batches(by_chat: dict[str, list[OutboxMessage]], size: int, max_attempts: int) -> list[list[OutboxMessage]]:
    """Takes out of `by_chat` the rows that can share a call, in groups of at most `size`: the one row due in a
    person's chat, showing the same reply as another's."""
    alike: dict[tuple, list[OutboxMessage]] = defaultdict(list)
    for chat_rows in by_chat.values():
        if len(chat_rows) == 1 and chat_rows[0].attempts < max_attempts:
            key = _batch_key(chat_rows[0])
            if key is not None:
                alike[key].append(chat_rows[0])
    batches = []
    for rows in alike.values():
        if len(rows) < 2:
            continue
        for row in rows:
            del by_chat[row.chat_id]
        batches += [rows[start:start + size] for start in range(0, len(rows), size)]
    return batches


async def _held(db: Database, platform: str, now: dt.datetime) -> delivery_holds.Hold | None:
    """The platform's hold, while it is active."""
    async with db.transaction() as session:
        hold = await delivery_holds.hold_of(session, platform)
    return hold if hold is not None and hold.active(now) else None


async def _claim(db: Database, messenger: Messenger, now: dt.datetime, worker_id: str, platform: str,
                 policy: DeliveryPolicy, chat_id: str | None, report: DeliveryReport) -> list[OutboxMessage]:
    """Up to a batch of due rows; while the platform is held, only those of chats reachable without a counted call."""
    hold = await _held(db, platform, now)
    chats: list[str | None] = [chat_id]
    if hold is not None:
        report.held_until = hold.until
        free = messenger.reachable_free() if isinstance(messenger, BatchMessenger) else ()
        chats = [chat for chat in free if chat_id is None or chat == chat_id]
    rows: list[OutboxMessage] = []
    async with db.transaction() as session:
        for chat in chats:
            rows += await outbox.claim_due(session, now, worker_id, now + policy.lease, policy.batch - len(rows),
                                           platform, chat)
            if len(rows) >= policy.batch:
                break
    return rows


async def deliver_due(db: Database, messenger: Messenger, clock: Clock, worker_id: str, *, platform: str,
                      policy: DeliveryPolicy = DeliveryPolicy(), chat_id: str | None = None) -> DeliveryReport:
    """Expire, recover, claim up to one batch of the platform's due rows (only that chat's, when `chat_id` is
    given: `teachlog chat` delivers to the person at its keyboard), and send them through its messenger —
    the same reply to several people in one call where the messenger can; what happened.

    While the platform's monthly quota is held (see :class:`~bot.notifications.messenger.QuotaExhausted`), only
    chats the messenger reaches without a counted call are served; the rest wait for the hold to end."""
    report = DeliveryReport()
    now = clock.now()
    await _housekeeping(db, now, report)
    rows = await _claim(db, messenger, now, worker_id, platform, policy, chat_id, report)
    report.claimed = len(rows)
    if not rows:
        return report
    sender = Sender(db, messenger, platform, clock, worker_id, policy, report)
    try:
        members, links = await _wanted(db, rows)
        by_chat: dict[str, list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            if report.held_until is not None and row.attachment is not None:
                continue  # a picture or file is uploaded by a counted call: it waits for the hold to end
            reason = _unwanted_reason(row, members, links)
            if reason is not None:
                sender.tried.add(row.id)
                await sender.cancel(row, reason)
            else:
                by_chat[row.chat_id].append(row)
        sends = []
        if isinstance(messenger, BatchMessenger) and messenger.batch_size > 1:
            sends = [sender.send_batch(messenger, batch)
                     for batch in _batches(by_chat, messenger.batch_size, policy.max_attempts)]
        await asyncio.gather(*sends, *(sender.send_chat(chat_rows) for chat_rows in by_chat.values()))
    finally:
        untried = [row.id for row in rows if row.id not in sender.tried]
        if untried:
            async with db.transaction() as session:
                await outbox.release(session, untried, worker_id)
    return report


async def next_due_in(db: Database, clock: Clock, platform: str) -> float | None:
    """Seconds until the platform's next pending row is due (0 when one is due now); None when nothing waits."""
    now = clock.now()
    async with db.transaction() as session:
        hold = await delivery_holds.hold_of(session, platform)
        due_at = await outbox.next_due_at(session, now, platform)
    if hold is not None and hold.active(now) and due_at is not None:
        due_at = max(due_at, hold.until)  # held rows are not due; a chat writing to the bot comes up by the interval
    return None if due_at is None else max((due_at - now).total_seconds(), 0.0)
