"""How much does one chat step cost, next to a bare python-telegram-bot handler on the same Bot API?

In one process, against one in-process Bot API (``tests/support/fake_telegram.py``):

* ``teachlog``: one step of ``/log`` — the date answer (``昨天下午3点``) after the
  activity and the student — through the real ``telegram.ext.Application`` that
  ``teachlog run`` builds, on a migrated SQLite database in a temporary file (or
  PostgreSQL with ``--backend postgresql``): the caller lookup, the date parsing,
  the checkpoint write and the reply. The steps before and after it (``/log``, the
  activity, the student, ``/cancel``) are not timed.
* ``bare``: the fair baseline — an ``Application`` with one ``MessageHandler`` that
  echoes the text back, fed the same kind of update by the same fake.

Each round times ``--steps`` steps of each and takes their median; the figure is the
median of ``--repeat`` rounds (after one warm-up round), in wall time and in CPU time
of the process (steadier when others share the machine). The goal is a step within 3× of
the bare handler. Nothing here is asserted by the tests.

    python bench/step.py                       # 3 rounds of 50 steps
    python bench/step.py --steps 20 --repeat 3 --json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import statistics
import sys
import time
import zoneinfo
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from progress import DEFAULT_PG_URL, postgres_database, print_json, sqlite_database  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import Application, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.app_context import AppContext  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.people.schools import create_invite, create_school  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.support.bot import running_bot  # noqa: E402
from tests.support.fake_telegram import FakeTelegram, FakeUser  # noqa: E402

NOW = dt.datetime(2026, 11, 18, 17, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
DATE_ANSWER = "昨天下午3点"


@dataclass(frozen=True)
class StepTiming:
    backend: str
    steps: int
    repeat: int
    log_step_seconds: float
    bare_step_seconds: float
    log_step_cpu_seconds: float
    bare_step_cpu_seconds: float

    @property
    def ratio(self) -> float:
        return self.log_step_seconds / self.bare_step_seconds

    @property
    def cpu_ratio(self) -> float:
        return self.log_step_cpu_seconds / self.bare_step_cpu_seconds


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None and update.message is not None
    await update.effective_chat.send_message(update.message.text or "")


def bare_application(fake: FakeTelegram) -> Application:
    app = fake.application_builder().build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


async def timed(run) -> tuple[float, float]:
    """(wall, CPU) seconds; CPU time counts every thread of the process (aiosqlite's too) and is what other
    work on a shared machine disturbs least."""
    started, started_cpu = time.perf_counter(), time.process_time()
    await run()
    return time.perf_counter() - started, time.process_time() - started_cpu


async def log_steps(fake: FakeTelegram, app: Application, user: FakeUser, steps: int) -> list[tuple[float, float]]:
    """``steps`` date answers, each in a /log conversation of its own."""
    times = []
    for _ in range(steps):
        await fake.say(app, user, "/log")
        await fake.tap_button(app, user, "电话")
        await fake.say(app, user, "王小明")
        times.append(await timed(lambda: fake.say(app, user, DATE_ANSWER)))
        if "多长时间" not in fake.last_to(user.id).text:
            raise SystemExit(f"the date answer did not move on: {fake.last_to(user.id).text!r}")
        await fake.say(app, user, "/cancel")
    return times


class SideBySide(NamedTuple):
    fake: FakeTelegram
    app: Application
    teacher: FakeUser
    bare: Application
    echoed: FakeUser


async def bare_steps(fake: FakeTelegram, app: Application, user: FakeUser,
                     steps: int) -> list[tuple[float, float]]:
    return [await timed(lambda: fake.say(app, user, DATE_ANSWER)) for _ in range(steps)]


@contextlib.asynccontextmanager
async def side_by_side(db: Database) -> AsyncIterator[SideBySide]:
    """teachlog with a teacher who has joined a school, and the bare echo bot, on one fake Bot API."""
    clock = FixedClock(NOW)
    school = await create_school(db, "合川中学", language="zh", policy="default", now=clock.now())
    invite = await create_invite(db, school.school_id, "teacher", uses=1, now=clock.now())
    fake = FakeTelegram(now=lambda: clock.now().timestamp())
    core = AppContext(db=db, settings=Settings(_env_file=None), clock=clock)
    teacher = fake.user(900_101, "王", "芳", language_code="zh")
    echoed = fake.user(900_102, "李", "雷", language_code="zh")
    bare = bare_application(fake)
    async with running_bot(core, fake) as (app, _), fake.running(bare):
        await fake.say(app, teacher, f"/start {invite.code}")
        yield SideBySide(fake, app, teacher, bare, echoed)
        fake.assert_no_errors()


async def measure(db: Database, backend: str, steps: int, repeat: int) -> StepTiming:
    log_rounds: list[tuple[float, float]] = []
    bare_rounds: list[tuple[float, float]] = []
    async with side_by_side(db) as (fake, app, teacher, bare, echoed):
        for round_number in range(repeat + 1):  # round 0 warms up
            log_times = await log_steps(fake, app, teacher, steps)
            bare_times = await bare_steps(fake, bare, echoed, steps)
            if round_number:
                log_rounds.append(medians(log_times))
                bare_rounds.append(medians(bare_times))
    log, bare_step = medians(log_rounds), medians(bare_rounds)
    return StepTiming(backend, steps, repeat, log[0], bare_step[0], log[1], bare_step[1])


def medians(times: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def table(result: StepTiming) -> str:
    return "\n".join([
        f"one chat step on {result.backend}, median of {result.repeat} rounds of {result.steps} steps",
        "| step | wall ms | CPU ms |",
        "|---|---:|---:|",
        f"| /log date answer (teachlog) | {result.log_step_seconds * 1000:.2f} "
        f"| {result.log_step_cpu_seconds * 1000:.2f} |",
        f"| bare PTB echo (baseline) | {result.bare_step_seconds * 1000:.2f} "
        f"| {result.bare_step_cpu_seconds * 1000:.2f} |",
        f"| ratio | {result.ratio:.1f}× | {result.cpu_ratio:.1f}× |",
    ])


async def main(options: argparse.Namespace) -> None:
    database = sqlite_database() if options.backend == "sqlite" else postgres_database(options.pg_url)
    async with database as db:
        result = await measure(db, options.backend, options.steps, options.repeat)
    if options.json:
        print_json({"measured": "one /log step", "results": [{**asdict(result), "ratio": result.ratio,
                                                                    "cpu_ratio": result.cpu_ratio}]})
    else:
        print(table(result))


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=50, help="steps timed per round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (median reported)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_options()))
