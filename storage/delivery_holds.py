"""Queries for delivery holds: a platform whose calls are used up for a period (DingTalk's monthly quota of a free
organisation), so no sender calls it until the hold ends or an operator clears it; and the reminders it kept back.

A hold is one row of `chat_state` (kind ``delivery_hold``, key the platform), JSON
``{"since": ISO, "until": ISO, "detail": text}`` in UTC, so every sender on the database sees it. It is
active until `until`; an ended hold stays (the leaders' digest of its week names it) until the next one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage import repository as repo
from storage.models import ChatState, OutboxMessage, School
from storage.rowcount import affected_rows
from storage.types import utcnow

KIND = "delivery_hold"
#: The outbox kind of a reminder (bot.notifications.planning.REMINDER).
REMINDER = "reminder"


@dataclass(frozen=True)
class Hold:
    platform: str
    since: dt.datetime
    until: dt.datetime
    detail: str

    def active(self, now: dt.datetime) -> bool:
        return now < self.until


def _hold(platform: str, value: dict | None) -> Hold | None:
    if not value:
        return None
    return Hold(platform, dt.datetime.fromisoformat(value["since"]), dt.datetime.fromisoformat(value["until"]),
                str(value.get("detail") or ""))


async def hold_of(session: AsyncSession, platform: str) -> Hold | None:
    """The platform's latest hold, active or ended (see :meth:`Hold.active`); None when it was never held."""
    return _hold(platform, await repo.load_chat_state_row(session, KIND, platform))


async def all_holds(session: AsyncSession) -> list[Hold]:
    return [hold for platform, value in sorted((await repo.load_chat_state(session, KIND)).items())
            if (hold := _hold(platform, value)) is not None]


async def place_hold(session: AsyncSession, hold: Hold) -> bool:
    """Holds the platform unless an active hold is already there; True when this call placed it (one call does, of
    senders placing holds at once: the row is inserted only where none is)."""
    current = await hold_of(session, hold.platform)
    if current is not None:
        if current.active(hold.since):
            return False
        await repo.drop_chat_state(session, KIND, [hold.platform])  # an ended hold gives way to the new one
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    value = {"since": hold.since.astimezone(dt.UTC).isoformat(), "until": hold.until.astimezone(dt.UTC).isoformat(),
             "detail": hold.detail}
    result = await session.execute(insert(ChatState).values(kind=KIND, key=hold.platform, value=value,
                                                            updated_at=utcnow())
                                   .on_conflict_do_nothing(index_elements=[ChatState.kind, ChatState.key]))
    return affected_rows(result) == 1


async def end_hold(session: AsyncSession, platform: str, now: dt.datetime) -> Hold | None:
    """Ends the platform's active hold now (an operator raised the quota); the hold as it was, None when none was
    active. The ended hold is kept, so the week's digest still names the reminders it kept back."""
    current = await hold_of(session, platform)
    if current is None or not current.active(now):
        return None
    await repo.save_chat_state(session, KIND, platform, {
        "since": current.since.astimezone(dt.UTC).isoformat(), "until": now.astimezone(dt.UTC).isoformat(),
        "detail": current.detail})
    return current


async def reminders_kept_back(session: AsyncSession, school_id: int, platform: str, since: dt.datetime) -> int:
    """The school's reminders on the platform that were still to go out when the hold began and never went:
    waiting, or expired unsent (a reminder expires at the end of its day)."""
    count = await session.scalar(select(func.count()).select_from(OutboxMessage).where(and_(
        OutboxMessage.school_id == school_id, OutboxMessage.platform == platform, OutboxMessage.kind == REMINDER,
        OutboxMessage.status.in_(("pending", "sending", "expired")), OutboxMessage.expires_at >= since)))
    return int(count or 0)


async def reminders_kept_back_by_hold(session: AsyncSession, school_id: int,
                                      since: dt.datetime) -> list[tuple[Hold, int]]:
    """Each hold in force at some point after `since`, with the school's reminders it kept back (when any)."""
    return await kept_back_by_holds(session, school_id, await all_holds(session), since)


async def kept_back_by_holds(session: AsyncSession, school_id: int, holds: Sequence[Hold],
                             since: dt.datetime) -> list[tuple[Hold, int]]:
    """:func:`reminders_kept_back_by_hold` with the holds already read (:func:`all_holds`, once for many schools)."""
    found = []
    for hold in holds:
        if hold.until >= since and (unsent := await reminders_kept_back(session, school_id, hold.platform,
                                                                         hold.since)):
            found.append((hold, unsent))
    return found


async def school_timezones(session: AsyncSession, school_ids: set[int]) -> dict[int, str]:
    """Each school's IANA time zone (a hold lasts to the turn of the month where the school is)."""
    rows = await session.execute(select(School.id, School.timezone).where(School.id.in_(school_ids)))
    return {school_id: zone for school_id, zone in rows}
