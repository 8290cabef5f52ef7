"""How fast are reminders planned for a district, and how close to Telegram's limit are they delivered?

Two measurements, on each backend (SQLite in a temporary file, PostgreSQL in a
temporary schema dropped at the end):

* **planning** — the district of ``bench/progress.py`` (--members members on the
  ``seed-000`` policy, --entries entries, every member with a Telegram account), then
  ``Planner.plan`` at 16:30 on the latest working day: wall time and SQL
  statements for the first pass (standings computed, reminders written), for
  the next minute's pass (nothing new), and for a freshly started planner (a
  restarted bot: it decides once more, and the dedupe keys stop every repeat);
* **delivery** — --messages planned direct messages delivered by ``deliver_due``
  through the Telegram messenger (PTB ``ExtBot`` with the evenly spaced
  ``AIORateLimiter`` of ``teachlog worker``) against the in-process Bot API of the tests,
  which enforces --rate messages a second and answers 429 beyond: the rate
  achieved as a share of the limit, 429s hit, and messages lost or duplicated.

    python bench/delivery.py                                    # 10,000 members, 1,000,000 entries, 10,000 DMs
    python bench/delivery.py --members 1000 --entries 100000 --messages 1000   # a quick run
    python bench/delivery.py --backends sqlite --skip planning
    python bench/delivery.py --members 50 --entries 2000 --messages 50 --rate 1000 --json

Delivering 10,000 messages at 30 a second takes about six minutes of real time.
Nothing here is asserted by the tests; the numbers are for reports.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import sys
import time
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import String, cast, func, insert, literal, select

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import progress as district_bench  # noqa: E402  (bench/progress.py: the district builder)
from telegram.ext import ExtBot  # noqa: E402

from bot.chat.reply_path import ReplyPath  # noqa: E402
from bot.notifications.delivery import DeliveryPolicy, deliver_due  # noqa: E402
from bot.notifications.planning import Planner  # noqa: E402
from bot.notifications.weekly_facts import database_standing  # noqa: E402
from bot.people.schools import create_school  # noqa: E402
from bot.platform_names import TELEGRAM  # noqa: E402
from bot.quotas.calendar import SchoolCalendar  # noqa: E402
from bot.quotas.policy import load_preset  # noqa: E402
from handlers.telegram.port import TelegramPort, even_rate_limiter  # noqa: E402
from storage import outbox  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Member, MemberAccount, OutboxMessage  # noqa: E402
from tests.support.fake_telegram import FakeTelegram  # noqa: E402

ZONE = zoneinfo.ZoneInfo(district_bench.TIMEZONE)
FIRST_USER_ID = 10_000_000


async def timed(db: Database, work) -> tuple[float, int, object]:
    with db.recording_statements() as statements:
        started = time.perf_counter()
        result = await work()
        return time.perf_counter() - started, len(statements), result


# -- planning ------------------------------------------------------------------------------------------------


@dataclass
class Planning:
    backend: str
    members: int
    entries: int
    rules_per_member: float
    planned: int
    first: tuple[float, int]
    next_minute: tuple[float, int]
    restarted: tuple[float, int]


def latest_working_day(today: dt.date) -> dt.date:
    """Reminders go out on working days: plan on the latest one up to today."""
    calendar = SchoolCalendar.of(load_preset(district_bench.PRESET))
    day = today
    while not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


async def give_telegram_ids(db: Database, school_id: int) -> None:
    """Every member of the school gets a Telegram account, id FIRST_USER_ID + member id."""
    async with db.engine.begin() as connection:
        await connection.execute(insert(MemberAccount).from_select(
            ["member_id", "platform", "external_id"],
            select(Member.id, literal(TELEGRAM), cast(Member.id + FIRST_USER_ID, String(64)))
            .where(Member.school_id == school_id)))


async def measure_planning(backend: str, db: Database, options: argparse.Namespace, day: dt.date) -> Planning:
    started = time.perf_counter()
    district_bench.note(f"{backend}: building {options.members:,} members and {options.entries:,} entries …")
    district = await district_bench.build_district(db, options.members, options.entries, day,
                                                   random.Random(options.seed))
    await give_telegram_ids(db, district.school_id)
    district_bench.note(f"{backend}: built in {time.perf_counter() - started:.1f} s; planning …")
    moment = dt.datetime.combine(day, dt.time(16, 30), ZONE)
    planner = Planner(db, database_standing(db))
    first = await timed(db, lambda: planner.plan(moment))
    again = await timed(db, lambda: planner.plan(moment + dt.timedelta(minutes=1)))
    restarted = await timed(db, lambda: Planner(db, database_standing(db)).plan(moment + dt.timedelta(minutes=2)))
    standing = await database_standing(db)(district.school_id, day)
    rules = sum(len(m.rules) for m in standing.members) / max(len(standing.members), 1)
    return Planning(backend, options.members, options.entries, rules, first[2]["reminder"], first[:2], again[:2],
                    restarted[:2])


def planning_table(results: list[Planning]) -> list[str]:
    header = ["backend", "members", "entries", "rules/member", "reminders", "first pass", "next minute",
              "restarted"]
    rows = [[r.backend, f"{r.members:,}", f"{r.entries:,}", f"{r.rules_per_member:.1f}", f"{r.planned:,}",
             *(f"{seconds:.2f} s, {queries} queries" for seconds, queries in (r.first, r.next_minute, r.restarted))]
            for r in results]
    return markdown(header, rows)


# -- delivery ------------------------------------------------------------------------------------------------


@dataclass
class Delivery:
    backend: str
    messages: int
    seconds: float
    rate_limit: float
    served_429: int
    delivered: int
    duplicates: int
    lost: int

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds if self.seconds else 0.0


async def plan_messages(db: Database, count: int, now: dt.datetime) -> None:
    school_id = (await create_school(db, "Delivery bench", now=now)).school_id
    async with db.engine.begin() as connection:
        await connection.execute(insert(Member.__table__), [
            {"school_id": school_id, "role": "teacher", "display_name": f"教师{n:05d}", "joined_on": now.date(),
             "active": True, "reminder_frequency": "daily",
             "created_at": now} for n in range(count)])
    async with db.transaction() as session:
        members = list(await session.scalars(select(Member.id).where(Member.school_id == school_id)
                                             .order_by(Member.id)))
        session.add_all(MemberAccount(member_id=member_id, platform=TELEGRAM, external_id=str(FIRST_USER_ID + n))
                        for n, member_id in enumerate(members))
        rows = [{"dedupe_key": f"reminder:{member_id}:{now.date().isoformat()}", "school_id": school_id,
                 "member_id": member_id, "platform": TELEGRAM, "chat_id": str(FIRST_USER_ID + n), "kind": "reminder",
                 "payload": {"text": f"⏰ 提醒 {n}", "parse_mode": None,
                             "buttons": [[["📝 现在记录", "lognow:tutoring"]]]},
                 "not_before": now, "expires_at": None, "status": "pending", "attempts": 0, "created_at": now}
                for n, member_id in enumerate(members)]
        await outbox.insert_if_absent(session, rows)


class WallClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)


async def measure_delivery(backend: str, db: Database, options: argparse.Namespace) -> Delivery:
    clock = WallClock()
    await plan_messages(db, options.messages, clock.now())
    fake = FakeTelegram()
    fake.rate_limit(per_second=options.rate)
    telegram_bot = ExtBot(fake.token, request=fake.request,
                          rate_limiter=even_rate_limiter())
    district_bench.note(f"{backend}: delivering {options.messages:,} messages at most {options.rate:g}/s …")
    async with telegram_bot:
        messenger = ReplyPath(TelegramPort(telegram_bot))
        started = time.perf_counter()
        while True:
            report = await deliver_due(db, messenger, clock, "bench", platform=TELEGRAM,
                                       policy=DeliveryPolicy(batch=100))
            if report.retry_after:
                await asyncio.sleep(report.retry_after)
            elif report.claimed == 0:
                async with db.transaction() as session:
                    waiting = await session.scalar(select(func.count()).select_from(OutboxMessage)
                                                   .where(OutboxMessage.status.in_(["pending", "sending"])))
                if not waiting:
                    break
                await asyncio.sleep(0.2)
        seconds = time.perf_counter() - started
    per_chat = Counter(m.chat_id for m in fake.sent)
    expected = set(range(FIRST_USER_ID, FIRST_USER_ID + options.messages))
    return Delivery(backend, options.messages, seconds, options.rate, fake.stats.rate_limited, len(per_chat),
                    sum(n - 1 for n in per_chat.values()), len(expected - set(per_chat)))


def planning_record(result: Planning) -> dict:
    """The planning table's figures for --json: each pass as its seconds and SQL statements."""
    passes = {name: {"seconds": seconds, "queries": queries}
              for name, (seconds, queries) in (("first", result.first), ("next_minute", result.next_minute),
                                               ("restarted", result.restarted))}
    return {**district_bench.json_record(result), **passes}


def delivery_table(results: list[Delivery]) -> list[str]:
    header = ["backend", "messages", "seconds", "achieved rate", "share of limit", "429s hit", "duplicates", "lost"]
    rows = [[r.backend, f"{r.messages:,}", f"{r.seconds:.1f}", f"{r.rate:.1f}/s", f"{r.rate / r.rate_limit:.0%}",
             str(r.served_429), str(r.duplicates), str(r.lost)] for r in results]
    return markdown(header, rows)


# -- the command ---------------------------------------------------------------------------------------------


def markdown(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]


async def main(options: argparse.Namespace) -> None:
    day = latest_working_day(dt.datetime.now(ZONE).date())
    planning, delivery = [], []
    for backend in [b.strip() for b in options.backends.split(",") if b.strip()]:
        if backend == "postgresql" and not district_bench.postgres_reachable(options.pg_url):
            district_bench.note(f"postgresql: not reachable at {options.pg_url}; skipped")
            continue
        if "planning" not in options.skip:
            async with district_bench.database_for(backend, options.pg_url) as db:
                planning.append(await measure_planning(backend, db, options, day))
        if "delivery" not in options.skip:
            async with district_bench.database_for(backend, options.pg_url) as db:
                delivery.append(await measure_delivery(backend, db, options))
    if options.json:
        district_bench.print_json({
            "day": day.isoformat(), "preset": district_bench.PRESET,
            "planning": [planning_record(r) for r in planning],
            "delivery": [{**district_bench.json_record(r, "rate"), "share_of_limit": r.rate / r.rate_limit}
                         for r in delivery]})
        return
    if planning:
        print(f"Planning reminders at 16:30 on {day} ({district_bench.PRESET}, one school)")
        print("\n".join(planning_table(planning)))
    if delivery:
        print("\nDelivering direct messages through the in-process Bot API (AIORateLimiter, "
              f"{options.rate:g} messages/s enforced with 429s)")
        print("\n".join(delivery_table(delivery)))


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30.0, help="messages a second the fake Bot API accepts")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--skip", default="", help="planning and/or delivery")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", default=os.environ.get("TEACHLOG_BENCH_PG_URL", district_bench.DEFAULT_PG_URL))
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_options()))
