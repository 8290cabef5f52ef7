"""A school with rows in each of teachlog's tables, and every row read back: what backup, restore and copy carry.

The rows are made the way the bot makes them where that is short (members, saved /log entries with
their audit, daily counts and summary changes, a report's stored summaries, a /log conversation left
half-way) and directly otherwise (a pairing, a place, a problem, a record, an outbox message with a
picture and its delivery, a linked group). Values that do not survive a careless copy are among them:
Chinese text, bytes, a time of day, microseconds, a JSON column holding ``null`` next to one that is
SQL NULL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, func, insert, null, select, text

from bot.cli.report import group_report
from bot.clock import FixedClock
from bot.people.students import student_key
from handlers.terminal.driver import ChatDriver
from storage.db import Database
from storage.models import (
    Base,
    ChatState,
    DeliveryAttempt,
    Entry,
    GroupLink,
    OutboxMessage,
    Pairing,
    PlaceAssignment,
    Record,
)
from tests.support.chat import ChatHarness
from tests.support.stored import add_problem, member_id

#: What 王芳 has typed into /log when the data is taken, and what she types afterwards to save the entry.
CONVERSATION_BEFORE = ["/log", "tap:家访", "李华"]
CONVERSATION_AFTER = ["tap:不，独自一人", "tap:今天", "tap:45 分钟", "与家长沟通", "tap:✅ 保存"]
PICTURE = bytes(range(256)) + b"\x89PNG\r\n\x1a\n"
PRECISE = dt.datetime(2026, 11, 18, 9, 1, 2, 345678, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Filled:
    school_id: int
    #: 王芳, half-way through /log, with the buttons of the bot's last message still on her screen.
    wang: ChatDriver

    def wang_on(self, db: Database, clock: FixedClock) -> ChatDriver:
        """王芳 with the same screen, talking to a bot on `db` (a copy or a restore of this one)."""
        return dataclasses.replace(self.wang, engine=ChatHarness(db, clock).engine)

    async def finish_the_log_on(self, db: Database, clock: FixedClock) -> list[tuple[int, str]]:
        """王芳 finishes her half-way /log on `db`; the entries there (id, student) afterwards."""
        wang = self.wang_on(db, clock)
        for line in CONVERSATION_AFTER:
            await step(wang, line)
        assert "已保存" in wang.last_text
        async with db.transaction() as session:
            return [tuple(row) for row in await session.execute(
                select(Entry.id, Entry.student_name).order_by(Entry.id))]


async def step(driver: ChatDriver, line: str) -> None:
    await (driver.tap_label(line[4:]) if line.startswith("tap:") else driver.send(line))


async def fill_every_table(db: Database, clock: FixedClock) -> Filled:
    chat = ChatHarness(db, clock)
    school = await chat.create_school()
    wang = await chat.add_member("王芳", language="zh")
    li = await chat.add_member("Li Lei", language="en")
    await wang.send("/log 家访 王小明 昨天 40分钟 了解学习情况")
    await wang.tap_label("保存")
    await li.send("/log call Zhang Wei's mother yesterday 4pm 1h")
    await li.tap_label("Save")
    wang_id, li_id = await member_id(db, wang), await member_id(db, li)
    now = clock.now()
    async with db.transaction() as session:
        first_entry = await session.scalar(select(func.min(Entry.id)))
        session.add_all([
            PlaceAssignment(school_id=school.school_id, member_id=li_id, kind="class", place_name="初一(3)班",
                            place_key="初一(3)班", head_name="张老师", created_at=PRECISE),
            Record(school_id=school.school_id, member_id=wang_id, entry_id=first_entry, kind="reflection",
                   written_on=now.date(), text="这学期家访让我更了解学生的家庭。", created_at=now),
            GroupLink(platform="terminal", chat_id="-100200300", school_id=school.school_id,
                      linked_by_member_id=wang_id, top_n=5, totals_only=True, linked_at=now),
        ])
        message = OutboxMessage(dedupe_key="digest:1:2026-W47", school_id=school.school_id, member_id=wang_id,
                                platform="terminal", chat_id=wang.user_id, kind="digest",
                                payload={"text": "本周：家访 1", "nested": [1, None, {"a": "b"}]},
                                attachment=PICTURE, attachment_name="本周.png", not_before=now, status="sent",
                                attempts=1, sent_at=PRECISE, created_at=now)
        session.add(message)
        await session.flush()
        session.add(DeliveryAttempt(outbox_id=message.id, at=PRECISE, outcome="sent", detail=None))
    assert first_entry is not None
    await add_problem(db, school.school_id, first_entry, wang_id, "家里没有网络，孩子上网课困难", "王小明")
    await group_report(db, school.school_id, "term", None, now, None)
    async with db.transaction() as session:  # a change the stored report has not taken in
        session.add(Pairing(school_id=school.school_id, member_id=wang_id, student_name="王小明",
                            student_key=student_key("王小明"), created_at=now))
    for line in CONVERSATION_BEFORE:
        await step(wang, line)
    async with db.transaction() as session:
        await session.execute(insert(ChatState.__table__), [
            {"kind": "backup-test", "key": "sql-null", "value": null(), "updated_at": now},
        ])
        await session.execute(insert(ChatState.__table__), [
            {"kind": "backup-test", "key": "json-null", "value": JSON.NULL, "updated_at": now},
        ])
    return Filled(school.school_id, wang)


async def every_row(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Each table of the models, its rows as the models read them, in key order."""
    found = {}
    async with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = [tuple(row) for row in await connection.execute(select(table))]
            key = [list(table.columns).index(column) for column in table.primary_key.columns]
            found[table.name] = sorted(rows, key=lambda row: tuple(row[index] for index in key))
    return found


async def sql_null_keys(db: Database) -> list[str]:
    """The chat_state keys whose value is SQL NULL (not the JSON document null)."""
    async with db.engine.connect() as connection:
        return list((await connection.execute(
            text("SELECT key FROM chat_state WHERE value IS NULL ORDER BY key"))).scalars())
