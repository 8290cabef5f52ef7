"""`teachlog db rebuild-summaries`: every summary recomputed from the entries, the report windows stored anew."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from sqlalchemy import select

from bot.people.schools import policy_of
from bot.reporting.reports import REPORT_PERIODS, NoSuchPeriod, report_window, school_report
from storage import daily_counts, report_summaries
from storage.db import Database
from storage.models import School


@dataclass(frozen=True)
class Rebuilt:
    daily_rows: int
    windows: int
    schools: int


async def rebuild_summaries(db: Database, now: dt.datetime) -> Rebuilt:
    """Recount the daily tables, drop every stored report window, then store this and the last week, month,
    quarter, term and year of every school as of its today."""
    async with db.transaction() as session:
        rows = await daily_counts.rebuild(session)
        await report_summaries.forget_all(session)
        schools = list(await session.scalars(select(School).order_by(School.id)))
    windows = 0
    for school in schools:
        today = now.astimezone(zoneinfo.ZoneInfo(school.timezone)).date()
        policy = policy_of(school)
        for kind in REPORT_PERIODS:
            for previous in (False, True):
                try:
                    window = report_window(kind, previous, today, policy)
                except NoSuchPeriod:
                    continue
                await school_report(db, school.id, window)
                windows += 1
    return Rebuilt(rows, windows, len(schools))
