"""How long does `/report district term` take for a county of 300 schools × 60 staff?

For each backend in one run — SQLite in a temporary file, PostgreSQL in a temporary schema dropped at the end —
builds a district on the ``seed-000`` policy (rules per week, month, quarter and school year; pairings, co-visits,
deleted entries) with ``--schools`` schools of ``--staff`` members each in ten zones, and ``--entries`` entries
spread over them with the data builder of ``bench/progress.py``; then times, on Wednesday 2026-11-18 (the autumn
term up to today), :func:`bot.reporting.district_reports.district_report` for the term:

* ``cold``: nothing stored — every school's summaries computed from the entries (after a policy change or an
  upgrade, or before the day's first notification round stored them), and its SQL statements;
* ``stored``: the same report again, read from the stored per-school summaries, its SQL statements, and the
  process's CPU seconds for it (less disturbed than wall time when the machine is busy);
* ``after a write``: one new entry at one school, then the report: that member computed again, the rest read;
* ``text and chart``: the report's text and its chart of schools by share met (the first drawing).

``stored`` and ``after a write`` are medians of ``--repeat`` runs. Nothing here is asserted by the tests.

    python bench/district.py                                             # 300 × 60 and 2,000,000 entries
    python bench/district.py --schools 30 --entries 200000 --repeat 1    # quick
    python bench/district.py --schools 10 --staff 20 --entries 20000 --repeat 1 --json
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import itertools
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from progress import (  # noqa: E402
    DEFAULT_PG_URL,
    analyze,
    copy_entries,
    database_for,
    entry_chunks,
    insert_entries,
    insert_members,
    insert_pairings,
    note,
    postgres_reachable,
    print_json,
    spread_start,
)

from bot.i18n import translator  # noqa: E402
from bot.people.districts import create_district, create_district_school  # noqa: E402
from bot.quotas.policy.sources import policy_from_text  # noqa: E402
from bot.reporting.district_reports import district_report  # noqa: E402
from bot.reporting.district_text import CHAT_RANKING_LIMIT, district_text  # noqa: E402
from bot.reporting.report_charts import district_charts  # noqa: E402
from bot.reporting.report_charts import forget as forget_pictures  # noqa: E402
from storage import daily_counts  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.entry_imports import insert_new_entries  # noqa: E402
from storage.models import District  # noqa: E402

PRESET = "seed-000"
TODAY = dt.date(2026, 11, 18)
NOW = dt.datetime(2026, 11, 18, 9, 30, tzinfo=dt.timezone.utc)
ZONES = 10


@dataclass(frozen=True)
class Timing:
    backend: str
    schools: int
    members: int
    entries: int
    cold_seconds: float
    cold_statements: int
    stored_seconds: float
    stored_cpu_seconds: float
    stored_statements: int
    after_write_seconds: float
    text_and_chart_seconds: float


@dataclass(frozen=True)
class County:
    district_id: int
    school_ids: list[int]
    members: dict[int, list[int]]


async def build_county(db: Database, schools: int, staff: int, entries: int, rng: random.Random) -> County:
    """A district on the preset and its schools, members, pairings and entries, bulk-inserted."""
    district = await create_district(db, "Benchmark County", timezone="Asia/Shanghai", language="zh",
                                     policy=PRESET, now=NOW)
    async with db.transaction() as session:
        policy = policy_from_text((await session.get(District, district.district_id)).policy_text)
    first_day = spread_start(policy, TODAY)
    days = [first_day + dt.timedelta(days=n) for n in range((TODAY - first_day).days + 1)]
    loader = copy_entries if db.dialect == "postgresql" else insert_entries
    school_ids, members = [], {}
    for number in range(schools):
        school_id = (await create_district_school(db, f"第{number + 1:03d}学校", district.district_id,
                                                  zone=f"第{number % ZONES + 1}学区", timezone=None, language=None,
                                                  policy=None, now=NOW)).school_id
        member_ids = await insert_members(db, school_id, staff, first_day, TODAY, rng)
        paired = await insert_pairings(db, school_id, member_ids, rng)
        share = entries // schools + (1 if number < entries % schools else 0)
        for chunk in entry_chunks(school_id, member_ids, paired, days, share, rng):
            await loader(db, chunk)
        school_ids.append(school_id)
        members[school_id] = member_ids
    async with db.transaction() as session:
        await daily_counts.rebuild(session)  # the bulk load bypasses the write path
    await analyze(db)
    return County(district.district_id, school_ids, members)


async def timed(run) -> tuple[float, object]:
    started = time.perf_counter()
    found = await run()
    return time.perf_counter() - started, found


async def cpu_timed(run) -> float:
    """The process's CPU seconds for `run` (the database server's own work on PostgreSQL not included): the
    figure a busy machine disturbs least."""
    started = time.process_time()
    await run()
    return time.process_time() - started


async def measure(db: Database, county: County, repeat: int, backend: str, entries: int) -> Timing:
    def report():
        return district_report(db, county.district_id, "term", False, TODAY)

    with db.recording_statements() as statements:
        cold, found = await timed(report)
    cold_statements = len(statements)
    with db.recording_statements() as statements:
        await report()
    stored_statements = len(statements)
    stored = statistics.median([(await timed(report))[0] for _ in range(repeat)])
    stored_cpu = statistics.median([await cpu_timed(report) for _ in range(repeat)])
    tokens = itertools.count()

    async def after_one_entry():
        school_id = county.school_ids[len(county.school_ids) // 2]
        async with db.transaction() as session:
            await insert_new_entries(session, [{
                "school_id": school_id, "member_id": county.members[school_id][2], "activity_code": "home_visit",
                "occurred_on": TODAY, "student_name": "王小明", "student_key": "王小明", "source": "bench",
                "client_token": f"bench-district-{next(tokens)}", "logged_at": NOW}])
        return await report()

    after_write = statistics.median([(await timed(after_one_entry))[0] for _ in range(repeat)])
    t = translator("zh")

    async def words_and_picture():
        forget_pictures()
        return district_text(found, t, limit=CHAT_RANKING_LIMIT), district_charts(found, t, limit=CHAT_RANKING_LIMIT)

    drawing, _ = await timed(words_and_picture)
    return Timing(backend, len(county.school_ids), sum(map(len, county.members.values())), entries, cold,
                  cold_statements, stored, stored_cpu, stored_statements, after_write, drawing)


def table(results: list[Timing]) -> str:
    header = ("backend", "schools", "members", "entries", "cold s", "cold SQL", "stored s", "stored CPU s",
              "stored SQL", "after a write s", "text+chart s")
    rows = [(r.backend, str(r.schools), f"{r.members:,}", f"{r.entries:,}", f"{r.cold_seconds:.2f}",
             str(r.cold_statements), f"{r.stored_seconds:.3f}", f"{r.stored_cpu_seconds:.3f}",
             str(r.stored_statements),
             f"{r.after_write_seconds:.3f}", f"{r.text_and_chart_seconds:.3f}") for r in results]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(row):
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


async def main(options: argparse.Namespace) -> None:
    results = []
    for backend in [b.strip() for b in options.backends.split(",") if b.strip()]:
        if backend == "postgresql" and not postgres_reachable(options.pg_url):
            note(f"postgresql: not reachable at {options.pg_url}; skipped")
            continue
        async with database_for(backend, options.pg_url) as db:
            started = time.perf_counter()
            note(f"{backend}: building {options.schools} schools × {options.staff} staff and "
                 f"{options.entries:,} entries …")
            county = await build_county(db, options.schools, options.staff, options.entries,
                                        random.Random(options.seed))
            note(f"{backend}: built in {time.perf_counter() - started:.1f} s; measuring …")
            results.append(await measure(db, county, options.repeat, backend, options.entries))
    if options.json:
        print_json({"measured": "district_report term", "today": TODAY.isoformat(), "preset": PRESET,
                    "repeat": options.repeat, "results": [dataclasses.asdict(r) for r in results]})
        return
    print(f"district_report (term) on {TODAY} ({PRESET}), stored and after-a-write: median of {options.repeat} runs")
    print(table(results))


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--staff", type=int, default=60, help="members per school")
    parser.add_argument("--entries", type=int, default=2_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of stored and after-a-write (median)")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout instead of the table")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_options()))
