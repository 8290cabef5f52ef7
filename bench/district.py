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
district digest reads), the 16:59 round of :class:`Planner` (reminders decided), 100 entries logged across the
county, then the 17:00 round timed — every school's leaders' digest and the bureau's district digest planned: wall,
CPU, statements and digests — and the same round again by a fresh planner (a process started since: nothing kept).

``stored`` and ``after a write`` are medians of ``--repeat`` runs. Nothing here is asserted by the tests.

    python bench/district.py                                             # 300 × 60 and 2,000,000 entries
    python bench/district.py --schools 30 --entries 200000 --repeat 1    # quick
    python bench/district.py --schools 10 --staff 20 --entries 20000 --repeat 1 --json
    python bench/district.py --keep /tmp/county    # build once into /tmp/county (and a kept PostgreSQL schema),
                                                  # the next run with the same sizes reuses them

Building loads the entries without their indexes (made again after the load), in one transaction on SQLite without
syncing to disk, and by ``COPY`` on PostgreSQL. With ``--keep DIR`` the SQLite file is
``DIR/county-<schools>x<staff>-<entries>-<seed>.db`` and the PostgreSQL schema ``teachlog_bench_county_<schools>x
<staff>_<entries>_<seed>``; both stay after the run (drop them with ``--drop-kept``), and a run on a kept database
first clears what the last run left (stored summaries, the outbox; its extra entries stay, a handful).
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
import uuid
import zoneinfo
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from progress import (  # noqa: E402
    DEFAULT_PG_URL,
    ENTRY_COLUMNS,
    TIMEZONE,
    admin_statement,
    analyze,
    database_for,
    entry_chunks,
    insert_members,
    insert_pairings,
    note,
    postgres_reachable,
    print_json,
    spread_start,
)
from sqlalchemy import String, cast, delete, insert, literal, or_, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncConnection  # noqa: E402

from bot.database import app_database  # noqa: E402
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
from storage.migrate import upgrade  # noqa: E402
from storage.models import DeliveryAttempt, District, Entry, Member, MemberAccount, OutboxMessage, School  # noqa: E402

PRESET = "seed-000"
COUNTY = "Benchmark County"
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
    cold_cpu_seconds: float
    cold_statements: int
    stored_seconds: float
    stored_cpu_seconds: float
    stored_statements: int
    after_write_seconds: float
    after_write_cpu_seconds: float
    text_and_chart_seconds: float
    cold_peak_mib: float
    imports_peak_mib: float
    friday_first_computation_seconds: float
    friday_first_computation_cpu_seconds: float
    friday_reminders_seconds: float
    friday_planning_seconds: float
    friday_planning_cpu_seconds: float
    friday_planning_statements: int
    friday_digests: int
    friday_fresh_planning_seconds: float
    friday_fresh_planning_cpu_seconds: float


@dataclass(frozen=True)
class County:
    district_id: int
    school_ids: list[int]
    members: dict[int, list[int]]


async def build_county(db: Database, schools: int, staff: int, entries: int, rng: random.Random) -> County:
    """A district on the preset and its schools, members, pairings and entries, bulk-inserted."""
    district = await create_district(db, COUNTY, timezone="Asia/Shanghai", language="zh", policy=PRESET, now=NOW)
    async with db.transaction() as session:
        policy = policy_from_text((await session.get(District, district.district_id)).policy_text)
    first_day = spread_start(policy, TODAY)
    days = [first_day + dt.timedelta(days=n) for n in range((TODAY - first_day).days + 1)]
    school_ids, members, paired = [], {}, {}
    for number in range(schools):
        school_id = (await create_district_school(db, f"第{number + 1:03d}学校", district.district_id,
                                                  zone=f"第{number % ZONES + 1}学区", timezone=None, language=None,
                                                  policy=None, now=NOW)).school_id
        member_ids = await insert_members(db, school_id, staff, first_day, TODAY, rng)
        paired[school_id] = await insert_pairings(db, school_id, member_ids, rng)
        school_ids.append(school_id)
        members[school_id] = member_ids
    started = time.process_time()
    async with db.engine.begin() as connection, entry_indexes_dropped(connection):
        load = copy_rows if db.dialect == "postgresql" else sqlite_rows(connection)
        for number, school_id in enumerate(school_ids):
            share = entries // schools + (1 if number < entries % schools else 0)
            for chunk in entry_chunks(school_id, members[school_id], paired[school_id], days, share, rng):
                await load(connection, chunk)
    await db.engine.dispose()  # no connection kept with SQLite's synchronous=OFF
    note(f"{db.dialect}: entries loaded and indexed ({time.process_time() - started:.1f} s CPU)")
    async with db.transaction() as session:
        await daily_counts.rebuild(session)  # the bulk load bypasses the write path
    async with db.engine.begin() as connection:  # everyone has joined: digests and reminders can reach them
        await connection.execute(insert(MemberAccount).from_select(
            ["member_id", "platform", "external_id"],
            select(Member.id, literal(TELEGRAM), cast(Member.id + FIRST_USER_ID, String(64)))
            .join(School, School.id == Member.school_id).where(School.district_id == district.district_id)))
    await analyze(db)
    return County(district.district_id, school_ids, members)


@asynccontextmanager
async def entry_indexes_dropped(connection: AsyncConnection) -> AsyncIterator[None]:
    """The entries' plain indexes dropped while the block loads rows, made again after it (one sort each instead
    of 2,000,000 random inserts into four B-trees); SQLite does not sync to disk meanwhile."""
    if connection.dialect.name == "postgresql":
        found = await connection.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'entries'"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"))
    else:
        found = await connection.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries' AND sql IS NOT NULL"))
        await connection.exec_driver_sql("PRAGMA synchronous=OFF")
    indexes = [(name, definition) for name, definition in found if "UNIQUE" not in definition.upper()]
    for name, _ in indexes:
        await connection.execute(text(f'DROP INDEX "{name}"'))
    yield
    for _, definition in indexes:
        await connection.execute(text(definition))


async def copy_rows(connection: AsyncConnection, rows: list[tuple]) -> None:
    """PostgreSQL: COPY through asyncpg on the loading connection (its transaction, its schema)."""
    raw = (await connection.get_raw_connection()).driver_connection
    await raw.copy_records_to_table("entries", records=rows, columns=list(ENTRY_COLUMNS),
                                    schema_name=await raw.fetchval("SELECT current_schema()"))


def sqlite_rows(connection: AsyncConnection):
    """SQLite: each chunk one driver-level executemany of plain tuples, the dates and times converted as the
    columns' own types store them (no per-row work of the ORM or of Core's parameter handling)."""
    columns = [Entry.__table__.c[name] for name in ENTRY_COLUMNS]
    processors = [(i, p) for i, column in enumerate(columns)
                  if (p := column.type._cached_bind_processor(connection.dialect)) is not None]
    statement = f"INSERT INTO entries ({', '.join(ENTRY_COLUMNS)}) VALUES ({', '.join('?' * len(columns))})"

    async def load(connection: AsyncConnection, rows: list[tuple]) -> None:
        converted = []
        for row in rows:
            values = list(row)
            for i, process in processors:
                values[i] = process(values[i])
            converted.append(tuple(values))
        await connection.exec_driver_sql(statement, converted)
    return load


async def find_county(db: Database) -> County:
    """The county built before, on a kept database."""
    async with db.transaction() as session:
        district_id = (await session.execute(select(District.id).where(District.name == COUNTY))).scalar_one()
        schools = (await session.execute(select(School.id).where(School.district_id == district_id,
                                                                 School.name.like("第%学校")).order_by(School.id))
                   ).scalars().all()
        members: dict[int, list[int]] = {school_id: [] for school_id in schools}
        for member_id, school_id in await session.execute(
                select(Member.id, Member.school_id).where(Member.school_id.in_(schools)).order_by(Member.id)):
            members[school_id].append(member_id)
    return County(district_id, list(schools), members)


async def clear_last_run(db: Database) -> None:
    """What a run leaves on a kept database, gone: the stored summaries and the planned messages."""
    async with db.transaction() as session:
        await stored_summaries.forget_all(session)
        await session.execute(delete(DeliveryAttempt))
        await session.execute(delete(OutboxMessage))


def kept_name(options: argparse.Namespace) -> str:
    return f"{options.schools}x{options.staff}_{options.entries}_{options.seed}"


@asynccontextmanager
async def county_database(backend: str, options: argparse.Namespace) -> AsyncIterator[tuple[Database, bool]]:
    """The backend's database and whether the county is in it already: a temporary one, or with ``--keep`` the
    kept one (made if missing, or anew if its last building did not finish)."""
    if not options.keep:
        async with database_for(backend, options.pg_url) as db:
            yield db, False
        return
    if backend == "sqlite":
        path = Path(options.keep) / f"county-{kept_name(options).replace('_', '-')}.db"
        marker = path.with_suffix(".built")
        built = marker.exists()
        if not built:
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        db = app_database(f"sqlite+aiosqlite:///{path}")

        async def mark() -> None:
            marker.touch()
    elif backend == "postgresql":
        schema = f"teachlog_bench_county_{kept_name(options)}"
        admin = app_database(options.pg_url)
        async with admin.engine.connect() as connection:
            state = (await connection.execute(text(
                "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = :schema"),
                {"schema": schema})).first()
        await admin.dispose()
        built = state is not None and state[0] == "built"
        if state is not None and not built:
            await admin_statement(options.pg_url, f'DROP SCHEMA "{schema}" CASCADE')
        if not built:
            await admin_statement(options.pg_url, f'CREATE SCHEMA "{schema}"')
        db = app_database(options.pg_url, connect_args={"server_settings": {"search_path": schema}})

        async def mark() -> None:
            await admin_statement(options.pg_url, f"COMMENT ON SCHEMA \"{schema}\" IS 'built'")
    else:
        raise SystemExit(f"unknown backend {backend!r}: use sqlite and/or postgresql")
    try:
        await upgrade(db)
        db.mark_built = mark  # type: ignore[attr-defined]
        yield db, built
    finally:
        await db.dispose()


async def drop_kept(options: argparse.Namespace) -> None:
    """The kept county of these sizes deleted: its SQLite file and its PostgreSQL schema."""
    for leftover in Path(options.keep or ".").glob(f"county-{kept_name(options).replace('_', '-')}.*"):
        leftover.unlink()
    if postgres_reachable(options.pg_url):
        await admin_statement(options.pg_url,
                              f'DROP SCHEMA IF EXISTS "teachlog_bench_county_{kept_name(options)}" CASCADE')


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
    first_computation_cpu_seconds: float
    reminders_seconds: float
    planning_seconds: float
    planning_cpu_seconds: float
    planning_statements: int
    digests: int
    fresh_planning_seconds: float
    fresh_planning_cpu_seconds: float


#: Entries logged across the county between the reminder round and the digests (teachers logging at 16:59).
LOGGED_BETWEEN = 100
WEEKLY_DIGESTS = or_(OutboxMessage.dedupe_key.like("digest:%"), OutboxMessage.dedupe_key.like("district-digest:%"))


async def log_between(db: Database, count: int, rng: random.Random, day: dt.date) -> None:
    """`count` home visits on `day`, logged at 16:59:30 between its reminder and digest rounds by members drawn
    across the county, through the write path the bot's own saves take (their daily counts, their changes marked)."""
    at = dt.datetime.combine(day, dt.time(16, 59, 30), zoneinfo.ZoneInfo(TIMEZONE))
    async with db.transaction() as session:
        members = (await session.execute(select(Member.id, Member.school_id).where(Member.active.is_(True))
                                         .order_by(Member.id))).all()
        run = uuid.uuid4().hex[:12]
        await insert_new_entries(session, [
            home_visit(school_id, member_id, day, f"bench-between-{run}-{n}", at)
            for n, (member_id, school_id) in enumerate(rng.sample(members, min(count, len(members))))])


def home_visit(school_id: int, member_id: int, day: dt.date, token: str, at: dt.datetime) -> dict:
    """An entry's row as `insert_new_entries` takes it: a home visit to 王小明 on `day`, logged `at`."""
    return {"school_id": school_id, "member_id": member_id, "activity_code": "home_visit", "occurred_on": day,
            "student_name": "王小明", "student_key": "王小明", "source": "bench", "client_token": token,
            "logged_at": at}


async def timed_round(db: Database, planner: Planner, due_at: dt.datetime) -> tuple[float, float, int, int]:
    """The round at `due_at`: wall and CPU seconds, statements, and the weekly digests it planned."""
    with db.recording_statements() as statements:
        started_cpu = time.process_time()
        seconds, planned = await timed(lambda: planner.plan(due_at))
        cpu = time.process_time() - started_cpu
    assert isinstance(planned, dict)
    return seconds, cpu, len(statements), planned.get(DIGEST, 0) + planned.get(DISTRICT_DIGEST, 0)


async def plan_friday(db: Database, county: County) -> Friday:
    """The county's Friday digests (each school's leaders' and the bureau's district digest), planned by
    :class:`Planner` at 17:00 (Asia/Shanghai) on FRIDAY, after the day's first computation of the district's
    term, week and last week (what the digest reads), after the 16:59 round that decided the reminders and
    :data:`LOGGED_BETWEEN` entries logged since; then again by a fresh planner (a process started since, nothing
    kept), the digests taken out of the outbox first."""
    zone = zoneinfo.ZoneInfo(TIMEZONE)
    started_cpu = time.process_time()
    first, _ = await timed(lambda: _district_windows(db, county.district_id, FRIDAY))
    first_cpu = time.process_time() - started_cpu
    planner = Planner(db, database_standing(db))
    reminders, _ = await timed(lambda: planner.plan(dt.datetime.combine(FRIDAY, dt.time(16, 59), zone)))
    await log_between(db, LOGGED_BETWEEN, random.Random(17), FRIDAY)
    due_at = dt.datetime.combine(FRIDAY, DIGEST_TIME, zone)
    seconds, cpu, statements, digests = await timed_round(db, planner, due_at)
    async with db.transaction() as session:
        await session.execute(delete(OutboxMessage).where(WEEKLY_DIGESTS))
    fresh, fresh_cpu, _, _ = await timed_round(db, Planner(db, database_standing(db)), due_at)
    return Friday(first, first_cpu, reminders, seconds, cpu, statements, digests, fresh, fresh_cpu)


async def _district_windows(db: Database, district_id: int, day: dt.date) -> None:
    for kind, previous in (("term", False), ("week", False), ("week", True)):
        await district_report(db, district_id, kind, previous, day)


async def measure(db: Database, county: County, repeat: int, backend: str, entries: int) -> Timing:
    def report():
        return district_report(db, county.district_id, "term", False, TODAY)

    await forget_stored(db)
    note(f"{backend}: peak memory of a cold district report and its chart, in a fresh process …")
    imports_peak, cold_peak = await peak_mib(db, county, "imports"), await peak_mib(db, county, "report")
    await forget_stored(db)
    note(f"{backend}: timing the report …")
    with db.recording_statements() as statements:
        started_cpu = time.process_time()
        cold, found = await timed(report)
        cold_cpu = time.process_time() - started_cpu
    cold_statements = len(statements)
    with db.recording_statements() as statements:
        await report()
    stored_statements = len(statements)
    stored = statistics.median([(await timed(report))[0] for _ in range(repeat)])
    stored_cpu = statistics.median([await cpu_timed(report) for _ in range(repeat)])
    tokens, run = itertools.count(), uuid.uuid4().hex[:12]

    async def after_one_entry():
        school_id = county.school_ids[len(county.school_ids) // 2]
        async with db.transaction() as session:
            await insert_new_entries(session, [home_visit(school_id, county.members[school_id][2], TODAY,
                                                          f"bench-district-{run}-{next(tokens)}", NOW)])
        return await report()

    async def wall_and_cpu() -> tuple[float, float]:
        started_cpu = time.process_time()
        wall, _ = await timed(after_one_entry)
        return wall, time.process_time() - started_cpu

    writes = [await wall_and_cpu() for _ in range(repeat)]
    after_write = statistics.median(wall for wall, _ in writes)
    after_write_cpu = statistics.median(cpu for _, cpu in writes)
    t = translator("zh")

    async def words_and_picture():
        forget_pictures()
        return district_text(found, t, limit=CHAT_RANKING_LIMIT), district_charts(found, t, limit=CHAT_RANKING_LIMIT)

    drawing, _ = await timed(words_and_picture)
    note(f"{backend}: planning Friday {FRIDAY} …")
    friday = await plan_friday(db, county)
    return Timing(backend, len(county.school_ids), sum(map(len, county.members.values())), entries, cold, cold_cpu,
                  cold_statements, stored, stored_cpu, stored_statements, after_write, after_write_cpu, drawing,
                  cold_peak, imports_peak, friday.first_computation_seconds, friday.first_computation_cpu_seconds,
                  friday.reminders_seconds, friday.planning_seconds,
                  friday.planning_cpu_seconds, friday.planning_statements, friday.digests,
                  friday.fresh_planning_seconds, friday.fresh_planning_cpu_seconds)


def table(results: list[Timing]) -> str:
    header = ("backend", "schools", "members", "entries", "cold s", "cold SQL", "stored s", "stored CPU s",
              "stored SQL", "after a write s", "text+chart s", "cold peak MiB (imports)", "Friday s (CPU, SQL)",
              "fresh Friday s (CPU)", "digests")
    rows = [(r.backend, str(r.schools), f"{r.members:,}", f"{r.entries:,}", f"{r.cold_seconds:.2f}",
             str(r.cold_statements), f"{r.stored_seconds:.3f}", f"{r.stored_cpu_seconds:.3f}",
             str(r.stored_statements),
             f"{r.after_write_seconds:.3f}", f"{r.text_and_chart_seconds:.3f}",
             f"{r.cold_peak_mib:.1f} ({r.imports_peak_mib:.1f})",
             f"{r.friday_planning_seconds:.2f} ({r.friday_planning_cpu_seconds:.2f}, {r.friday_planning_statements})",
             f"{r.friday_fresh_planning_seconds:.2f} ({r.friday_fresh_planning_cpu_seconds:.2f})",
             str(r.friday_digests)) for r in results]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(row):
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


async def main(options: argparse.Namespace) -> None:
    if options.drop_kept:
        await drop_kept(options)
        return
    results = []
    for backend in [b.strip() for b in options.backends.split(",") if b.strip()]:
        if backend == "postgresql" and not postgres_reachable(options.pg_url):
            note(f"postgresql: not reachable at {options.pg_url}; skipped")
            continue
        async with county_database(backend, options) as (db, built):
            if built:
                note(f"{backend}: the kept county is reused")
                county = await find_county(db)
                await clear_last_run(db)
            else:
                started, started_cpu = time.perf_counter(), time.process_time()
                note(f"{backend}: building {options.schools} schools × {options.staff} staff and "
                     f"{options.entries:,} entries …")
                county = await build_county(db, options.schools, options.staff, options.entries,
                                            random.Random(options.seed))
                note(f"{backend}: built in {time.perf_counter() - started:.1f} s "
                     f"({time.process_time() - started_cpu:.1f} s CPU)")
                if options.keep:
                    await db.mark_built()  # type: ignore[attr-defined]
            if not options.build_only:
                results.append(await measure(db, county, options.repeat, backend, options.entries))
    if options.build_only:
        return
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
    parser.add_argument("--keep", metavar="DIR", help="keep the built county (SQLite file in DIR, a named "
                        "PostgreSQL schema) and reuse it when a run of the same sizes finds it")
    parser.add_argument("--build-only", action="store_true", help="build (or find) the kept county, measure nothing")
    parser.add_argument("--drop-kept", action="store_true", help="delete the kept county of these sizes and stop")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_options()))
