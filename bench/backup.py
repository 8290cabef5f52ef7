"""How long do `teachlog db backup`, `db restore` and `db copy` take for a district of 1,000,000 entries?

For each backend — SQLite in a temporary file, PostgreSQL in a temporary schema dropped at the end —
builds the district of ``bench/progress.py`` (one school on the ``seed-000`` preset: members, pairings,
entries with co-visits and deletions, their daily counts), then times:

* ``backup``: :func:`storage.backup.write_backup` into a temporary file (one snapshot, gzip), and the
  file's size;
* ``restore``: :func:`storage.backup.restore_backup` of that file into an empty database of the same
  backend (every checksum checked first, then one transaction);
* ``copy``: :func:`storage.copy.copy_database` into an empty database of the other backend (SQLite to
  PostgreSQL, PostgreSQL to SQLite), when PostgreSQL answers.

With ``--memory``, the backup and the restore are run once more under tracemalloc and their peak Python
memory reported (a separate run: tracing slows them). Each time is one run: the work is large and each
run starts from an empty target. Nothing here is asserted by the tests.

    python bench/backup.py                                        # 5,000 members, 1,000,000 entries, both backends
    python bench/backup.py --members 300 --entries 100000          # quicker
    python bench/backup.py --members 50 --entries 2000 --backends sqlite --json
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import os
import random
import sys
import tempfile
import time
import tracemalloc
import zoneinfo
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from progress import (  # noqa: E402
    DEFAULT_PG_URL,
    TIMEZONE,
    build_district,
    json_record,
    note,
    postgres_database,
    postgres_reachable,
    print_json,
    sqlite_database,
)

from storage.backup import restore_backup, write_backup  # noqa: E402
from storage.copy import copy_database  # noqa: E402
from storage.db import Database  # noqa: E402

MIB = 1024 * 1024


@dataclasses.dataclass
class Measurement:
    backend: str
    members: int
    entries: int
    rows: int
    backup_seconds: float
    file_mib: float
    restore_seconds: float
    copy_to: str | None
    copy_seconds: float | None
    backup_peak_mib: float | None = None
    restore_peak_mib: float | None = None

    @property
    def backup_rows_per_second(self) -> float:
        return self.rows / self.backup_seconds


def other_backend(backend: str) -> str:
    return "postgresql" if backend == "sqlite" else "sqlite"


@asynccontextmanager
async def empty_database(backend: str, pg_url: str) -> AsyncIterator[Database]:
    """A database with teachlog's tables and no rows (restore and copy accept one; they refuse rows)."""
    manager = sqlite_database() if backend == "sqlite" else postgres_database(pg_url)
    async with manager as db:
        yield db


async def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = await work
    return time.perf_counter() - started, result


async def traced_peak_mib(work) -> float:
    tracemalloc.start()
    try:
        await work
        return tracemalloc.get_traced_memory()[1] / MIB
    finally:
        tracemalloc.stop()


async def run_backend(backend: str, options: argparse.Namespace, today: dt.date, folder: Path) -> Measurement:
    now = dt.datetime.now(dt.timezone.utc)
    async with empty_database(backend, options.pg_url) as source:
        note(f"{backend}: building {options.members:,} members and {options.entries:,} entries …")
        await build_district(source, options.members, options.entries, today, random.Random(options.seed))
        path = folder / f"{backend}.backup.gz"
        note(f"{backend}: backing up …")
        backup_seconds, header = await timed(write_backup(source, path, now))
        rows = sum(table.rows for table in header.tables)  # type: ignore[attr-defined]
        note(f"{backend}: {rows:,} rows in {backup_seconds:.1f} s; restoring …")
        async with empty_database(backend, options.pg_url) as target:
            restore_seconds, _ = await timed(restore_backup(target, path))
        copy_to = other_backend(backend)
        copy_seconds = None
        if copy_to == "sqlite" or postgres_reachable(options.pg_url):
            note(f"{backend}: copying to {copy_to} …")
            async with empty_database(copy_to, options.pg_url) as target:
                copy_seconds, _ = await timed(copy_database(source, target))
        else:
            copy_to = None
        result = Measurement(backend, options.members, options.entries, rows, backup_seconds,
                             path.stat().st_size / MIB, restore_seconds, copy_to, copy_seconds)
        if options.memory:
            note(f"{backend}: backup and restore again under tracemalloc …")
            result.backup_peak_mib = await traced_peak_mib(write_backup(source, folder / "traced.backup.gz", now))
            async with empty_database(backend, options.pg_url) as target:
                result.restore_peak_mib = await traced_peak_mib(restore_backup(target, path))
        return result


def table(results: list[Measurement]) -> str:
    header = ("backend", "members", "entries", "rows", "backup s", "rows/s", "file MiB", "restore s", "copy to",
              "copy s", "backup peak MiB", "restore peak MiB")
    rows = [(r.backend, f"{r.members:,}", f"{r.entries:,}", f"{r.rows:,}", f"{r.backup_seconds:.2f}",
             f"{r.backup_rows_per_second:,.0f}", f"{r.file_mib:.1f}", f"{r.restore_seconds:.2f}", r.copy_to or "—",
             "—" if r.copy_seconds is None else f"{r.copy_seconds:.2f}",
             "—" if r.backup_peak_mib is None else f"{r.backup_peak_mib:.1f}",
             "—" if r.restore_peak_mib is None else f"{r.restore_peak_mib:.1f}")
            for r in results]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    line = lambda row: "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


async def main(options: argparse.Namespace) -> None:
    today = dt.datetime.now(zoneinfo.ZoneInfo(TIMEZONE)).date()
    results = []
    with tempfile.TemporaryDirectory(prefix="teachlog-backup-bench-") as folder:
        for backend in [b.strip() for b in options.backends.split(",") if b.strip()]:
            if backend == "postgresql" and not postgres_reachable(options.pg_url):
                note(f"postgresql: not reachable at {options.pg_url}; skipped")
                continue
            if backend not in ("sqlite", "postgresql"):
                raise SystemExit(f"unknown backend {backend!r}: use sqlite and/or postgresql")
            results.append(await run_backend(backend, options, today, Path(folder)))
    if options.json:
        print_json({"measured": "db backup, db restore, db copy", "today": today.isoformat(),
                    "results": [json_record(r, "backup_rows_per_second") for r in results]})
        return
    print(f"db backup, restore (same backend) and copy (to the other backend) on {today}, one run each")
    print(table(results))


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the generated district")
    parser.add_argument("--pg-url", default=os.environ.get("TEACHLOG_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--memory", action="store_true", help="also the peak Python memory of backup and restore")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_options()))
