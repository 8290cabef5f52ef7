"""How fast is `bot.quotas.standing.school_standing` for a whole district, and how far from hand-written SQL?

Builds one school ("a district") of --members members and --entries entries on
each backend — SQLite in a temporary file, PostgreSQL in a temporary schema
that is dropped at the end — then measures, for today in the school's time
zone:

* ``school_standing``: wall time (median of --repeat runs after a warm-up),
  the number of SQL statements (counted with a ``before_cursor_execute``
  listener), and peak Python memory (tracemalloc, in a separate run so that
  tracing does not slow the timed ones);
* one hand-written aggregate — a single ``GROUP BY`` statement with one
  ``count(CASE …)`` column per running rule — computing the same per-member
  counts from the same data; the two are checked to agree;
* the fair baseline: one ``GROUP BY`` per rule over its own activities and
  period through the existing index, with the co-visits of the whole window
  read once (into a temporary table) — also checked to agree. The standing's
  ratio is to the faster of the two.

The policy is the ``seed-000`` preset: entry counts, distinct days, distinct
students and per-paired-student rules, per week, month, quarter and school year.
Entries are spread from the start of the current term (or quarter, whichever
is earlier) to today; about 10 % of visits have a co-visitor, 1 % are deleted,
most members are paired with one or two students who get most of their calls,
letters and greetings; 5 % of members joined during the current quarter.

    python bench/progress.py                                   # 5,000 members, 1,000,000 entries
    python bench/progress.py --members 500 --entries 100000    # a quick run
    python bench/progress.py --backends sqlite
    python bench/progress.py --members 50 --entries 2000 --json   # the same figures as one JSON document

Nothing here is asserted by the tests; the numbers are for reports.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
import zoneinfo
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, case, distinct, func, insert, select, text, union_all
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.database import app_database
from bot.people.schools import create_school, policy_of  # noqa: E402
from bot.people.students import student_key  # noqa: E402
from bot.quotas.calendar import SchoolCalendar  # noqa: E402
from bot.quotas.periods import current_period  # noqa: E402
from bot.quotas.policy import Policy  # noqa: E402
from bot.quotas.standing import SchoolStanding, running_rules, school_standing  # noqa: E402
from storage import daily_counts  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Entry, Member, Pairing, School  # noqa: E402

PRESET = "seed-000"
TIMEZONE = "Asia/Shanghai"
DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
INSERT_CHUNK = 20_000
ROLES = {"leader": 3, "head_teacher": 25, "teacher": 57, "staff": 15}
#: Activity codes of seed-000 and how often each is logged.
ACTIVITIES = {"home_visit": 22, "tutoring": 26, "phone_call": 18, "home_talk": 8, "letter": 5, "live_in_day": 6,
              "pairing_help": 5, "outreach_visit": 2, "festival_greeting": 2, "birthday_greeting": 2,
              "demo_lesson": 2, "lecture": 2}
NO_STUDENT = {"live_in_day", "demo_lesson", "lecture"}
TO_PAIRED_STUDENTS = {"phone_call", "letter", "festival_greeting", "birthday_greeting", "pairing_help"}
WITH_COVISITOR = {"home_visit", "home_talk", "outreach_visit"}
STUDENT_POOL = 20_000
NOTES = ("了解学习情况", "沟通家庭教育方法", "反馈近期表现", None, None, None, None)


# -- the district ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class District:
    school_id: int
    members: list[int]
    paired: dict[int, list[str]]
    entries: int


def spread_start(policy: Policy, today: dt.date) -> dt.date:
    """The first day entries are spread from: the start of the current term or quarter, the earlier."""
    calendar = SchoolCalendar.of(policy)
    starts = [p.start for p in (current_period("quarter", today, calendar), current_period("term", today, calendar))
              if p is not None]
    return min(starts)


async def build_district(db: Database, members: int, entries: int, today: dt.date, rng: random.Random) -> District:
    """One school on the preset, its members, their pairings and their entries, bulk-inserted."""
    school_id = (await create_school(db, "Benchmark District", timezone=TIMEZONE, policy=PRESET,
                                     now=dt.datetime.now(dt.timezone.utc))).school_id
    async with db.transaction() as session:
        policy = policy_of(await session.get(School, school_id))
    first_day = spread_start(policy, today)
    member_ids = await insert_members(db, school_id, members, first_day, today, rng)
    paired = await insert_pairings(db, school_id, member_ids, rng)
    days = [first_day + dt.timedelta(days=n) for n in range((today - first_day).days + 1)]
    loader = copy_entries if db.dialect == "postgresql" else insert_entries
    for chunk in entry_chunks(school_id, member_ids, paired, days, entries, rng):
        await loader(db, chunk)
    async with db.transaction() as session:
        # The bulk load bypasses the write path, so the daily counts are recomputed as `db rebuild-summaries` does.
        await daily_counts.rebuild(session)
    await analyze(db)
    return District(school_id, member_ids, paired, entries)


async def insert_members(db: Database, school_id: int, count: int, first_day: dt.date, today: dt.date,
                         rng: random.Random) -> list[int]:
    roles = rng.choices(list(ROLES), weights=list(ROLES.values()), k=count)
    quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    late_days = max((today - quarter_start).days - 7, 1)
    rows = [{"school_id": school_id, "role": role, "display_name": f"教师{n:05d}", "active": True,
             "joined_on": (quarter_start + dt.timedelta(days=rng.randrange(late_days)) if rng.random() < 0.05
                           else first_day - dt.timedelta(days=30)),
             "created_at": dt.datetime.now(dt.timezone.utc)}
            for n, role in enumerate(roles)]
    async with db.engine.begin() as connection:
        for start in range(0, len(rows), INSERT_CHUNK):
            await connection.execute(insert(Member.__table__), rows[start:start + INSERT_CHUNK])
        result = await connection.execute(select(Member.id).where(Member.school_id == school_id).order_by(Member.id))
        return list(result.scalars())


async def insert_pairings(db: Database, school_id: int, member_ids: list[int],
                          rng: random.Random) -> dict[int, list[str]]:
    """80 % of members get one paired student, a quarter of those a second one."""
    paired: dict[int, list[str]] = {}
    rows = []
    for member_id in member_ids:
        if rng.random() < 0.8:
            names = [f"学生{member_id:05d}{k}" for k in range(2 if rng.random() < 0.25 else 1)]
            paired[member_id] = names
            rows += [{"school_id": school_id, "member_id": member_id, "student_name": name,
                      "student_key": student_key(name), "created_at": dt.datetime.now(dt.timezone.utc)}
                     for name in names]
    async with db.engine.begin() as connection:
        for start in range(0, len(rows), INSERT_CHUNK):
            await connection.execute(insert(Pairing.__table__), rows[start:start + INSERT_CHUNK])
    return paired


ENTRY_COLUMNS = ("school_id", "member_id", "activity_code", "occurred_on", "student_name", "student_key",
                 "duration_minutes", "notes", "covisitor_member_id", "source", "logged_at", "deleted_at")


def entry_chunks(school_id: int, member_ids: list[int], paired: dict[int, list[str]], days: list[dt.date],
                 count: int, rng: random.Random) -> Iterator[list[tuple]]:
    """``count`` entries as tuples in ENTRY_COLUMNS order, INSERT_CHUNK at a time."""
    codes, weights = list(ACTIVITIES), list(ACTIVITIES.values())
    deleted_at = dt.datetime.now(dt.timezone.utc)
    for start in range(0, count, INSERT_CHUNK):
        size = min(INSERT_CHUNK, count - start)
        chunk = []
        for member_id, activity, day in zip(rng.choices(member_ids, k=size), rng.choices(codes, weights, k=size),
                                            rng.choices(days, k=size), strict=True):
            student = pick_student(activity, paired.get(member_id), rng)
            covisitor = rng.choice(member_ids) if activity in WITH_COVISITOR and rng.random() < 0.1 else None
            logged_at = dt.datetime.combine(day, dt.time(9 + rng.randrange(12)), dt.timezone.utc)
            chunk.append((school_id, member_id, activity, day, student, student and student_key(student),
                          rng.choice((10, 20, 30, 45, 60)), rng.choice(NOTES),
                          covisitor if covisitor != member_id else None, "bench", logged_at,
                          deleted_at if rng.random() < 0.01 else None))
        yield chunk


def pick_student(activity: str, paired: list[str] | None, rng: random.Random) -> str | None:
    if activity in NO_STUDENT:
        return None
    if paired and activity in TO_PAIRED_STUDENTS and rng.random() < 0.7:
        return rng.choice(paired)
    return f"学生{rng.randrange(STUDENT_POOL):05d}"


async def insert_entries(db: Database, rows: list[tuple]) -> None:
    """SQLite: one executemany of a Core insert per chunk."""
    async with db.engine.begin() as connection:
        await connection.execute(insert(Entry.__table__), [dict(zip(ENTRY_COLUMNS, row, strict=True)) for row in rows])


async def copy_entries(db: Database, rows: list[tuple]) -> None:
    """PostgreSQL: COPY through asyncpg, into the schema on the connection's search path."""
    async with db.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        schema = await raw.driver_connection.fetchval("SELECT current_schema()")
        await raw.driver_connection.copy_records_to_table("entries", records=rows, columns=list(ENTRY_COLUMNS),
                                                          schema_name=schema)


async def analyze(db: Database) -> None:
    """Statistics for the planner, as a database in use would have them (PostgreSQL also vacuums)."""
    async with db.engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE" if db.dialect == "postgresql" else "ANALYZE"))


# -- measuring ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    backend: str
    members: int
    entries: int
    first_call_seconds: float
    standing_seconds: float
    statements: int
    peak_mib: float
    hand_seconds: float
    compared: int
    disagreements: int
    per_rule_seconds: float
    per_rule_disagreements: int
    batched_seconds: float | None = None
    """With --batch N: the same standing computed N members at a time (``member_id IN (…)``), one after another."""

    @property
    def ratio(self) -> float:
        return self.standing_seconds / self.hand_seconds

    @property
    def best_sql_seconds(self) -> float:
        """The faster of the two hand-written baselines."""
        return min(self.hand_seconds, self.per_rule_seconds)

    @property
    def ratio_to_best(self) -> float:
        return self.standing_seconds / self.best_sql_seconds


async def batched_standing(db: Database, district: District, today: dt.date, batch: int) -> list:
    """The school's standing computed `batch` members at a time: what computing it in member batches costs."""
    ids = sorted(district.members)
    members = []
    for start in range(0, len(ids), batch):
        members += (await school_standing(db, district.school_id, today, ids[start:start + batch])).members
    return members


async def measure(db: Database, district: District, today: dt.date, repeat: int,
                  batch: int | None = None) -> Measurement:
    started = time.perf_counter()
    standing = await school_standing(db, district.school_id, today)  # warm-up: caches, page cache
    first_call_seconds = time.perf_counter() - started
    with db.recording_statements() as statements:
        standing_seconds = await median_seconds(lambda: school_standing(db, district.school_id, today), repeat)
    statement_count = len(statements) // repeat
    tracemalloc.start()
    await school_standing(db, district.school_id, today)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    hand = await hand_written_counts(db, district.school_id, standing.policy, today)
    hand_seconds = await median_seconds(lambda: hand_written_counts(db, district.school_id, standing.policy, today),
                                        repeat)
    compared, disagreements = compare(standing, hand)
    per_rule = await per_rule_counts(db, district.school_id, standing.policy, today)
    per_rule_seconds = await median_seconds(
        lambda: per_rule_counts(db, district.school_id, standing.policy, today), repeat)
    _, per_rule_disagreements = compare(standing, per_rule)
    batched_seconds = None
    if batch:
        if await batched_standing(db, district, today, batch) != list(standing.members):
            raise SystemExit(f"{db.dialect}: the standing in batches of {batch} differs from the whole standing")
        batched_seconds = await median_seconds(lambda: batched_standing(db, district, today, batch), repeat)
    return Measurement(db.dialect, len(district.members), district.entries, first_call_seconds, standing_seconds,
                       statement_count, peak / 2**20, hand_seconds, compared, disagreements, per_rule_seconds,
                       per_rule_disagreements, batched_seconds)


async def median_seconds(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def hand_written_counts(db: Database, school_id: int, policy: Policy,
                              today: dt.date) -> dict[tuple[int, str], int]:
    """Per member and running rule, its count: one statement over the participations of the entries.

    Entries count for the member who logged them and for the co-visitor; a rule's
    column counts entries, distinct days or distinct students in its period, or,
    for a per-student rule, the member's paired students reached (min is 1 in seed-000).
    """
    rules = running_rules(policy, SchoolCalendar.of(policy), today)
    entries, pairings = Entry.__table__, Pairing.__table__
    low, high = min(r.start for r in rules), max(r.end for r in rules)

    def participations(participant):
        return (select(participant.label("participant"), entries.c.activity_code, entries.c.occurred_on,
                       entries.c.student_key)
                .where(entries.c.school_id == school_id, entries.c.deleted_at.is_(None),
                       entries.c.occurred_on.between(low, high)))

    p = union_all(participations(entries.c.member_id),
                  participations(entries.c.covisitor_member_id).where(entries.c.covisitor_member_id.is_not(None))
                  ).subquery("p")
    columns = []
    for index, rule_period in enumerate(rules):
        rule = rule_period.rule
        counted = and_(p.c.activity_code.in_(rule.activities), p.c.occurred_on.between(rule_period.start,
                                                                                       rule_period.end))
        if rule.per_student:
            value = func.count(distinct(case((and_(counted, pairings.c.id.is_not(None)), p.c.student_key))))
        elif rule.measure == "days":
            value = func.count(distinct(case((counted, p.c.occurred_on))))
        elif rule.measure == "distinct_students":
            value = func.count(distinct(case((counted, p.c.student_key))))
        else:
            value = func.count(case((counted, 1)))
        columns.append(value.label(f"rule_{index}"))
    joined = p.outerjoin(pairings, and_(pairings.c.member_id == p.c.participant,
                                        pairings.c.student_key == p.c.student_key))
    query = select(p.c.participant, *columns).select_from(joined).group_by(p.c.participant)
    async with db.engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return {(row[0], rule_period.rule.id): row[index + 1]
            for row in rows for index, rule_period in enumerate(rules)}


COVISITS = "bench_covisits"


async def per_rule_counts(db: Database, school_id: int, policy: Policy, today: dt.date) -> dict[tuple[int, str], int]:
    """The fair baseline: per member and running rule its count, with one GROUP BY per rule.

    The co-visits of the whole window are read once, into a temporary table (through the
    co-visitor index: ``school_id + 0`` and ``coalesce(occurred_on, …)`` keep SQLite off the
    slower school-days index); then each
    rule is one aggregate over its own activities and period — the member's own entries
    through ``ix_entries_school_activity_day``, plus the co-visits — with the same
    measures as :func:`hand_written_counts`. Checked to agree with the standing.
    """
    rules = running_rules(policy, SchoolCalendar.of(policy), today)
    entries, pairings = Entry.__table__, Pairing.__table__
    low, high = min(r.start for r in rules), max(r.end for r in rules)
    counts: dict[tuple[int, str], int] = {}
    async with db.engine.connect() as connection:
        await connection.execute(text(f"DROP TABLE IF EXISTS {COVISITS}"))
        await connection.execute(text(
            f"CREATE TEMPORARY TABLE {COVISITS} AS SELECT covisitor_member_id AS participant, activity_code, "
            "occurred_on, student_key FROM entries WHERE school_id + 0 = :school AND deleted_at IS NULL "
            "AND covisitor_member_id IS NOT NULL AND coalesce(occurred_on, occurred_on) BETWEEN :low AND :high"),
            {"school": school_id, "low": low, "high": high})
        covisits = sa_table(COVISITS, sa_column("participant"), sa_column("activity_code"),
                            sa_column("occurred_on"), sa_column("student_key"))
        for rule_period in rules:
            rule = rule_period.rule
            own = select(entries.c.member_id.label("participant"), entries.c.occurred_on, entries.c.student_key) \
                .where(entries.c.school_id == school_id, entries.c.activity_code.in_(rule.activities),
                       entries.c.occurred_on.between(rule_period.start, rule_period.end),
                       entries.c.deleted_at.is_(None))
            co = select(covisits.c.participant, covisits.c.occurred_on, covisits.c.student_key) \
                .where(covisits.c.activity_code.in_(rule.activities),
                       covisits.c.occurred_on.between(rule_period.start, rule_period.end))
            p = union_all(own, co).subquery("p")
            if rule.per_student:
                query = (select(p.c.participant, func.count(distinct(p.c.student_key)))
                         .join(pairings, and_(pairings.c.member_id == p.c.participant,
                                              pairings.c.student_key == p.c.student_key)))
            elif rule.measure == "days":
                query = select(p.c.participant, func.count(distinct(p.c.occurred_on)))
            elif rule.measure == "distinct_students":
                query = select(p.c.participant, func.count(distinct(p.c.student_key)))
            else:
                query = select(p.c.participant, func.count())
            for participant, count in await connection.execute(query.group_by(p.c.participant)):
                counts[(participant, rule.id)] = count
        await connection.execute(text(f"DROP TABLE {COVISITS}"))
    return counts


def compare(standing: SchoolStanding, hand: dict[tuple[int, str], int]) -> tuple[int, int]:
    """(values compared, values that differ) between the standing's ``done`` and the hand-written counts."""
    pairs = [(progress.done, hand.get((member.member_id, progress.rule_id), 0))
             for member in standing.members for progress in member.rules]
    return len(pairs), sum(1 for done, counted in pairs if done != counted)


# -- backends --------------------------------------------------------------------------------------------


@asynccontextmanager
async def sqlite_database() -> AsyncIterator[Database]:
    with tempfile.TemporaryDirectory(prefix="teachlog-bench-") as folder:
        db = app_database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        try:
            await upgrade(db)
            yield db
        finally:
            await db.dispose()


@asynccontextmanager
async def postgres_database(url: str) -> AsyncIterator[Database]:
    """A migrated database in a fresh schema of its own, dropped at the end (the tests use other schemas)."""
    schema = f"teachlog_bench_{uuid.uuid4().hex[:10]}"
    await admin_statement(url, f'CREATE SCHEMA "{schema}"')
    db = app_database(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        await upgrade(db)
        yield db
    finally:
        await db.dispose()
        await admin_statement(url, f'DROP SCHEMA "{schema}" CASCADE')


async def admin_statement(url: str, statement: str) -> None:
    admin = app_database(url)
    try:
        async with admin.engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


def database_for(backend: str, pg_url: str):
    if backend == "sqlite":
        return sqlite_database()
    if backend == "postgresql":
        return postgres_database(pg_url)
    raise SystemExit(f"unknown backend {backend!r}: use sqlite and/or postgresql")


# -- the command -------------------------------------------------------------------------------------------


def table(results: list[Measurement]) -> str:
    header = ("backend", "members", "entries", "standing s", "queries", "peak MiB", "one-statement SQL s",
              "per-rule SQL s", "× best SQL")
    rows = [(r.backend, f"{r.members:,}", f"{r.entries:,}", f"{r.standing_seconds:.3f}", str(r.statements),
             f"{r.peak_mib:.1f}", f"{r.hand_seconds:.3f}", f"{r.per_rule_seconds:.3f}", f"{r.ratio_to_best:.2f}")
            for r in results]
    if any(r.batched_seconds is not None for r in results):
        header += ("in batches s",)
        rows = [(*row, "—" if r.batched_seconds is None else f"{r.batched_seconds:.3f}")
                for row, r in zip(rows, results, strict=True)]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    line = lambda row: "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def json_record(result: object, *derived: str) -> dict:
    """A result dataclass's fields and the named derived figures (properties), ready for ``json.dumps``."""
    assert dataclasses.is_dataclass(result) and not isinstance(result, type)
    record = dataclasses.asdict(result)
    record.update({name: getattr(result, name) for name in derived})
    return record


def print_json(document: dict) -> None:
    """The bench's figures as one JSON document on stdout (with --json, instead of the table)."""
    print(json.dumps(document, ensure_ascii=False, indent=2))


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def run_backend(backend: str, options: argparse.Namespace, today: dt.date) -> Measurement:
    async with database_for(backend, options.pg_url) as db:
        started = time.perf_counter()
        note(f"{backend}: building {options.members:,} members and {options.entries:,} entries …")
        district = await build_district(db, options.members, options.entries, today, random.Random(options.seed))
        note(f"{backend}: built in {time.perf_counter() - started:.1f} s; measuring …")
        result = await measure(db, district, today, options.repeat, options.batch)
        note(f"{backend}: the first (warm-up) call took {result.first_call_seconds:.3f} s")
        note(f"{backend}: standing and hand-written SQL agree on {result.compared - result.disagreements:,} "
             f"of {result.compared:,} member × rule counts")
        note(f"{backend}: standing and the per-rule SQL agree on "
             f"{result.compared - result.per_rule_disagreements:,} of {result.compared:,}")
        return result


async def main(options: argparse.Namespace) -> None:
    today = dt.datetime.now(zoneinfo.ZoneInfo(TIMEZONE)).date()
    results = []
    for backend in [b.strip() for b in options.backends.split(",") if b.strip()]:
        if backend == "postgresql" and not postgres_reachable(options.pg_url):
            note(f"postgresql: not reachable at {options.pg_url}; skipped")
            continue
        results.append(await run_backend(backend, options, today))
    if options.json:
        print_json({"measured": "school_standing", "today": today.isoformat(), "preset": PRESET,
                    "repeat": options.repeat, "results": [json_record(r, "ratio", "best_sql_seconds", "ratio_to_best")
                                                   for r in results]})
        return
    print(f"school_standing on {today} ({PRESET}, one school), median of {options.repeat} runs after a warm-up")
    print(table(results))


def postgres_reachable(url: str) -> bool:
    parsed = make_url(url)
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 5432), timeout=1):
            return True
    except OSError:
        return False


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each measurement (median reported)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the generated district")
    parser.add_argument("--pg-url", default=os.environ.get("TEACHLOG_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--batch", type=int, metavar="N",
                        help="also time the standing computed N members at a time (and check it agrees)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_options()))
