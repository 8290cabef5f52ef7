"""Report windows computed ahead: stored summaries brought up to date in the background, before anyone asks.

A stored window is computed for a policy, a stored format (:data:`bot.reporting.summaries.FORMAT`) and an
as-of day (see :func:`bot.reporting.summaries.fingerprint`). Whenever one of them changes — a policy set from
the shell (`policy set`, for a school or a district), an upgrade that changes the stored format, a new day —
the window is *stale*: the next report would compute every member from the entries (seconds for a large school,
22 s for a school of 5,000 on SQLite). Nothing needs to tell the warmer: the change is in the database, so a
`policy set` run from the shell, with no loop of its own, is picked up by whichever process warms next.

:meth:`ReportWarmer.warm` looks for the stale windows of this and the last week, month, quarter, term and year
of every school someone reads reports of — each school with a linked group, and each school with a window
stored already (a district's schools, a leader's private `/report school`) — in a few statements, and
recomputes them window by window, the schools on the same policy and window together (a district's schools: one
scan for :data:`bot.reporting.summaries.TOGETHER` members, not one per school), each part in a short transaction.
The scheduler of `teachlog run` calls it every
:data:`bot.chat.runtime.WARM_INTERVAL_SECONDS`; `teachlog worker` after each notification round.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from bot.people.schools import policy_of
from bot.reporting.reports import (
    REPORT_PERIODS,
    NoSuchPeriod,
    ReportWindow,
    report_window,
    store_summaries_of_schools,
    windows_not_stored,
)
from storage import report_summaries
from storage import repository as repo
from storage.db import Database
from storage.models import School


def windows_of(school: School, now: dt.datetime) -> list[ReportWindow]:
    """This and the last of each kind of period, as of the school's today; those its calendar has."""
    today = now.astimezone(zoneinfo.ZoneInfo(school.timezone)).date()
    policy = policy_of(school)
    found = []
    for kind in REPORT_PERIODS:
        for previous in (False, True):
            try:
                found.append(report_window(kind, previous, today, policy))
            except NoSuchPeriod:
                continue
    return found


class ReportWarmer:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def schools(self, *, every_school: bool = False) -> list[School]:
        """The schools kept warm: each with a linked group or a stored window (each school, with `every_school`)."""
        async with self.db.transaction() as session:
            if every_school:
                return await repo.schools(session)
            linked = await repo.schools(session, linked_only=True)
            read = set(await report_summaries.schools_with_slots(session))
            return await repo.schools(session, ids=read | {school.id for school in linked})

    async def stale(self, now: dt.datetime, *, every_school: bool = False) -> list[tuple[School, ReportWindow]]:
        """The windows of the schools kept warm with nothing stored for what a report would ask now."""
        schools = await self.schools(every_school=every_school)
        return await windows_not_stored(self.db, [(school, window) for school in schools
                                                  for window in windows_of(school, now)])

    async def warm(self, now: dt.datetime, *, every_school: bool = False) -> int:
        """Recompute the stale windows, those of schools on the same policy and window together; how many there
        were."""
        stale = await self.stale(now, every_school=every_school)
        await store_summaries_of_schools(self.db, stale)
        return len(stale)
