"""Report windows computed ahead: each linked school's stored summaries brought up to today before anyone asks.

A stored window is computed for one as-of day, so the first `/report term` of a day would compute every
member of the school from the entries (seconds for a district). The notification loop of `teachlog run`
and `teachlog worker` calls :meth:`ReportWarmer.warm` after each round: once per school-local day, for
every school with a linked group, it stores this and the last week, month, quarter, term and year.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Collection

from bot.people.schools import policy_of
from bot.reporting.reports import REPORT_PERIODS, NoSuchPeriod, report_window, store_summaries
from storage import repository as repo
from storage.db import Database


class ReportWarmer:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._warmed_on: dict[int, dt.date] = {}

    async def warm(self, now: dt.datetime, *, every_school: bool = False,
                   school_ids: Collection[int] | None = None) -> int:
        """Store today's windows of each linked school (each school, with `every_school`; these, with `school_ids`)
        not yet warmed today by this process; how many windows were brought up to date."""
        async with self.db.transaction() as session:
            schools = await repo.schools(session, linked_only=not every_school, ids=school_ids)
        windows = 0
        for school in schools:
            today = now.astimezone(zoneinfo.ZoneInfo(school.timezone)).date()
            if self._warmed_on.get(school.id) == today:
                continue
            policy = policy_of(school)
            for kind in REPORT_PERIODS:
                for previous in (False, True):
                    try:
                        window = report_window(kind, previous, today, policy)
                    except NoSuchPeriod:
                        continue
                    await store_summaries(self.db, school.id, window)
                    windows += 1
            self._warmed_on[school.id] = today
        return windows
