"""The health check behind `/healthz`, and the outbox gauges `/metrics` reads from the database when scraped.

Healthy means: the database answers, and the process's platform has no outbox row
waiting past `max_outbox_delay` since it was due (delivery is not stuck). A platform
held for its monthly quota (:mod:`storage.delivery_holds`) is reported with the time
its hold ends, not judged: restarting would not bring the quota back. Whether the
platform is connected is reported, not judged: a reconnecting bot is not broken.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from bot.clock import Clock
from bot.observability import metrics
from storage.db import Database
from storage.delivery_holds import Hold, hold_of
from storage.errors import DatabaseFailure
from storage.outbox_backlog import Backlog, backlog_by_platform

log = logging.getLogger(__name__)

DEFAULT_MAX_OUTBOX_DELAY = 900.0
#: A database that does not answer within this long counts as unreachable.
DATABASE_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Health:
    database_reachable: bool
    #: None where no platform connects (`teachlog worker` only delivers).
    platform_connected: bool | None
    oldest_due_outbox_seconds: float | None
    max_outbox_delay: float
    #: When the platform's quota hold ends, while it is held.
    held_until: dt.datetime | None = None

    @property
    def healthy(self) -> bool:
        stuck = self.oldest_due_outbox_seconds is not None and self.oldest_due_outbox_seconds > self.max_outbox_delay
        return self.database_reachable and (not stuck or self.held_until is not None)

    def as_json(self) -> dict[str, object]:
        platform = "not applicable" if self.platform_connected is None else \
            "connected" if self.platform_connected else "not connected"
        found: dict[str, object] = {
            "status": "ok" if self.healthy else "unhealthy",
            "database": "reachable" if self.database_reachable else "unreachable",
            "platform": platform,
            "oldest_due_outbox_seconds": self.oldest_due_outbox_seconds,
            "max_outbox_delay_seconds": self.max_outbox_delay}
        if self.held_until is not None:
            found["delivery"] = (f"held until {self.held_until.isoformat()}: the monthly quota of calls is used up "
                                 "(teachlog notify --resume PLATFORM once it is raised)")
        return found


class HealthChecker:
    """Checks against a database engine of its own, so it answers whatever the bot's own loop is doing."""

    def __init__(self, db: Database, clock: Clock, platform: str, *, platform_connects: bool,
                 max_outbox_delay: float = DEFAULT_MAX_OUTBOX_DELAY) -> None:
        self.db, self.clock, self.platform = db, clock, platform
        self.platform_connects, self.max_outbox_delay = platform_connects, max_outbox_delay

    async def backlog(self) -> list[Backlog] | None:
        """Every platform's outbox backlog; None when the database cannot be read."""
        return (await self._read())[0]

    async def _read(self) -> tuple[list[Backlog] | None, Hold | None]:
        """Every platform's outbox backlog and this platform's quota hold; (None, None) when the database cannot
        be read."""
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
                async with self.db.transaction() as session:
                    return (await backlog_by_platform(session, self.clock.now()),
                            await hold_of(session, self.platform))
        except Exception as error:  # whatever the failure, the answer is "unreachable"
            # DatabaseFailure's one line names no SQL and no password; other errors only by their type.
            reason = str(error) if isinstance(error, DatabaseFailure) else type(error).__name__
            log.warning("health check: the database cannot be read (%s)", reason)
            return None, None

    async def check(self) -> Health:
        backlog, hold = await self._read()
        held_until = hold.until if hold is not None and hold.active(self.clock.now()) else None
        oldest = None
        if backlog is not None:
            now = self.clock.now()
            oldest = max((line.oldest_due_seconds(now) for line in backlog if line.platform == self.platform),
                         default=0.0)
        connected = metrics.platform_connected(self.platform) if self.platform_connects else None
        return Health(backlog is not None, connected, oldest, self.max_outbox_delay, held_until)

    async def refresh_gauges(self) -> None:
        """Set the outbox and database gauges from the database, before `/metrics` is rendered."""
        backlog = await self.backlog()
        metrics.DATABASE_REACHABLE.set(0 if backlog is None else 1)
        if self.platform_connects:
            metrics.PLATFORM_CONNECTED.labels(self.platform).set(1 if metrics.platform_connected(self.platform) else 0)
        if backlog is None:
            return
        now = self.clock.now()
        metrics.OUTBOX_PENDING.clear()
        metrics.OUTBOX_OLDEST_DUE.clear()
        metrics.OUTBOX_PENDING.labels(self.platform).set(0)
        metrics.OUTBOX_OLDEST_DUE.labels(self.platform).set(0)
        for line in backlog:
            metrics.OUTBOX_PENDING.labels(line.platform).set(line.waiting)
            metrics.OUTBOX_OLDEST_DUE.labels(line.platform).set(line.oldest_due_seconds(now))

    async def close(self) -> None:
        await self.db.dispose()
