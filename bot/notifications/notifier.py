"""The notification loop shared by `teachlog run` (a repeating job) and `teachlog worker` (its own loop):
plan what is due, then deliver until nothing more is due now or the platform asks us to wait."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections import Counter
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.notifications.delivery import DeliveryPolicy, deliver_due, next_due_in
from bot.notifications.messenger import Messenger
from bot.notifications.planning import Planner
from bot.notifications.weekly_facts import StandingSource
from bot.reporting.warm import ReportWarmer
from storage.db import Database

log = logging.getLogger(__name__)


def worker_name(role: str) -> str:
    """Who claims outbox rows, for the record: role, host and process."""
    return f"{role}:{socket.gethostname()}:{os.getpid()}"


@dataclass
class TickReport:
    planned: Counter = field(default_factory=Counter)
    delivered: Counter = field(default_factory=Counter)
    retry_after: float | None = None


class Notifier:
    """Plans for every platform; delivers the rows of `platform`, through the messenger each tick is given."""

    def __init__(self, db: Database, clock: Clock, standing: StandingSource, worker_id: str, *, platform: str,
                 policy: DeliveryPolicy = DeliveryPolicy(), warmer: ReportWarmer | None = None) -> None:
        self.db, self.clock, self.worker_id, self.policy = db, clock, worker_id, policy
        self.platform = platform
        self.planner = Planner(db, standing)
        self.warmer = warmer
        """With a warmer, each round ends by recomputing the stale stored report windows (see ReportWarmer)."""

    async def tick(self, messenger: Messenger, *, budget_seconds: float | None = None) -> TickReport:
        """Plan what is due now, then deliver batch after batch while full batches keep coming
        (for at most `budget_seconds` of wall time, when given: the next tick carries on)."""
        report = TickReport(planned=await self.planner.plan(self.clock.now()))
        started = time.monotonic()
        while True:
            delivered = await deliver_due(self.db, messenger, self.clock, self.worker_id, platform=self.platform,
                                    policy=self.policy)
            report.delivered.update(delivered.outcomes)
            if delivered.retry_after is not None:
                report.retry_after = delivered.retry_after
                break
            if delivered.claimed < self.policy.batch:
                break
            if budget_seconds is not None and time.monotonic() - started >= budget_seconds:
                break
        if self.warmer is not None:
            await self.warmer.warm(self.clock.now())
        if report.planned or +report.delivered:
            log.info("notifications: planned %s, delivered %s", dict(report.planned), dict(+report.delivered))
        return report

    async def run(self, messenger: Messenger, stop: asyncio.Event, interval: float) -> None:
        """Tick until `stop` is set: again as soon as something is due, else after at most `interval` seconds."""
        while not stop.is_set():
            try:
                report = await self.tick(messenger)
                wait = report.retry_after if report.retry_after is not None else interval
                due_in = await next_due_in(self.db, self.clock, self.platform)
                if due_in is not None and report.retry_after is None:
                    wait = min(wait, due_in)
            except Exception:  # a database or network hiccup: log it and try again later
                log.exception("notification tick failed")
                wait = interval
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=max(wait, 0.05))
