"""How much memory does the bot take to work out a district's standing and report?

Builds one school of --members members (default 10,000) and --entries entries on
``seed-000`` in a SQLite file (the data builder of ``bench/progress.py``), then, each in a
fresh Python process so that its peak resident memory (``VmHWM``) is its own:

* ``imports``: the fair baseline — the process with the bot's modules imported
  (python-telegram-bot, SQLAlchemy, matplotlib through the charts) and nothing computed;
* ``standing``: ``bot.quotas.standing.school_standing`` for the school, as planning reminders,
  the leaderboard and the digest use it;
* ``report``: ``bot.reporting.reports.school_report`` for the term and its charts, as ``/report term``.

With ``--compare DIR`` the same processes also run the code of another checkout (e.g. the
main branch in a ``git worktree``) on the same database, for a before/after table in one run.
The goal is under 150 MiB. Nothing here is asserted by the tests.

    python bench/memory.py                                 # 10,000 members, 300,000 entries
    python bench/memory.py --members 2000 --entries 50000 --json
    python bench/memory.py --compare /tmp/teachlog-main
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from progress import build_district, note, print_json  # noqa: E402

from bot.database import app_database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

TODAY = dt.date(2026, 11, 18)
WORKS = ("imports", "standing", "report")
#: Run in a child process: argv is code root, database URL, school id, what to do.
CHILD = """
import asyncio, datetime as dt, sys
sys.path.insert(0, sys.argv[1])
import telegram.ext  # noqa: F401  the bot's libraries, as `teachlog run` has them loaded
import bot.notifications.planning, bot.reporting.report_charts, bot.reporting.reports, bot.quotas.standing  # noqa: F401
from bot.i18n import translator
from bot.reporting.report_charts import school_charts
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

async def main(url, school_id, work):
    db = app_database(url)
    today = dt.date.fromisoformat(sys.argv[5])
    if work == "standing":
        await school_standing(db, school_id, today)
    elif work == "report":
        async with db.transaction() as session:
            policy = policy_of(await session.get(School, school_id))
        report = await school_report(db, school_id, report_window("term", False, today, policy))
        school_charts(report, translator("zh"), limit=20)
    await db.dispose()

asyncio.run(main(sys.argv[2], int(sys.argv[3]), sys.argv[4]))
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")))
"""


def peak_mib(code_root: Path, url: str, school_id: int, work: str) -> float:
    done = subprocess.run([sys.executable, "-c", CHILD, str(code_root), url, str(school_id), work, TODAY.isoformat()],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{work} in {code_root} failed:\n{done.stderr}")
    return int(done.stdout.split()[-1]) / 1024  # kB → MiB


async def build(path: Path, members: int, entries: int, seed: int) -> int:
    db = app_database(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(db)
        return (await build_district(db, members, entries, TODAY, random.Random(seed))).school_id
    finally:
        await db.dispose()


def main(options: argparse.Namespace) -> None:
    roots = {"this": ROOT, **({"compared": Path(options.compare).resolve()} if options.compare else {})}
    with tempfile.TemporaryDirectory(prefix="teachlog-bench-") as folder:
        path = Path(folder) / "bench.db"
        note(f"building {options.members:,} members and {options.entries:,} entries …")
        school_id = asyncio.run(build(path, options.members, options.entries, options.seed))
        url = f"sqlite+aiosqlite:///{path}"
        results = {name: {work: peak_mib(root, url, school_id, work) for work in WORKS} for name, root in roots.items()}
    if options.json:
        print_json({"measured": "peak RSS (VmHWM), MiB", "members": options.members, "entries": options.entries,
                    "roots": {name: str(root) for name, root in roots.items()}, "results": results})
        return
    print(f"peak resident memory (MiB), {options.members:,} members, {options.entries:,} entries, SQLite")
    header = "| code | " + " | ".join(WORKS) + " | standing − imports | report − imports |"
    print(header)
    print("|---" * (len(WORKS) + 3) + "|")
    for name, figures in results.items():
        cells = [f"{figures[work]:.1f}" for work in WORKS]
        print(f"| {name} ({roots[name]}) | " + " | ".join(cells) + f" | {figures['standing'] - figures['imports']:.1f}"
              f" | {figures['report'] - figures['imports']:.1f} |")


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compare", metavar="DIR", help="another checkout whose code runs on the same database")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main(parse_options())
