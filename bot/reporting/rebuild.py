"""`teachlog db rebuild-summaries`: every summary recomputed from the entries, the report windows stored anew."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.reporting.warm import ReportWarmer
from storage import daily_counts, report_summaries
from storage import repository as repo
from storage.db import Database


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
        schools = await repo.count_schools(session)
    windows = await ReportWarmer(db).warm(now, every_school=True)
    return Rebuilt(rows, windows, schools)
