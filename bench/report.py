"""How long does `/report term` take for a school of 300 and a district of 5,000 members?

For each size and backend — SQLite in a temporary file, PostgreSQL in a
temporary schema dropped at the end — builds one school with the data builder
of ``bench/progress.py`` (the ``seed-000`` policy: rules per week, month,
quarter and school year; pairings, co-visits, deleted entries), links a group
chat to it, and times, on Wednesday 2026-11-18 (the autumn term up to today):

* ``first``: ``bot.reporting.reports.school_report`` for the term with nothing stored: every member's
  summary computed from the entries (once a day per window, or after a policy change);
* ``compute``: the same report again, read from the stored summaries, and its SQL statements (nothing
  changed, so it is the report kept, see ``bot.reporting.reports.KeptReports``: the reading and the checks);
* ``after a write``: one new entry, then the report: the one member computed again, the rest read;
* ``charts``: drawing the ranking and the weekly trend (``bot.reporting.report_charts``) the first
  time; ``charts again``: the same report's charts again, taken from the pictures kept;
* ``group``: ``/report term`` in the linked group, through the real
  python-telegram-bot Application against the in-process FakeTelegram
  (computation, charts, text, album upload); ``bench/report_split.py`` splits it by phase;
* ``private``: ``/report term`` in a private chat: one member's detailed report
  with their entries, through the same Application;
* ``cold answer``: ``/report term`` in the group with nothing stored (as after a policy change): the time
  to the answer that the report follows; ``cold again``: the same answer to ``/report school term`` in a private
  chat while that report is being computed in the same process (it joins the computation); ``cold report``: the
  time until the group's report itself arrives, computed after the answer (``first`` plus drawing and sending).

Each time is the median of ``--repeat`` runs after a warm-up (the first chart
also loads the CJK font). Nothing here is asserted by the tests.

    python bench/report.py                                        # 300 and 5,000 members, both backends
    python bench/report.py --members 300 --entries 20000 --repeat 1   # quick
    python bench/report.py --backends sqlite
    python bench/report.py --members 50 --entries 2000 --repeat 1 --backends sqlite --json
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import random
import statistics
import sys
import time
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import update

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from progress import (  # noqa: E402
    DEFAULT_PG_URL,
    build_district,
    note,
    postgres_database,
    postgres_reachable,
    print_json,
    sqlite_database,
)

from bot.app_context import AppContext  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.i18n import translator  # noqa: E402
from bot.people.schools import policy_of  # noqa: E402
from bot.platform_names import TELEGRAM  # noqa: E402
from bot.reporting.report_charts import forget as forget_pictures  # noqa: E402
from bot.reporting.report_charts import school_charts  # noqa: E402
from bot.reporting.report_text import RANKING_LIMIT  # noqa: E402
from bot.reporting.reports import report_window, school_report  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage import report_summaries  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.entry_imports import insert_new_entries  # noqa: E402
from storage.models import GroupLink, Member, MemberAccount, School  # noqa: E402
from tests.support.bot import running_bot  # noqa: E402
from tests.support.fake_telegram import FakeTelegram  # noqa: E402

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 18, 17, 30, tzinfo=SHANGHAI)
GROUP_CHAT = -1009000000001
LEADER_TELEGRAM_ID = 900_001
TEACHER_TELEGRAM_ID = 900_002


@dataclass(frozen=True)
class Timing:
    backend: str
    members: int
    entries: int
    statements: int
    first: float
    compute: float
    after_write: float
    charts: float
    charts_again: float
    group: float
    private: float
    cold_answer: float
    cold_again: float
    cold_report: float


async def median_seconds(run, repeat: int) -> float:
    await run()  # warm-up: caches, the CJK font, the first connection
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def count_statements(db: Database, run) -> int:
    with db.recording_statements() as statements:
        await run()
    return len(statements)


async def give_telegram_accounts(db: Database, school_id: int, member_ids: list[int]) -> None:
    """The first member leads and links the group; the second is a teacher who asks in private."""
    async with db.transaction() as session:
        await session.execute(update(Member).where(Member.id == member_ids[0]).values(role="leader", language="zh"))
        await session.execute(update(Member).where(Member.id == member_ids[1]).values(language="zh"))
        for member_id, user_id in ((member_ids[0], LEADER_TELEGRAM_ID), (member_ids[1], TEACHER_TELEGRAM_ID)):
            session.add(MemberAccount(member_id=member_id, platform=TELEGRAM, external_id=str(user_id),
                                      last_used_at=NOW))
        session.add(GroupLink(platform=TELEGRAM, chat_id=str(GROUP_CHAT), school_id=school_id,
                              linked_by_member_id=member_ids[0], linked_at=NOW))


async def measure(db: Database, backend: str, members: int, entries: int, repeat: int) -> Timing:
    today = NOW.date()
    note(f"{backend}: building {members:,} members and {entries:,} entries …")
    started = time.perf_counter()
    district = await build_district(db, members, entries, today, random.Random(members))
    await give_telegram_accounts(db, district.school_id, district.members)
    note(f"{backend}: built in {time.perf_counter() - started:.1f} s")
    async with db.transaction() as session:
        policy = policy_of(await session.get(School, district.school_id))
    window = report_window("term", False, today, policy)
    t = translator("zh")
    started = time.perf_counter()
    report = await school_report(db, district.school_id, window)
    first = time.perf_counter() - started
    statements = await count_statements(db, lambda: school_report(db, district.school_id, window))
    compute = await median_seconds(lambda: school_report(db, district.school_id, window), repeat)
    written = iter(range(10**6))

    async def after_one_entry() -> None:
        async with db.transaction() as session:
            await insert_new_entries(session, [{
                "school_id": district.school_id, "member_id": district.members[2], "activity_code": "home_visit",
                "occurred_on": today, "student_name": "王小明", "student_key": "王小明", "source": "bench",
                "client_token": f"bench-report-{next(written)}", "logged_at": NOW}])
        await school_report(db, district.school_id, window)

    after_write = await median_seconds(after_one_entry, repeat)

    async def draw() -> None:
        forget_pictures()  # a first drawing: the report's data changed
        school_charts(report, t, limit=RANKING_LIMIT)

    async def draw_again() -> None:
        school_charts(report, t, limit=RANKING_LIMIT)

    charts = await median_seconds(draw, repeat)
    charts_again = await median_seconds(draw_again, repeat)
    group, private = await through_the_bot(db, repeat)
    cold_answer, cold_again, cold_report = await cold_through_the_bot(db, repeat)
    return Timing(backend, members, entries, statements, first, compute, after_write, charts, charts_again, group,
                  private, cold_answer, cold_again, cold_report)


async def through_the_bot(db: Database, repeat: int) -> tuple[float, float]:
    """`/report term` in the group and in a private chat, through the real Application."""
    fake = FakeTelegram()
    core = AppContext(db=db, settings=Settings(_env_file=None), clock=FixedClock(NOW))
    leader = fake.user(LEADER_TELEGRAM_ID, "校长", language_code="zh")
    teacher = fake.user(TEACHER_TELEGRAM_ID, "老师", language_code="zh")
    async with running_bot(core, fake) as (app, _):
        async def in_group() -> None:
            await fake.send(app, fake.group_text(leader, GROUP_CHAT, "/report term"))

        async def in_private() -> None:
            await fake.say(app, teacher, "/report term")

        group = await median_seconds(in_group, repeat)
        private = await median_seconds(in_private, repeat)
        fake.assert_no_errors()
        assert any(m.photo for m in fake.messages_to(GROUP_CHAT)), "the group report came without its chart"
    return group, private


async def cold_through_the_bot(db: Database, repeat: int) -> tuple[float, float, float]:
    """`/report term` in the group with nothing stored, through the real Application: the medians of the time to
    the answer that the report follows, of a private ask's answer meanwhile, and to the group report's album."""
    fake = FakeTelegram()
    fake._update_ids = itertools.count(900_001)  # past the updates of through_the_bot, which count as answered
    core = AppContext(db=db, settings=Settings(_env_file=None), clock=FixedClock(NOW))
    leader = fake.user(LEADER_TELEGRAM_ID, "校长", language_code="zh")
    teacher = fake.user(TEACHER_TELEGRAM_ID, "老师", language_code="zh")
    answers, again, reports, announced = [], [], [], 0
    async with running_bot(core, fake) as (app, _):
        for _ in range(max(repeat, 1)):
            async with db.transaction() as session:
                await report_summaries.forget_all(session)
            forget_pictures()
            before, before_private = len(fake.messages_to(GROUP_CHAT)), len(fake.messages_to(TEACHER_TELEGRAM_ID))
            started = time.perf_counter()  # each run: the group's cold report, then the teacher's joining it
            answered = await fake.send(app, fake.group_text(leader, GROUP_CHAT, "/report term"))
            answers.append(time.perf_counter() - started)
            started_again = time.perf_counter()
            answered += await fake.say(app, teacher, "/report school term")
            again.append(time.perf_counter() - started_again)
            announced += sum("稍后发来" in (message.content or "") for message in answered)
            await fake.wait_until(lambda after=before: any(m.photo for m in fake.messages_to(GROUP_CHAT)[after:]),
                                  timeout=900)
            reports.append(time.perf_counter() - started)
            await fake.wait_until(lambda after=before_private: any(
                m.photo for m in fake.messages_to(TEACHER_TELEGRAM_ID)[after:]), timeout=60)
        fake.assert_no_errors()
    note(f"cold reports announced to follow: {announced} of {2 * max(repeat, 1)} answers (a report ready within "
         "a second is the answer itself)")
    return statistics.median(answers), statistics.median(again), statistics.median(reports)


def table(timings: list[Timing]) -> str:
    rows = ["| backend | members | entries | SQL statements | first s | compute s | after a write s | charts s "
            "| charts again s | group /report term s | private /report term s | cold answer s | cold again s "
            "| cold report s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    rows += [f"| {m.backend} | {m.members:,} | {m.entries:,} | {m.statements} | {m.first:.3f} | {m.compute:.3f} "
             f"| {m.after_write:.3f} | {m.charts:.3f} | {m.charts_again:.3f} | {m.group:.3f} | {m.private:.3f} "
             f"| {m.cold_answer:.3f} | {m.cold_again:.3f} | {m.cold_report:.3f} |"
             for m in timings]
    return "\n".join(rows)


def json_records(timings: list[Timing]) -> list[dict]:
    """The table's figures, one object per backend and size, times in seconds."""
    return [{"backend": m.backend, "members": m.members, "entries": m.entries, "statements": m.statements,
             "first_seconds": m.first, "compute_seconds": m.compute, "after_write_seconds": m.after_write,
             "charts_seconds": m.charts, "charts_again_seconds": m.charts_again,
             "group_report_seconds": m.group,
             "private_report_seconds": m.private, "cold_answer_seconds": m.cold_answer,
             "cold_again_seconds": m.cold_again, "cold_report_seconds": m.cold_report} for m in timings]


async def main(options: argparse.Namespace) -> None:
    sizes = list(zip(options.members, options.entries, strict=True))
    timings = []
    for backend in [b.strip() for b in options.backends.split(",") if b.strip()]:
        if backend == "postgresql" and not postgres_reachable(options.pg_url):
            note(f"postgresql: not reachable at {options.pg_url}; skipped")
            continue
        for members, entries in sizes:
            database = sqlite_database() if backend == "sqlite" else postgres_database(options.pg_url)
            async with database as db:
                timings.append(await measure(db, backend, members, entries, options.repeat))
    if options.json:
        print_json({"measured": "/report term", "repeat": options.repeat, "results": json_records(timings)})
    else:
        print(table(timings))


def numbers(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=numbers, default=[300, 5_000],
                        help="school sizes, comma-separated (default 300,5000)")
    parser.add_argument("--entries", type=numbers, default=[60_000, 1_000_000],
                        help="entries for each size, comma-separated (default 60000,1000000: 200 a member)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg-url", default=os.environ.get("TEACHLOG_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    options = parser.parse_args(argv)
    if len(options.members) != len(options.entries):
        parser.error("give one --entries number for each --members number")
    return options


if __name__ == "__main__":
    asyncio.run(main(parse_options()))
