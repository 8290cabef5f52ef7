"""Where one chat step's time goes: the ``/log`` date answer of ``bench/step.py``, split by phase.

The same step, database and fake Bot API as ``bench/step.py``, with the bare python-telegram-bot echo
timed in the same run. During each timed step the CPU time of the process (``time.process_time``, so
aiosqlite's thread counts) is charged to the innermost phase running, by wrappers put around the
functions that make up a step:

* ``routing``: the update made an :class:`~bot.chat.events.Event` (``TelegramPort.event_of``), the
  engine's choice of a flow (``ChatEngine.answers``, ``ChatEngine.route``);
* ``member lookup``: ``caller_of`` (the profile, kept between steps) and the @handle noted after the step;
* ``state load + lock``: ``ConversationStore.hold`` up to the step (the lock, the state and the
  handled-update check in one statement, the state decoded);
* ``flow``: ``ChatEngine._step`` less the member lookup (the flow's resume, the turn, the date parsing);
* ``state save``: ``HeldConversation.finish`` and the end of the hold (the write, the commit, the unlock);
* ``rendering + sending``: ``Runtime.answer`` (the outcome rendered, sent to the fake API);
* ``dispatch (rest)``: what no wrapper covers — python-telegram-bot's ``process_update`` and handler
  lookup, the fake's HTTP round trip for the reply is in rendering; the bare echo pays this part too.

Next to the split, in the same run: the statements one step sends (each is one round trip to the database:
a hand-off to aiosqlite's thread, or a message to PostgreSQL and its answer, for those the step sends to the
driver itself), the CPU time of one bare round trip of the driver (``SELECT 1`` on a pooled connection's
aiosqlite or asyncpg connection), and of the step's database work alone (``conversation_locks.hold`` and
``finish`` in a loop, no flow, no chat platform): what the state's load and save cost without the rest.

The wrappers cost a little themselves (a few µs a phase); the split's total is printed next to the
unwrapped step of ``bench/step.py`` in the same run. Await points hand the CPU to whatever else runs,
which is then charged to the phase that waits: on this bench nothing else runs.

    python bench/step_split.py                         # SQLite, 3 rounds of 50 steps
    python bench/step_split.py --backend postgresql --json
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from phase_split import Split  # noqa: E402
from progress import DEFAULT_PG_URL, postgres_database, print_json, sqlite_database  # noqa: E402
from step import DATE_ANSWER, NOW, bare_steps, medians, side_by_side  # noqa: E402

import bot.chat.engine as engine_module  # noqa: E402
from bot.chat.conversations import ConversationStore, HeldConversation  # noqa: E402
from bot.chat.engine import ChatEngine  # noqa: E402
from bot.chat.runtime import Runtime  # noqa: E402
from handlers.telegram.port import TelegramPort  # noqa: E402
from storage import conversation_locks  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.support.fake_telegram import FakeTelegram, FakeUser  # noqa: E402

PHASES = ("routing", "member lookup", "state load + lock", "flow", "state save", "rendering + sending",
          "dispatch (rest)")
REST = PHASES[-1]


SPLIT = Split(REST, time.process_time)
UPDATE_IDS = itertools.count()


def charged(phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
    return SPLIT.charged(phase, function)


def charged_hold(hold: Callable[..., Any]) -> Callable[..., Any]:
    """The hold's entry is the load and the lock, its exit (commit, unlock) part of the save."""
    return SPLIT.charged_hold(hold, "state load + lock")


def install() -> None:
    TelegramPort.event_of = charged("routing", TelegramPort.event_of)  # type: ignore[method-assign]
    ChatEngine.answers = charged("routing", ChatEngine.answers)  # type: ignore[method-assign]
    ChatEngine.route = charged("routing", ChatEngine.route)  # type: ignore[method-assign]
    engine_module.caller_of = charged("member lookup", engine_module.caller_of)  # type: ignore[assignment]
    ChatEngine.remember_handle = charged("member lookup", ChatEngine.remember_handle)  # type: ignore[method-assign]
    ConversationStore.hold = charged_hold(ConversationStore.hold)  # type: ignore[method-assign]
    ChatEngine._step = charged("flow", ChatEngine._step)  # type: ignore[method-assign]
    HeldConversation.finish = charged("state save", HeldConversation.finish)  # type: ignore[method-assign]
    Runtime.answer = charged("rendering + sending", Runtime.answer)  # type: ignore[method-assign]


async def split_steps(fake: FakeTelegram, app: Any, user: FakeUser, steps: int) -> list[dict[str, float]]:
    """``steps`` date answers (as in ``bench/step.py``), each one's CPU seconds per phase."""
    splits = []
    for _ in range(steps):
        await fake.say(app, user, "/log")
        await fake.tap_button(app, user, "电话")
        await fake.say(app, user, "王小明")
        SPLIT.start()
        await fake.say(app, user, DATE_ANSWER)
        splits.append(SPLIT.stop())
        if "多长时间" not in fake.last_to(user.id).text:
            raise SystemExit(f"the date answer did not move on: {fake.last_to(user.id).text!r}")
        await fake.say(app, user, "/cancel")
    return splits


async def step_statements(db: Database, fake: FakeTelegram, app: Any, user: FakeUser) -> list[str]:
    """The statements one date answer sends."""
    await fake.say(app, user, "/log")
    await fake.tap_button(app, user, "电话")
    await fake.say(app, user, "王小明")
    with db.recording_statements() as statements:
        await fake.say(app, user, DATE_ANSWER)
    await fake.say(app, user, "/cancel")
    return statements


async def round_trip_seconds(db: Database, times: int = 300) -> float:
    """The median CPU seconds of one ``SELECT 1`` sent to the driver of a pooled connection."""
    async with db.engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        call = driver.execute_fetchall if db.dialect == "sqlite" else driver.fetchval
        seconds = []
        for _ in range(times):
            started = time.process_time()
            await call("SELECT 1")
            seconds.append(time.process_time() - started)
    return statistics.median(seconds[times // 10:])


async def hold_seconds(db: Database, times: int = 200) -> float:
    """The median CPU seconds of a step's database work alone: a conversation locked, its state (the size of a
    /log draft's) loaded, saved with an update's record, committed and unlocked, with no flow in between."""
    value = {"flow": "log", "step": "duration", "at": "2026-11-18T17:30:00+08:00", "language_code": "zh",
             "data": {"draft": {"activity": "电话", "student": "王小明", "day": "2026-11-17", "time": "15:00",
                                "token": "0123456789abcdef", "problems": []}}}
    seconds = []
    for _ in range(times):
        update = conversation_locks.UpdateRef("bench", str(next(UPDATE_IDS)))  # never seen: no duplicate
        started = time.process_time()
        async with conversation_locks.hold(db, "bench", "hold", update) as held:
            assert not held.duplicate
            await held.finish(value | {"revision": update.update_id}, NOW)
        seconds.append(time.process_time() - started)
    return statistics.median(seconds[times // 10:])


async def measure(db: Database, backend: str, steps: int, repeat: int) -> dict[str, Any]:
    rounds: list[dict[str, float]] = []
    bare_cpu: list[float] = []
    round_trips: list[float] = []
    holds: list[float] = []
    async with side_by_side(db) as (fake, app, teacher, bare, echoed):
        for round_number in range(repeat + 1):  # round 0 warms up
            splits = await split_steps(fake, app, teacher, steps)
            round_trips.append(await round_trip_seconds(db))
            holds.append(await hold_seconds(db))
            bare_times = await bare_steps(fake, bare, echoed, steps)
            if round_number:
                rounds.append({phase: statistics.median(s.get(phase, 0.0) for s in splits) for phase in PHASES}
                              | {"total": statistics.median(sum(s.values()) for s in splits)})
                bare_cpu.append(medians(bare_times)[1])
        statements_per_step = len(await step_statements(db, fake, app, teacher))
    phases = {phase: statistics.median(r[phase] for r in rounds) for phase in (*PHASES, "total")}
    bare_step = statistics.median(bare_cpu)
    return {"backend": backend, "steps": steps, "repeat": repeat, "cpu_seconds": phases,
            "bare_step_cpu_seconds": bare_step, "cpu_ratio": phases["total"] / bare_step,
            "statements_per_step": statements_per_step, "round_trip_cpu_seconds": statistics.median(round_trips[1:]),
            "hold_cpu_seconds": statistics.median(holds[1:])}


def table(result: dict[str, Any]) -> str:
    bare = result["bare_step_cpu_seconds"]
    lines = [f"one /log step on {result['backend']}, CPU ms per phase, median of {result['repeat']} rounds "
             f"of {result['steps']} steps (each phase's own median; the total is the median of the sums)",
             "| phase | CPU ms | × bare echo |", "|---|---:|---:|"]
    for phase in (*PHASES, "total"):
        seconds = result["cpu_seconds"][phase]
        lines.append(f"| {phase} | {seconds * 1000:.3f} | {seconds / bare:.2f}× |")
    lines.append(f"| bare PTB echo (baseline) | {bare * 1000:.3f} | 1.00× |")
    round_trip = result["round_trip_cpu_seconds"]
    lines.append(f"| one driver round trip (`SELECT 1`) | {round_trip * 1000:.3f} | {round_trip / bare:.2f}× |")
    if "hold_cpu_seconds" in result:
        held = result["hold_cpu_seconds"]
        lines.append(f"| the state's lock, load, save and commit alone | {held * 1000:.3f} | {held / bare:.2f}× |")
    lines.append(f"\nstatements a step sends: {result['statements_per_step']}")
    return "\n".join(lines)


async def main(options: argparse.Namespace) -> None:
    install()
    results = []
    for backend in options.backend:
        database = sqlite_database() if backend == "sqlite" else postgres_database(options.pg_url)
        async with database as db:
            results.append(await measure(db, backend, options.steps, options.repeat))
    if options.json:
        print_json({"measured": "one /log step, CPU split by phase", "results": results})
    else:
        print("\n\n".join(table(result) for result in results))


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=50, help="steps timed per round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (median reported)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append",
                        help="repeat for both (default: sqlite)")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    options = parser.parse_args(argv)
    options.backend = options.backend or ["sqlite"]
    return options


if __name__ == "__main__":
    asyncio.run(main(parse_options()))
