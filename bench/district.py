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

Before those, ``cold peak MiB``: the peak resident memory of a fresh process computing the cold term report, its
text and its chart (next to the same process with only the bot's libraries imported); the summaries it stored are
dropped again. After them, ``Friday``: on FRIDAY, the district's term, week and last week computed once (what the
district digest reads), the 16:59 round of :class:`Planner` (reminders decided), then the 17:00 round timed — every
school's leaders' digest and the bureau's district digest planned: wall, CPU, statements and digests.

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
import subprocess
import sys
import time
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from progress import (  # noqa: E402
    DEFAULT_PG_URL,
    TIMEZONE,
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
from sqlalchemy import String, cast, insert, literal, select, text  # noqa: E402

from bot.i18n import translator  # noqa: E402
from bot.notifications.planning import DIGEST, DISTRICT_DIGEST, Planner  # noqa: E402
from bot.notifications.schedule import DIGEST_TIME  # noqa: E402
from bot.notifications.weekly_facts import database_standing  # noqa: E402
from bot.people.districts import create_district, create_district_school  # noqa: E402
from bot.platform_names import TELEGRAM  # noqa: E402
from bot.quotas.policy.sources import policy_from_text  # noqa: E402
from bot.reporting.district_reports import district_report  # noqa: E402
from bot.reporting.district_text import CHAT_RANKING_LIMIT, district_text  # noqa: E402
from bot.reporting.report_charts import district_charts  # noqa: E402
from bot.reporting.report_charts import forget as forget_pictures  # noqa: E402
from storage import daily_counts  # noqa: E402
from storage import report_summaries as stored_summaries  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.entry_imports import insert_new_entries  # noqa: E402
from storage.models import District, Member, MemberAccount, School  # noqa: E402

PRESET = "seed-000"
TODAY = dt.date(2026, 11, 18)
NOW = dt.datetime(2026, 11, 18, 9, 30, tzinfo=dt.timezone.utc)
ZONES = 10
#: The Friday of TODAY's week, whose digests are planned.
FRIDAY = TODAY + dt.timedelta(days=4 - TODAY.weekday())
FIRST_USER_ID = 10_000_000
#: Run in a child process, so that its peak resident memory (VmHWM) is the cold report's own: argv is the code
#: root, the database URL, the PostgreSQL schema ("" for none), the district id, the day, and what to do.
MEMORY_CHILD = """
import asyncio, datetime as dt, sys
sys.path.insert(0, sys.argv[1])
import telegram.ext  # noqa: F401  the bot's libraries, as `teachlog run` has them loaded
import bot.notifications.planning, bot.reporting.report_charts, bot.reporting.district_reports  # noqa: F401
from bot.database import app_database
from bot.i18n import translator
from bot.reporting.district_reports import district_report
from bot.reporting.district_text import CHAT_RANKING_LIMIT, district_text
from bot.reporting.report_charts import district_charts

async def main(url, schema, district_id, day, work):
    options = {"connect_args": {"server_settings": {"search_path": schema}}} if schema else {}
    db = app_database(url, **options)
    if work == "report":
        report = await district_report(db, district_id, "term", False, day)
        t = translator("zh")
        district_text(report, t, limit=CHAT_RANKING_LIMIT)
        district_charts(report, t, limit=CHAT_RANKING_LIMIT)
    await db.dispose()

asyncio.run(main(sys.argv[2], sys.argv[3], int(sys.argv[4]), dt.date.fromisoformat(sys.argv[5]), sys.argv[6]))
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")))
"""


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
    cold_peak_mib: float
    imports_peak_mib: float
    friday_first_computation_seconds: float
    friday_reminders_seconds: float
    friday_planning_seconds: float
    friday_planning_cpu_seconds: float
    friday_planning_statements: int
    friday_digests: int


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
    async with db.engine.begin() as connection:  # everyone has joined: digests and reminders can reach them
        await connection.execute(insert(MemberAccount).from_select(
            ["member_id", "platform", "external_id"],
            select(Member.id, literal(TELEGRAM), cast(Member.id + FIRST_USER_ID, String(64)))
            .join(School, School.id == Member.school_id).where(School.district_id == district.district_id)))
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


async def peak_mib(db: Database, county: County, work: str) -> float:
    """The peak resident memory of a fresh process doing `work` on this database ("imports": the bot's libraries
    loaded and nothing computed, the fair baseline; "report": the term's district report, its text and chart)."""
    schema = ""
    if db.dialect == "postgresql":
        async with db.engine.connect() as connection:
            schema = str((await connection.execute(text("SHOW search_path"))).scalar()).strip('"')
    done = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(ROOT),
                           db.engine.url.render_as_string(hide_password=False), schema, str(county.district_id),
                           TODAY.isoformat(), work], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {work} child failed:\n{done.stderr}")
    return int(done.stdout.split()[-1]) / 1024  # kB → MiB


async def forget_stored(db: Database) -> None:
    """Every stored summary gone, in this process's memory too: the next report is cold."""
    async with db.transaction() as session:
        await stored_summaries.forget_all(session)


@dataclass(frozen=True)
class Friday:
    first_computation_seconds: float
    reminders_seconds: float
    planning_seconds: float
    planning_cpu_seconds: float
    planning_statements: int
    digests: int


async def plan_friday(db: Database, county: County) -> Friday:
    """The county's Friday digests (each school's leaders' and the bureau's district digest), planned by
    :class:`Planner` at 17:00 (Asia/Shanghai) on FRIDAY, after the day's first computation of the district's
    term, week and last week (what the digest reads) and after the 16:59 round that decided the reminders."""
    zone = zoneinfo.ZoneInfo(TIMEZONE)
    first, _ = await timed(lambda: _district_windows(db, county.district_id, FRIDAY))
    planner = Planner(db, database_standing(db))
    reminders, _ = await timed(lambda: planner.plan(dt.datetime.combine(FRIDAY, dt.time(16, 59), zone)))
    due_at = dt.datetime.combine(FRIDAY, DIGEST_TIME, zone)
    with db.recording_statements() as statements:
        started_cpu = time.process_time()
        seconds, planned = await timed(lambda: planner.plan(due_at))
        cpu = time.process_time() - started_cpu
    assert isinstance(planned, dict)
    return Friday(first, reminders, seconds, cpu, len(statements),
                  planned.get(DIGEST, 0) + planned.get(DISTRICT_DIGEST, 0))


async def _district_windows(db: Database, district_id: int, day: dt.date) -> None:
    for kind, previous in (("term", False), ("week", False), ("week", True)):
        await district_report(db, district_id, kind, previous, day)


async def measure(db: Database, county: County, repeat: int, backend: str, entries: int) -> Timing:
    def report():
        return district_report(db, county.district_id, "term", False, TODAY)

    note(f"{backend}: peak memory of a cold district report and its chart, in a fresh process …")
    imports_peak, cold_peak = await peak_mib(db, county, "imports"), await peak_mib(db, county, "report")
    await forget_stored(db)
    note(f"{backend}: timing the report …")
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
    note(f"{backend}: planning Friday {FRIDAY} …")
    friday = await plan_friday(db, county)
    return Timing(backend, len(county.school_ids), sum(map(len, county.members.values())), entries, cold,
                  cold_statements, stored, stored_cpu, stored_statements, after_write, drawing, cold_peak,
                  imports_peak, friday.first_computation_seconds, friday.reminders_seconds, friday.planning_seconds,
                  friday.planning_cpu_seconds, friday.planning_statements, friday.digests)


def table(results: list[Timing]) -> str:
    header = ("backend", "schools", "members", "entries", "cold s", "cold SQL", "stored s", "stored CPU s",
              "stored SQL", "after a write s", "text+chart s", "cold peak MiB (imports)", "Friday s (CPU, SQL)",
              "digests")
    rows = [(r.backend, str(r.schools), f"{r.members:,}", f"{r.entries:,}", f"{r.cold_seconds:.2f}",
             str(r.cold_statements), f"{r.stored_seconds:.3f}", f"{r.stored_cpu_seconds:.3f}",
             str(r.stored_statements),
             f"{r.after_write_seconds:.3f}", f"{r.text_and_chart_seconds:.3f}",
             f"{r.cold_peak_mib:.1f} ({r.imports_peak_mib:.1f})",
             f"{r.friday_planning_seconds:.2f} ({r.friday_planning_cpu_seconds:.2f}, {r.friday_planning_statements})",
             str(r.friday_digests)) for r in results]
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
