"""Two chat engines on one database, as two replicas of the bot: one member's steps, taken by either, in order;
an update delivered twice answered once."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt

import pytest
from sqlalchemy import func, select

from bot.chat.engine_builder import build_engine
from bot.chat.events import Command, Event, Tap
from bot.logbook import entries
from bot.people.membership import profile_for_account
from handlers.terminal.driver import ChatDriver
from storage import conversation_locks
from storage.db import Database
from storage.errors import DatabaseFailure
from storage.models import HandledUpdate
from tests.support.chat import PLATFORM

#: (what Li sends, what the engine that takes it answers)
LOG_STEPS = [
    ("/log", "What did you do?"),
    ("#1", "Which student or family?"),
    ("Wang Xiaoming", "Did a colleague come along?"),
    ("#1", "When was it?"),
    ("yesterday 4pm", "How long did it take?"),
    ("#4", "Any notes?"),
    ("talked about homework", "Please check this entry"),
    ("#1", "✅ Saved"),
]


def tapping(driver: ChatDriver, number: int) -> Event:
    return driver.event(Tap(driver.latest_choices()[number - 1].data))


def replica(chat, li: ChatDriver) -> ChatDriver:
    """Li as a second replica of the bot sees them: another engine, the same database."""
    return ChatDriver(build_engine(chat.core), user_id=li.user_id, platform=li.platform,
                      display_name=li.display_name)


async def saved_entries(chat, driver: ChatDriver) -> list[entries.EntryView]:
    profile = await profile_for_account(chat.db, PLATFORM, driver.user_id)
    assert profile is not None
    return await entries.history(chat.db, profile)


async def handled_count(db) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(HandledUpdate)) or 0


async def test_a_log_conversation_taken_by_two_engines_in_turn_ends_in_one_entry(chat, li):
    other = replica(chat, li)
    for number, (line, answer) in enumerate(LOG_STEPS):
        taker = li if number % 2 == 0 else other
        if line.startswith("#"):  # the buttons are those of the latest message, whichever engine sent it
            taker.outcomes = (other if taker is li else li).outcomes[-1:]
        await taker.send(line)
        assert answer in taker.last_text, f"step {number} ({line!r}) on engine {number % 2}"
    [entry] = await saved_entries(chat, li)
    assert (entry.student, entry.notes) == ("Wang Xiaoming", "talked about homework")


async def test_an_update_delivered_to_both_engines_is_answered_once(chat, li):
    other = replica(chat, li)
    start = dataclasses.replace(li.event(Command("log")), update_id="10001")
    first = await li.engine.handle(start)
    again = await other.engine.handle(start)
    assert "What did you do?" in first.replies[0].text
    assert again.answered_before and again.replies == [] and again.popup is None
    answer = await other.engine.handle(dataclasses.replace(li.event(Command("cancel")), update_id="10002"))
    assert answer.replies, "the next update is answered"
    assert await handled_count(chat.db) == 2


async def test_a_save_delivered_twice_saves_once_and_says_so_once(chat, li):
    other = replica(chat, li)
    for line in ["/log", "#2", "Zhang Wei's mother", "yesterday 4pm", "#4", "#1"]:
        await li.send(line)
    save = dataclasses.replace(tapping(li, 1), update_id="20001")
    outcomes = await asyncio.gather(li.engine.handle(save), other.engine.handle(save))
    assert sorted(bool(outcome.replies) for outcome in outcomes) == [False, True]
    assert len(await saved_entries(chat, li)) == 1


async def test_updates_are_remembered_for_a_day_and_then_forgotten(chat, li):
    cancel = dataclasses.replace(li.event(Command("cancel")), update_id="30001")
    await li.engine.handle(cancel)
    chat.clock.advance(hours=23)
    await li.engine.expire_idle()
    assert (await li.engine.handle(cancel)).replies == []
    chat.clock.advance(hours=2)
    await li.engine.expire_idle()
    assert await handled_count(chat.db) == 0
    assert (await li.engine.handle(cancel)).replies, "a day later the id means nothing any more"


async def test_a_second_holder_waits_for_the_first_and_sees_what_it_saved(db):
    first_holds, first_may_finish = asyncio.Event(), asyncio.Event()
    order = []

    async def first() -> None:
        async with conversation_locks.hold(db, "chat", "key", None) as held:
            first_holds.set()
            await first_may_finish.wait()
            order.append("first saves")
            await held.finish({"step": "second"}, dt.datetime(2026, 11, 18, 9, 30, tzinfo=dt.UTC))

    async def second() -> dict | None:
        await first_holds.wait()
        async with conversation_locks.hold(db, "chat", "key", None) as held:
            order.append("second holds")
            return held.value

    waiting = asyncio.gather(first(), second())
    await asyncio.sleep(0.2)
    assert order == [], "the second waits while the first holds the conversation"
    first_may_finish.set()
    _, seen = await waiting
    assert order == ["first saves", "second holds"]
    assert seen == {"step": "second"}


async def test_a_step_that_fails_saves_nothing_and_leaves_no_connection_in_its_transaction(db):
    at = dt.datetime(2026, 11, 18, 9, 30, tzinfo=dt.UTC)
    update = conversation_locks.UpdateRef(PLATFORM, "7")
    async with conversation_locks.hold(db, "chat", "key", None) as held:
        await held.finish({"step": "first"}, at)

    try:
        async with conversation_locks.hold(db, "chat", "key", update):
            raise RuntimeError("the flow failed")
    except RuntimeError:
        pass

    assert await connections_in_a_transaction(db) == 0, "the lock would stay with a pooled connection"
    async with conversation_locks.hold(db, "chat", "key", update) as held:
        assert (held.value, held.duplicate) == ({"step": "first"}, False)


async def connections_in_a_transaction(db) -> int:
    """How many of the pool's idle connections are still inside a transaction (all of them are checked out)."""
    async with contextlib.AsyncExitStack() as stack:
        drivers = []
        for _ in range(db.engine.pool.checkedin()):
            connection = await stack.enter_async_context(db.engine.connect())
            drivers.append((await connection.get_raw_connection()).driver_connection)
        return sum(bool(d.is_in_transaction() if callable(getattr(d, "is_in_transaction", None))
                        else d.in_transaction) for d in drivers)


async def test_a_step_on_a_read_only_sqlite_database_fails_as_a_database_failure(db, tmp_path):
    if db.dialect != "sqlite":
        return
    read_only = Database(f"sqlite+aiosqlite:///file:{tmp_path / 'teachlog.db'}?mode=ro&uri=true")
    try:
        with pytest.raises(DatabaseFailure, match="read-only"):
            async with conversation_locks.hold(read_only, "chat", "key", None) as held:
                await held.finish({"step": "first"}, dt.datetime(2026, 11, 18, 9, 30, tzinfo=dt.UTC))
    finally:
        await read_only.dispose()
