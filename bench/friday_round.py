"""The county's Friday 17:00 round alone, timed again and again on a kept database, and the code before next to it.

``bench/district.py`` builds a county and measures everything once; this keeps the county (a SQLite file, or a
PostgreSQL schema that stays) so that the 17:00 round — every school's leaders' digest and the bureau's district
digest — can be timed many times, under a profiler, and by another checkout of the code on the same data:

    python bench/friday_round.py build --backend sqlite --keep /tmp/county300.db --schools 300 --entries 600000
    python bench/friday_round.py time --backend sqlite --keep /tmp/county300.db --runs 3
    git archive 5533ee6 | tar -x -C /tmp/before    # the code before
    python bench/friday_round.py time --backend sqlite --keep /tmp/county300.db --code /tmp/before --runs 3 --writes 0

``build`` makes the county of ``bench/district.py`` and computes the district's term, week and last week on Friday
(the day's first computation). ``time`` empties the outbox, runs the 16:59 round (reminders decided, with the
planner's memo), then ``--runs`` times: the week's digests taken out of the outbox, ``--writes`` entries logged
across the county (default 100: teachers logging before the digests) and the 17:00 round planned — wall, the
process's CPU (aiosqlite's thread included; PostgreSQL's server not), the main thread's CPU, statements and
digests. The planner keeps the standings it computed (:mod:`bot.quotas.kept_standings`); ``--fresh`` plans each
17:00 round with a new one instead, as a process started after the 16:59 round does. (A ``--code`` checkout older
than ``bench/district.py``'s ``log_between`` runs with ``--writes 0``: it keeps nothing between rounds anyway.)
``check`` plans the 17:00 messages (a dry run) with a planner that ran the 16:59 round and, after ``--writes``
entries, with a fresh one, and says whether the two are the same (keys and texts, by SHA-256).
``--dump FILE`` writes the last round's digest rows (keys, recipients, texts) to compare two checkouts;
``--profile`` prints a pyinstrument profile of the last round (``pip install pyinstrument``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import random
import statistics
import sys
import time
import zoneinfo
from pathlib import Path


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("build", "time", "check"))
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--keep", required=True, help="the SQLite file, or the PostgreSQL schema, kept between runs")
    parser.add_argument("--code", default=str(Path(__file__).resolve().parents[1]),
                        help="the checkout whose code runs (default: this one)")
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--staff", type=int, default=60)
    parser.add_argument("--entries", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--writes", type=int, default=100,
                        help="entries logged across the county before each 17:00 round (after the 16:59 one)")
    parser.add_argument("--fresh", action="store_true",
                        help="each 17:00 round by a fresh planner: a process started since the 16:59 round")
    parser.add_argument("--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--dump", help="write the last round's digest rows here (JSON)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


OPTIONS = parse_options()
sys.path[:0] = [OPTIONS.code, str(Path(OPTIONS.code) / "bench")]  # its bench/district.py puts its code first

import district as county_bench  # noqa: E402
from sqlalchemy import delete, or_, select, text  # noqa: E402

from bot.database import app_database  # noqa: E402
from bot.notifications.planning import Planner  # noqa: E402
from bot.notifications.schedule import DIGEST_TIME  # noqa: E402
from bot.notifications.weekly_facts import database_standing  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import OutboxMessage  # noqa: E402

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
WEEKLY_DIGESTS = or_(OutboxMessage.dedupe_key.like("digest:%"), OutboxMessage.dedupe_key.like("district-digest:%"))


def database(options: argparse.Namespace):
    if options.backend == "sqlite":
        return app_database(f"sqlite+aiosqlite:///{options.keep}")
    return app_database(options.pg_url, connect_args={"server_settings": {"search_path": options.keep}})


async def build(options: argparse.Namespace) -> None:
    if options.backend == "postgresql":
        admin = app_database(options.pg_url)
        async with admin.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{options.keep}" CASCADE'))
            await connection.execute(text(f'CREATE SCHEMA "{options.keep}"'))
        await admin.dispose()
    db = database(options)
    await upgrade(db)
    county = await county_bench.build_county(db, options.schools, options.staff, options.entries, random.Random(21))
    await county_bench._district_windows(db, county.district_id, county_bench.FRIDAY)
    await db.dispose()


async def time_rounds(options: argparse.Namespace) -> dict:
    db = database(options)
    planner = Planner(db, database_standing(db))
    async with db.transaction() as session:
        await session.execute(delete(OutboxMessage))
    await planner.plan(dt.datetime.combine(county_bench.FRIDAY, dt.time(16, 59), ZONE))
    due_at = dt.datetime.combine(county_bench.FRIDAY, DIGEST_TIME, ZONE)
    runs, profiler, rng = [], None, random.Random(17)
    for run in range(options.runs):
        async with db.transaction() as session:
            await session.execute(delete(OutboxMessage).where(WEEKLY_DIGESTS))
        if options.writes:
            await county_bench.log_between(db, options.writes, rng, county_bench.FRIDAY)
        if options.fresh:
            planner = Planner(db, database_standing(db))
        if options.profile and run == options.runs - 1:
            import pyinstrument
            profiler = pyinstrument.Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
        with db.recording_statements() as statements:
            cpu, main, wall = time.process_time(), time.thread_time(), time.perf_counter()
            planned = await planner.plan(due_at)
            cpu, main, wall = time.process_time() - cpu, time.thread_time() - main, time.perf_counter() - wall
        if profiler is not None:
            profiler.stop()
        runs.append({"wall_seconds": wall, "cpu_seconds": cpu, "main_thread_cpu_seconds": main,
                     "statements": len(statements), "digests": sum(planned.values())})
        print(f"run {run + 1}: wall {wall:.3f} s, CPU {cpu:.3f} s (main thread {main:.3f} s), "
              f"{len(statements)} statements, {sum(planned.values())} digests", file=sys.stderr)
    digest = await dump(db, options.dump)
    await db.dispose()
    if profiler is not None:
        print(profiler.output_text(unicode=False, color=False), file=sys.stderr)
    return {"backend": options.backend, "code": options.code, "fresh": options.fresh, "writes": options.writes,
            "runs": runs, "digests_sha256": digest,
            **{f"median_{name}": statistics.median(r[name] for r in runs)
               for name in ("wall_seconds", "cpu_seconds", "main_thread_cpu_seconds")}}


async def check(options: argparse.Namespace) -> dict:
    """The 17:00 messages (keys and texts) of a planner that ran the 16:59 round, after ``--writes`` entries, next
    to those of a fresh planner on the same data: the kept standings must change nothing (dry runs, the outbox
    emptied first)."""
    db = database(options)
    async with db.transaction() as session:
        await session.execute(delete(OutboxMessage))
    kept = Planner(db, database_standing(db))
    await kept.due(dt.datetime.combine(county_bench.FRIDAY, dt.time(16, 59), ZONE))
    await county_bench.log_between(db, options.writes, random.Random(5), county_bench.FRIDAY)
    due_at = dt.datetime.combine(county_bench.FRIDAY, DIGEST_TIME, ZONE)
    found = {}
    for name, planner in (("kept", kept), ("fresh", Planner(db, database_standing(db)))):
        messages = sorted((m.dedupe_key, m.reply.text) for m in (await planner.due(due_at)).messages)
        found[name] = (len(messages), hashlib.sha256(json.dumps(messages, ensure_ascii=False).encode()).hexdigest())
    await db.dispose()
    return {"backend": options.backend, "writes": options.writes, "messages": found["kept"][0],
            "kept_sha256": found["kept"][1], "fresh_sha256": found["fresh"][1], "same": found["kept"] == found["fresh"]}


async def dump(db, path: str | None) -> str:
    """The digest rows of the last round (ids counted from the first), and their SHA-256, written to `path`."""
    async with db.transaction() as session:
        rows = (await session.execute(
            select(OutboxMessage.id, OutboxMessage.dedupe_key, OutboxMessage.school_id, OutboxMessage.member_id,
                   OutboxMessage.platform, OutboxMessage.chat_id, OutboxMessage.kind, OutboxMessage.payload,
                   OutboxMessage.not_before, OutboxMessage.expires_at)
            .where(WEEKLY_DIGESTS).order_by(OutboxMessage.id))).all()
    first = rows[0][0] if rows else 0
    found = [[row[0] - first, *row[1:8], str(row[8]), str(row[9])] for row in rows]
    document = json.dumps(found, ensure_ascii=False, sort_keys=True)
    if path:
        Path(path).write_text(document)
    return hashlib.sha256(document.encode()).hexdigest()


def main(options: argparse.Namespace) -> None:
    if options.action == "build":
        asyncio.run(build(options))
        return
    if options.action == "check":
        found = asyncio.run(check(options))
        print(json.dumps(found, indent=2) if options.json else
              f"{found['backend']}: {found['messages']} messages at 17:00 after {found['writes']} entries; kept "
              f"{found['kept_sha256'][:16]}, fresh {found['fresh_sha256'][:16]}: "
              f"{'the same' if found['same'] else 'DIFFERENT'}")
        return
    result = asyncio.run(time_rounds(options))
    if options.json:
        print(json.dumps(result, indent=2))
        return
    print(f"| backend | code | median wall s | median CPU s | main thread CPU s | statements | digests | sha256 |\n"
          f"|---|---|---:|---:|---:|---:|---:|---|\n"
          f"| {result['backend']} | {result['code']} | {result['median_wall_seconds']:.3f} | "
          f"{result['median_cpu_seconds']:.3f} | {result['median_main_thread_cpu_seconds']:.3f} | "
          f"{result['runs'][-1]['statements']} | {result['runs'][-1]['digests']} | {result['digests_sha256'][:16]} |")


if __name__ == "__main__":
    main(OPTIONS)
