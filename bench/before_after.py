"""The district figures of one database under two checkouts: this one and, say, main before a change.

Builds (once, unless it is already filled) one school of --members members and --entries
entries on ``seed-000`` with the data builder of ``bench/progress.py`` in the database given
by --url (a SQLite file or a PostgreSQL database of its own: it is filled, not dropped), then
runs, in a fresh process per checkout (``--code`` paths, default this one), on the same data
and the same day:

* ``standing``: ``bot.quotas.standing.school_standing`` (median of --repeat after a warm-up, wall
  time and this process's CPU time, which others' load on a shared machine disturbs less);
* ``report``: ``bot.reporting.reports.school_report`` for the term (median of --repeat after a warm-up);
* ``charts``: its charts drawn the first time, and ``charts again`` for the same report.

    createdb -h 127.0.0.1 -U postgres bench
    python bench/before_after.py --url postgresql+asyncpg://postgres@127.0.0.1:5432/bench --code /tmp/before .
    python bench/before_after.py --url sqlite+aiosqlite:////tmp/district.db --code /tmp/before . --json

Nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from progress import analyze, build_district, note, print_json  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.database import app_database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Entry, School  # noqa: E402

TODAY = dt.date(2026, 11, 18)
CHILD = """
import asyncio, datetime as dt, json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from bot.reporting import report_charts
from bot.i18n import translator
from bot.reporting.reports import report_window, school_report
from bot.people.schools import policy_of
from bot.quotas.standing import school_standing
import inspect
from storage.db import Database
if "session_class" in inspect.signature(Database).parameters:
    from bot.database import app_database
else:  # a checkout from before bot/database.py, whose Database tracked the summaries itself
    app_database = Database
from storage.models import School

async def median(run, repeat):
    # Median wall and CPU seconds (CPU of this process, aiosqlite's thread included; not PostgreSQL's).
    await run()
    times = []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        await run()
        times.append((time.perf_counter() - started, time.process_time() - cpu))
    return statistics.median(w for w, _ in times), statistics.median(c for _, c in times)

async def main(url, school_id, today, repeat):
    db = app_database(url)
    async with db.transaction() as session:
        policy = policy_of(await session.get(School, school_id))
    window = report_window("term", False, today, policy)
    figures = {}
    standing = lambda: school_standing(db, school_id, today)  # noqa: E731
    figures["standing"], figures["standing_cpu"] = await median(standing, repeat)
    figures["report"], figures["report_cpu"] = await median(lambda: school_report(db, school_id, window), repeat)
    report = await school_report(db, school_id, window)
    t = translator("zh")
    started = time.perf_counter()
    report_charts.school_charts(report, t, limit=20)
    figures["charts"] = time.perf_counter() - started
    started = time.perf_counter()
    report_charts.school_charts(report, t, limit=20)
    figures["charts_again"] = time.perf_counter() - started
    await db.dispose()
    print(json.dumps(figures))

asyncio.run(main(sys.argv[2], int(sys.argv[3]), dt.date.fromisoformat(sys.argv[4]), int(sys.argv[5])))
"""


async def ensure_district(url: str, members: int, entries: int, seed: int) -> int:
    db = app_database(url)
    try:
        await upgrade(db)
        async with db.transaction() as session:
            school_id = await session.scalar(select(School.id).where(School.name == "Benchmark District"))
            stored = await session.scalar(select(func.count()).select_from(Entry)) if school_id else 0
        if school_id is not None and stored == entries:
            note(f"{url}: district already built ({stored:,} entries)")
            return school_id
        if school_id is not None:
            raise SystemExit(f"{url} holds another district ({stored:,} entries): use an empty database")
        note(f"{url}: building {members:,} members and {entries:,} entries …")
        district = await build_district(db, members, entries, TODAY, random.Random(seed))
        await analyze(db)
        return district.school_id
    finally:
        await db.dispose()


def run_child(code: Path, url: str, school_id: int, repeat: int) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(code), url, str(school_id), TODAY.isoformat(),
                           str(repeat)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{code} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def main(options: argparse.Namespace) -> None:
    school_id = asyncio.run(ensure_district(options.url, options.members, options.entries, options.seed))
    codes = [Path(code).resolve() for code in options.code] or [ROOT]
    results = {}
    for code in codes:
        note(f"timing {code} …")
        results[str(code)] = run_child(code, options.url, school_id, options.repeat)
    if options.json:
        print_json({"url": options.url.split("@")[-1], "members": options.members, "entries": options.entries,
                    "today": TODAY.isoformat(), "repeat": options.repeat, "results": results})
        return
    print(f"{options.url.split('://')[0]}: {options.members:,} members, {options.entries:,} entries, {TODAY}, "
          f"median of {options.repeat}")
    print("| code | standing s (CPU) | /report term compute s (CPU) | charts s | charts again s |")
    print("|---|---:|---:|---:|---:|")
    for code, figures in results.items():
        print(f"| {code} | {figures['standing']:.3f} ({figures['standing_cpu']:.3f}) "
              f"| {figures['report']:.3f} ({figures['report_cpu']:.3f}) | {figures['charts']:.3f} "
              f"| {figures['charts_again']:.3f} |")


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the database to fill and measure (not dropped)")
    parser.add_argument("--code", nargs="*", default=[], help="checkouts to time, in order (default: this one)")
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main(parse_options())
