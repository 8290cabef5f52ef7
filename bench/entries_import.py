"""How long does `teachlog entries import` take for 100,000 past records on SQLite?

Builds a school on the ``seed-000`` policy with ``--members`` pre-registered staff in a
temporary SQLite file, writes a CSV of ``--rows`` rows (date, member, activity, student,
duration, notes; dates over the last two years), and times ``bot.logbook.entries_import.import_entries``
for the first import and for importing the same file again (which stores nothing).
The goal is under a minute for 100,000 rows. Nothing here is asserted by the tests.

    python bench/entries_import.py                  # 100,000 rows, 300 members
    python bench/entries_import.py --rows 10000     # quick
    python bench/entries_import.py --json
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import json
import random
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bot.database import app_database  # noqa: E402
from bot.logbook.entries_import import import_entries  # noqa: E402
from bot.people.schools import create_school  # noqa: E402
from bot.people.staff_import import import_staff  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

NOW = dt.datetime(2026, 11, 18, 17, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
ACTIVITIES = (("家访", True), ("电话", True), ("作业辅导", True), ("三进三同", False), ("书信交流", False))


def write_files(folder: Path, members: int, rows: int) -> tuple[Path, Path]:
    names = [f"教师{n:04d}" for n in range(members)]
    roster = folder / "staff.csv"
    with roster.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["name", "role"])
        writer.writerows([name, "head_teacher" if n % 5 == 0 else "teacher"] for n, name in enumerate(names))
    past = folder / "past.csv"
    chance = random.Random(11)
    with past.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["date", "member", "activity", "student", "duration", "notes"])
        for n in range(rows):
            activity, with_duration = chance.choice(ACTIVITIES)
            day = NOW.date() - dt.timedelta(days=chance.randrange(1, 730))
            writer.writerow([day.isoformat(), chance.choice(names), activity, f"学生{chance.randrange(3000):04d}",
                             f"{chance.randrange(10, 90)}" if with_duration or n % 2 else "",
                             "了解学习情况" if n % 3 == 0 else ""])
    return roster, past


async def measure(members: int, rows: int) -> dict:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        roster, past = write_files(folder, members, rows)
        db = app_database(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
        try:
            await upgrade(db)
            school = await create_school(db, "基准中学", policy="seed-000", now=NOW)
            await import_staff(db, school.school_id, roster, NOW)
            started = time.perf_counter()
            first = await import_entries(db, school.school_id, past, NOW)
            first_seconds = time.perf_counter() - started
            started = time.perf_counter()
            again = await import_entries(db, school.school_id, past, NOW)
            again_seconds = time.perf_counter() - started
        finally:
            await db.dispose()
    return {"backend": "sqlite", "rows": rows, "members": members,
            "first_import": {"seconds": round(first_seconds, 2), "added": first.added, "bad": len(first.bad_rows)},
            "same_file_again": {"seconds": round(again_seconds, 2), "added": again.added,
                                "already_there": again.already_there},
            "goal_seconds": 60}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    options = parser.parse_args()
    result = asyncio.run(measure(options.members, options.rows))
    if options.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(f"entries import on SQLite: {result['rows']:,} rows, {result['members']} members (goal < 60 s)")
    print(f"{'run':<18}{'seconds':>9}{'added':>9}{'already there':>15}{'bad':>6}")
    first, again = result["first_import"], result["same_file_again"]
    print(f"{'first import':<18}{first['seconds']:>9.2f}{first['added']:>9,}{0:>15,}{first['bad']:>6}")
    print(f"{'same file again':<18}{again['seconds']:>9.2f}{again['added']:>9,}{again['already_there']:>15,}{0:>6}")


if __name__ == "__main__":
    main()
