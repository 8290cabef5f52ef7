"""What waits in the outbox: per platform, how many rows are not sent yet and since when the oldest due one is due.

Read by the health check and the metrics (`teachlog run|worker --metrics-port`). A row waits while it is
``pending`` or ``sending`` and not expired; it is due once its ``not_before`` has passed. The query uses the
``(status, not_before)`` index.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.outbox import PENDING, SENDING
from storage.types import UTCDateTime


@dataclass(frozen=True)
class Backlog:
    platform: str
    waiting: int
    #: The earliest `not_before` among the waiting rows already due; None when none is due.
    oldest_due_since: dt.datetime | None

    def oldest_due_seconds(self, now: dt.datetime) -> float:
        return 0.0 if self.oldest_due_since is None else max((now - self.oldest_due_since).total_seconds(), 0.0)


async def backlog_by_platform(session: AsyncSession, now: dt.datetime) -> list[Backlog]:
    """One line per platform with waiting rows, in platform order."""
    # min() over a CASE loses the column's type (SQLite would return its stored text): give it back.
    due_since = type_coerce(func.min(case((OutboxMessage.not_before <= now, OutboxMessage.not_before))), UTCDateTime)
    rows = await session.execute(
        select(OutboxMessage.platform, func.count(), due_since.label("due_since"))
        .where(OutboxMessage.status.in_([PENDING, SENDING]),
               or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now))
        .group_by(OutboxMessage.platform)
        .order_by(OutboxMessage.platform))
    return [Backlog(platform, count, since) for platform, count, since in rows]

