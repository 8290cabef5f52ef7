"""Where a group's ``/report term`` through the bot spends its time, split by phase.

The same school, group link and Application as ``bench/report.py`` (the ``seed-000`` data builder, the
in-process FakeTelegram, Wednesday 2026-11-18), with the stored summaries and the pictures kept warm: the
case of ``group_report_seconds``. During each timed ``/report term`` the wall time (``time.perf_counter``;
nothing else runs on the loop, and the database's time is what we are after) is charged to the innermost
phase running, by wrappers put around the functions that make up the step:

* ``routing``: the update made an :class:`~bot.chat.events.Event`, the engine's choice of a flow;
* ``lock + state load``: ``ConversationStore.hold`` up to the step (the conversation's lock, its state,
  the handled-update check);
* ``member lookup``: ``caller_of`` (the asker's profile) and the @handle noted after the step;
* ``group lookup``: ``group_audience`` (the link of the group to its school);
* ``report: roster``: the school's active members (``repository.school_roster``);
* ``report: stored summaries``: ``summaries.fresh_rows`` — the change log checked (PostgreSQL: behind
  its advisory lock), the rows taken from those kept or read, the slot saved;
* ``report: rows → counts``: the rows made the report's counts and shares (``_counted_from_rows``);
* ``report: trend + problems``: the daily counts of the trend and the problem counts (their statements);
* ``report (rest)``: the rest of ``school_report`` (the school read, its transactions, one ``MemberReport``
  per member);
* ``text``: ``school_text`` (totals, quota summary, ranking);
* ``charts``: ``send_report``, the charts drawn (or taken from those kept) in a worker thread;
* ``state save``: ``HeldConversation.finish`` and the end of the hold (the write, the commit, the unlock);
* ``sending``: ``Runtime.answer`` — the outcome rendered and the album uploaded to the fake Bot API;
* ``dispatch (rest)``: what no wrapper covers (python-telegram-bot's dispatch, the fake's update).

Each figure is the median over ``--repeat`` reports after two warm-ups. The wrappers cost a few µs each.
With ``--after-write`` one new entry comes before each report (its member's stored row computed again,
the report and its ranking built anew, the trend chart drawn again). The last row is the CPU time of the
bench's process for the whole step (PostgreSQL's server not counted), which other work on a shared machine
disturbs less than the wall time.

By default each backend gets a temporary database built anew (a few minutes at full size). With ``--url``
the data lives in a database you name (a SQLite file, or a PostgreSQL database of its own — never
``test``), built once and reused; with ``--code`` each checkout named (say, a ``git worktree`` of the code
before a change, and ``.``) is timed on it in a fresh process, side by side.

    python bench/report_split.py --members 5000 --entries 1000000                  # PostgreSQL, built anew
    python bench/report_split.py --members 5000 --entries 100000 --backend sqlite --json
    createdb -h 127.0.0.1 -U postgres bench_group
    git worktree add --detach /tmp/teachlog-before <commit>
    python bench/report_split.py --url postgresql+asyncpg://postgres@127.0.0.1:5432/bench_group \
        --code /tmp/teachlog-before .
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _checkout() -> Path:
    """The checkout whose code is timed: a ``--code`` child's ``--checkout PATH``, else this one."""
    if "--checkout" in sys.argv:
        return Path(sys.argv[sys.argv.index("--checkout") + 1]).resolve()
    return Path(__file__).resolve().parents[1]


ROOT = _checkout()
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(Path(__file__).resolve().parent)]

from phase_split import Split  # noqa: E402
from progress import (  # noqa: E402
    DEFAULT_PG_URL,
    build_district,
    note,
    postgres_database,
    postgres_reachable,
    print_json,
    sqlite_database,
)
from report import GROUP_CHAT, LEADER_TELEGRAM_ID, NOW, give_telegram_accounts  # noqa: E402
from sqlalchemy import select  # noqa: E402

import bot.chat.engine as engine_module  # noqa: E402
import bot.chat.flows.report as report_flow  # noqa: E402
import bot.chat.flows.school_overview as overview_flow  # noqa: E402
import bot.reporting.reports as reports_module  # noqa: E402
import bot.reporting.summaries as summaries_module  # noqa: E402
import storage.problems as problem_queries  # noqa: E402
import storage.reports as report_queries  # noqa: E402
import storage.repository as repository  # noqa: E402
from bot.app_context import AppContext  # noqa: E402
from bot.chat.conversations import ConversationStore, HeldConversation  # noqa: E402
from bot.chat.engine import ChatEngine  # noqa: E402
from bot.chat.runtime import Runtime  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.database import app_database  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers.telegram.port import TelegramPort  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.entry_imports import insert_new_entries  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import GroupLink, Member, School  # noqa: E402
from tests.support.bot import running_bot  # noqa: E402
from tests.support.fake_telegram import FakeTelegram  # noqa: E402

PHASES = ("routing", "lock + state load", "member lookup", "group lookup", "report: roster",
          "report: stored summaries", "report: rows → counts", "report: trend + problems", "report (rest)",
          "text", "charts", "state save", "sending", "dispatch (rest)")
REST = PHASES[-1]


SPLIT = Split(REST, time.perf_counter)


def charged(phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
    return SPLIT.charged(phase, function)


def charged_hold(hold: Callable[..., Any]) -> Callable[..., Any]:
    """The hold's entry is the lock and the state's load, its exit (commit, unlock) part of the save."""
    return SPLIT.charged_hold(hold, "lock + state load")


def install() -> None:
    """The wrappers, put where the step looks its functions up (module globals, classes)."""
    ConversationStore.hold = charged_hold(ConversationStore.hold)  # type: ignore[method-assign]
    wrapped: list[tuple[object, str, str]] = [
        (TelegramPort, "event_of", "routing"), (ChatEngine, "answers", "routing"), (ChatEngine, "route", "routing"),
        (engine_module, "caller_of", "member lookup"), (ChatEngine, "remember_handle", "member lookup"),
        (report_flow, "group_audience", "group lookup"), (overview_flow, "school_report", "report (rest)"),
        (repository, "school_roster", "report: roster"), (summaries_module, "fresh_rows", "report: stored summaries"),
        (reports_module, "_counted_from_rows", "report: rows → counts"),
        (report_queries, "daily_activity_counts", "report: trend + problems"),
        (problem_queries, "counts", "report: trend + problems"),
        (overview_flow, "school_text", "text"), (overview_flow, "drawn_reply", "charts"),
        (HeldConversation, "finish", "state save"), (Runtime, "answer", "sending"),
    ]
    for owner, name, phase in wrapped:
        setattr(owner, name, charged(phase, getattr(owner, name)))


async def build(db: Database, backend: str, members: int, entries: int) -> None:
    note(f"{backend}: building {members:,} members and {entries:,} entries …")
    started = time.perf_counter()
    district = await build_district(db, members, entries, NOW.date(), random.Random(members))
    await give_telegram_accounts(db, district.school_id, district.members)
    note(f"{backend}: built in {time.perf_counter() - started:.1f} s")


async def ensure_built(db: Database, backend: str, members: int, entries: int) -> None:
    """A named database: built the first time, reused after (the same school and group link)."""
    await upgrade(db)
    async with db.transaction() as session:
        school_id = await session.scalar(select(School.id).where(School.name == "Benchmark District"))
        linked = await session.scalar(select(GroupLink.id).where(GroupLink.chat_id == str(GROUP_CHAT)))
        held = await session.scalar(select(Member.id).where(Member.school_id == school_id).offset(members - 1)
                                    .limit(1)) if school_id is not None else None
    if school_id is None:
        await build(db, backend, members, entries)
    elif linked is None or held is None:
        raise SystemExit("the database holds another school: use an empty one")
    else:
        note(f"{backend}: reusing the school built before")
        # Each run's fake Bot API numbers its updates from the same start: forget those answered before.
        await ConversationStore(db).forget_handled(NOW + dt.timedelta(days=365))


async def one_new_entry(db: Database, number: int) -> None:
    """A home visit of the group's leader today: their stored row is computed again, the report built anew."""
    async with db.transaction() as session:
        link = await session.scalar(select(GroupLink).where(GroupLink.chat_id == str(GROUP_CHAT)))
        if link is None:
            raise SystemExit("the bench's group is not linked")
        await insert_new_entries(session, [{
            "school_id": link.school_id, "member_id": link.linked_by_member_id, "activity_code": "home_visit",
            "occurred_on": NOW.date(), "student_name": "王小明", "student_key": "王小明", "source": "bench",
            "client_token": f"bench-split-{time.time_ns()}-{number}", "logged_at": NOW}])


def charts_in_group(fake: FakeTelegram) -> list[object]:
    return [m for m in fake.messages_to(GROUP_CHAT) if m.photo]


async def until_more_charts(fake: FakeTelegram, before: int, limit_seconds: float = 1800) -> None:
    """A cold window's report is computed after the answer and sent when ready (reports to follow)."""
    deadline = time.monotonic() + limit_seconds
    while len(charts_in_group(fake)) <= before:
        if time.monotonic() > deadline:
            raise SystemExit("the group report that was to follow never came")
        await asyncio.sleep(0.2)


async def measure(db: Database, backend: str, members: int, entries: int, repeat: int,
                  after_write: bool = False) -> dict[str, Any]:
    fake = FakeTelegram()
    core = AppContext(db=db, settings=Settings(_env_file=None), clock=FixedClock(NOW))
    leader = fake.user(LEADER_TELEGRAM_ID, "校长", language_code="zh")
    splits: list[dict[str, float]] = []
    totals: list[float] = []
    cpus: list[float] = []
    async with running_bot(core, fake) as (app, _):
        for number in range(repeat + 2):  # two warm-ups: the stored rows, the CJK font, the pictures kept
            if after_write:
                await one_new_entry(db, number)
            SPLIT.start()
            started, cpu_started = time.perf_counter(), time.process_time()
            charts_before = len(charts_in_group(fake))
            await fake.send(app, fake.group_text(leader, GROUP_CHAT, "/report term"))
            total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            split = SPLIT.stop()
            if number == 0:  # nothing stored yet: the answer says the report follows; wait for it
                await until_more_charts(fake, charts_before)
            if number >= 2:
                splits.append(split)
                totals.append(total)
                cpus.append(cpu)
        fake.assert_no_errors()
        if not any(m.photo for m in fake.messages_to(GROUP_CHAT)):
            last = [m.text for m in fake.messages_to(GROUP_CHAT)][-1:]
            raise SystemExit(f"the group report came without its chart: {last}")
    phases = {phase: statistics.median(s.get(phase, 0.0) for s in splits) for phase in PHASES}
    return {"backend": backend, "members": members, "entries": entries, "seconds": phases,
            "total_seconds": statistics.median(totals), "best_seconds": min(totals), "worst_seconds": max(totals),
            "cpu_seconds": statistics.median(cpus)}


def table(results: list[dict[str, Any]]) -> str:
    rows = ["| phase | " + " | ".join(f"{r['backend']} {r['members']:,} members s" for r in results) + " |",
            "|---|" + "---:|" * len(results)]
    rows += [f"| {phase} | " + " | ".join(f"{r['seconds'][phase]:.4f}" for r in results) + " |" for phase in PHASES]
    rows.append("| **total (median)** | " + " | ".join(f"**{r['total_seconds']:.3f}**" for r in results) + " |")
    rows.append("| best – worst | " + " | ".join(f"{r['best_seconds']:.3f} – {r['worst_seconds']:.3f}"
                                                  for r in results) + " |")
    rows.append("| CPU of this process (median) | " + " | ".join(f"{r['cpu_seconds']:.3f}" for r in results) + " |")
    return "\n".join(rows)


async def main(options: argparse.Namespace) -> list[dict[str, Any]]:
    install()
    results = []
    if options.url:
        db = app_database(options.url)
        try:
            await ensure_built(db, db.dialect, options.members, options.entries)
            results.append(await measure(db, db.dialect, options.members, options.entries, options.repeat,
                                         options.after_write))
        finally:
            await db.dispose()
        return results
    for backend in [b.strip() for b in options.backend.split(",") if b.strip()]:
        if backend == "postgresql" and not postgres_reachable(options.pg_url):
            note(f"postgresql: not reachable at {options.pg_url}; skipped")
            continue
        database = sqlite_database() if backend == "sqlite" else postgres_database(options.pg_url)
        async with database as db:
            await build(db, backend, options.members, options.entries)
            results.append(await measure(db, backend, options.members, options.entries, options.repeat,
                                         options.after_write))
    return results


def each_checkout(options: argparse.Namespace) -> list[dict[str, Any]]:
    """``--code``: each checkout timed in a process of its own, on the database of ``--url``."""
    results = []
    for code in options.code:
        checkout = Path(code).resolve()
        note(f"timing {checkout} …")
        done = subprocess.run([sys.executable, __file__, "--url", options.url, "--members", str(options.members),
                               "--entries", str(options.entries), "--repeat", str(options.repeat), "--json",
                               *(["--after-write"] if options.after_write else []),
                               "--checkout", str(checkout)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{checkout} failed:\n{done.stderr}")
        for result in json.loads(done.stdout)["results"]:
            results.append(result | {"backend": f"{result['backend']} {checkout.name}", "code": str(checkout)})
    return results


def show(options: argparse.Namespace, results: list[dict[str, Any]]) -> None:
    if options.json:
        print_json({"measured": "group /report term, split by phase", "repeat": options.repeat,
                    "results": results})
    else:
        print(table(results))


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--backend", default="postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg-url", default=os.environ.get("TEACHLOG_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--url", help="a database of its own to build once and reuse (not dropped)")
    parser.add_argument("--code", nargs="*", default=[], help="with --url: checkouts to time, in order")
    parser.add_argument("--checkout", help=argparse.SUPPRESS)  # a --code child's checkout (read at import)
    parser.add_argument("--after-write", action="store_true",
                        help="one new entry before each report: a member computed again, the report built anew")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    options = parser.parse_args(argv)
    if options.code and not options.url:
        parser.error("--code needs --url: the checkouts are timed on the same database")
    return options


if __name__ == "__main__":
    chosen = parse_options()
    show(chosen, each_checkout(chosen) if chosen.code else asyncio.run(main(chosen)))
