"""How many DingTalk OpenAPI calls does a school's week of notifications cost — one call a person, or batchSend 20?

A free DingTalk organisation has a monthly quota of OpenAPI calls (errcode 90020
once used up). This bench runs one school of --teachers members (roles as in
``bench/progress.py``, on the ``seed-000`` policy, every member on DingTalk, one
linked group) through a working week, Monday to Friday: its term's entries up
to the Monday, then each working day members log (each at a steady pace of
their own, some diligent, some not) and the notification job runs at 08:00,
16:30 and 17:00 — the Monday leaderboard and its chart, the daily reminders, the
Friday digest. The week runs twice on identical data (same --seed), delivering
through the DingTalk port against the local DingTalk of the tests (over HTTP):

* **one a person** — the port's batch size forced to 1: every message its own call;
* **batchSend 20** — as shipped: people due the same message together share a call.

It counts the calls the local DingTalk received, by endpoint. The access token is
fetched again before each round (rounds are hours apart, longer than a token
lives); answers on session webhooks are not OpenAPI calls and none are made here.
``messages alike`` is how many different texts the day's reminders had.

    python bench/dingtalk_calls.py                    # 60 teachers, the week of 16 November 2026
    python bench/dingtalk_calls.py --teachers 200 --json
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import random
import sys
import tempfile
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select, update

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import progress as district_bench  # noqa: E402  (bench/progress.py: members, pairings, entries)

from bot.chat.reply_path import ReplyPath  # noqa: E402
from bot.chat.text_buttons import TextButtons  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.database import app_database  # noqa: E402
from bot.notifications.delivery import DeliveryPolicy  # noqa: E402
from bot.notifications.notifier import Notifier  # noqa: E402
from bot.notifications.weekly_facts import database_standing  # noqa: E402
from bot.people.schools import create_school, policy_of  # noqa: E402
from bot.platform_names import DINGTALK  # noqa: E402
from bot.settings import DingTalkConfig  # noqa: E402
from handlers.dingtalk.openapi import DingTalkOpenAPI  # noqa: E402
from handlers.dingtalk.port import DingTalkPort  # noqa: E402
from storage import daily_counts  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import GroupLink, Member, MemberAccount, OutboxMessage, School  # noqa: E402
from tests.support.fake_dingtalk import (  # noqa: E402
    PATH_BATCH,
    PATH_GROUP,
    PATH_TOKEN,
    PATH_UPLOAD,
    FakeDingTalk,
    serve,
)

ZONE = zoneinfo.ZoneInfo(district_bench.TIMEZONE)
MONDAY = dt.date(2026, 11, 16)
ROUNDS = (dt.time(8, 0), dt.time(16, 30), dt.time(17, 0))
ENDPOINTS = {PATH_TOKEN: "token", PATH_BATCH: "batchSend", PATH_GROUP: "groupSend", PATH_UPLOAD: "upload"}
MODES = {"one a person": 1, "batchSend 20": 20}
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri")


@dataclass
class Week:
    mode: str
    calls_by_day: list[Counter] = field(default_factory=list)
    reminders_by_day: list[int] = field(default_factory=list)
    texts_by_day: list[int] = field(default_factory=list)

    @property
    def calls(self) -> Counter:
        return sum(self.calls_by_day, Counter())


async def build_school(db: Database, teachers: int, rng: random.Random) -> tuple[int, list[int], dict]:
    school_id = (await create_school(db, "DingTalk bench school", timezone=district_bench.TIMEZONE,
                                     policy=district_bench.PRESET, now=dt.datetime.now(dt.UTC))).school_id
    async with db.transaction() as session:
        policy = policy_of(await session.get(School, school_id))
    first_day = district_bench.spread_start(policy, MONDAY)
    members = await district_bench.insert_members(db, school_id, teachers, first_day, MONDAY, rng)
    paired = await district_bench.insert_pairings(db, school_id, members, rng)
    async with db.engine.begin() as connection:
        await connection.execute(insert(MemberAccount.__table__), [
            {"member_id": member_id, "platform": DINGTALK, "external_id": f"staff{member_id}"}
            for member_id in members])
        # At least one leader, who gets the Friday digest.
        await connection.execute(update(Member).where(Member.id == members[0]).values(role="leader"))
        await connection.execute(insert(GroupLink.__table__), [{
            "platform": DINGTALK, "chat_id": "cidBenchGroup", "school_id": school_id,
            "linked_by_member_id": members[0], "totals_only": False, "active": True,
            "linked_at": dt.datetime.now(dt.UTC)}])
    days = [first_day + dt.timedelta(days=n) for n in range((MONDAY - first_day).days)]
    # About four entries a member a working week before this one, as the pace asks.
    before = teachers * 4 * len(days) // 7
    for chunk in district_bench.entry_chunks(school_id, members, paired, days, before, rng):
        await district_bench.insert_entries(db, chunk)
    return school_id, members, paired


async def log_day(db: Database, school_id: int, members: list[int], paired: dict, pace: dict[int, float],
                  day: dt.date, rng: random.Random) -> None:
    """Each member logs today with the chance of their own pace."""
    loggers = [member_id for member_id in members if rng.random() < pace[member_id]]
    rows = []
    for chunk in district_bench.entry_chunks(school_id, loggers, paired, [day], len(loggers), rng):
        rows += chunk
    if rows:
        await district_bench.insert_entries(db, rows)
    async with db.transaction() as session:
        await daily_counts.rebuild(session)


async def run_week(mode: str, batch_size: int, teachers: int, seed: int) -> Week:
    week = Week(mode)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        db = app_database(f"sqlite+aiosqlite:///{folder}/bench.db")
        await upgrade(db)
        school_id, members, paired = await build_school(db, teachers, rng)
        pace = {member_id: rng.choice((0.9, 0.7, 0.5, 0.3, 0.1)) for member_id in members}
        fake = FakeDingTalk()
        async with serve(fake):
            config = DingTalkConfig(fake.client_id, fake.client_secret, fake.client_id, fake.base_url, fake.base_url)
            clock = FixedClock(dt.datetime.combine(MONDAY, dt.time(7, 0), ZONE))
            async with DingTalkOpenAPI(config, qps=10_000) as api:
                port = DingTalkPort(config, api, TextButtons(db, clock))
                port.capabilities = dataclasses.replace(port.capabilities, batch_size=batch_size)
                notifier = Notifier(db, clock, database_standing(db), "bench", platform=DINGTALK,
                                    policy=DeliveryPolicy(batch=500))
                for offset in range(5):
                    day = MONDAY + dt.timedelta(days=offset)
                    before = Counter(ENDPOINTS[r.path] for r in fake.received if r.path in ENDPOINTS)
                    await log_day(db, school_id, members, paired, pace, day, rng)
                    for at in ROUNDS:
                        clock.set(dt.datetime.combine(day, at, ZONE))
                        api.forget_token()  # hours since the last round: the token has expired
                        await notifier.tick(ReplyPath(port))
                    after = Counter(ENDPOINTS[r.path] for r in fake.received if r.path in ENDPOINTS)
                    week.calls_by_day.append(after - before)
                    async with db.transaction() as session:
                        reminders = list(await session.scalars(select(OutboxMessage).where(
                            OutboxMessage.kind == "reminder",
                            OutboxMessage.dedupe_key.like(f"reminder:%:{day.isoformat()}"))))
                    week.reminders_by_day.append(len(reminders))
                    week.texts_by_day.append(len({json.dumps(r.payload.get("reply"), sort_keys=True)
                                                  for r in reminders}))
        await db.dispose()
    return week


def markdown(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def report(weeks: list[Week], teachers: int) -> list[str]:
    before, after = weeks
    rows = []
    for i, name in enumerate(DAY_NAMES):
        rows.append([name, str(after.reminders_by_day[i]), str(after.texts_by_day[i]),
                     str(sum(before.calls_by_day[i].values())), str(sum(after.calls_by_day[i].values()))])
    rows.append(["week", str(sum(after.reminders_by_day)), str(sum(after.texts_by_day)),
                 str(sum(before.calls.values())), str(sum(after.calls.values()))])
    lines = [f"A school of {teachers} members on DingTalk, {MONDAY:%d %b %Y} to Friday: OpenAPI calls", ""]
    lines += markdown(["day", "reminders", "different texts", "calls, one a person", "calls, batchSend 20"], rows)
    lines += ["", "By endpoint over the week:", ""]
    lines += markdown(["endpoint", *[w.mode for w in weeks]],
                      [[endpoint, *[str(w.calls[endpoint]) for w in weeks]] for endpoint in ENDPOINTS.values()])
    return lines


def document(weeks: list[Week], teachers: int, seed: int) -> dict:
    return {"teachers": teachers, "monday": MONDAY.isoformat(), "seed": seed, "preset": district_bench.PRESET,
            "results": [{"mode": w.mode, "calls": sum(w.calls.values()), "by_endpoint": dict(w.calls),
                         "calls_by_day": [sum(day.values()) for day in w.calls_by_day],
                         "reminders_by_day": w.reminders_by_day, "different_texts_by_day": w.texts_by_day}
                        for w in weeks]}


async def main(options: argparse.Namespace) -> None:
    weeks = []
    for mode, batch_size in MODES.items():
        district_bench.note(f"{mode}: a week of {options.teachers} members …")
        weeks.append(await run_week(mode, batch_size, options.teachers, options.seed))
    if options.json:
        print(json.dumps(document(weeks, options.teachers, options.seed), indent=2))
    else:
        print("\n".join(report(weeks, options.teachers)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teachers", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    asyncio.run(main(parser.parse_args()))
