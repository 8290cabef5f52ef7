"""`--log-format json`: one JSON object per line with the platform, update id and member id of the update
being handled, and nothing personal: no student's name, no note, no message text."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator

from sqlalchemy import text

from bot.observability.json_logs import log_handler
from storage.db import Database
from tests.support.accounts import member_of_account
from tests.support.chat import PLATFORM
from tests.support.stored import member_id

STUDENT, NOTE = "王小明", "了解学习情况，家长反映孩子晚上玩手机"


@contextlib.contextmanager
def json_log() -> Iterator[io.StringIO]:
    """What `run --log-format json` writes, at its level (INFO), captured."""
    stream = io.StringIO()
    handler, root = log_handler("json", stream), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@contextlib.asynccontextmanager
async def entries_refused(db: Database) -> AsyncIterator[None]:
    """The database refuses every new entry (a full disk, say) until the block ends."""
    statements = {
        "sqlite": (["CREATE TRIGGER refuse_entries BEFORE INSERT ON entries "
                    "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"],
                   ["DROP TRIGGER refuse_entries"]),
        "postgresql": (["CREATE FUNCTION refuse_entries() RETURNS trigger LANGUAGE plpgsql AS "
                        "$$ BEGIN RAISE EXCEPTION 'the disk is full'; END $$",
                        "CREATE TRIGGER refuse_entries BEFORE INSERT ON entries "
                        "FOR EACH ROW EXECUTE FUNCTION refuse_entries()"],
                       ["DROP TRIGGER refuse_entries ON entries", "DROP FUNCTION refuse_entries()"]),
    }[db.dialect]
    create, drop = statements
    async with db.engine.begin() as connection:
        for statement in create:
            await connection.execute(text(statement))
    try:
        yield
    finally:
        async with db.engine.begin() as connection:
            for statement in drop:
                await connection.execute(text(statement))


def lines_of(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_a_visit_that_fails_to_save_is_logged_with_ids_but_without_the_student_or_the_note(chat):
    wang = await chat.add_member("王芳", language="zh")
    with json_log() as log:
        await wang.send("/log")
        await wang.tap_label("家访")
        await wang.send(STUDENT)
        await wang.tap_label("不，独自一人")
        await wang.tap_label("今天")
        await wang.tap_label("45 分钟")
        await wang.send(NOTE)
        async with entries_refused(chat.db):
            await wang.tap_label("✅ 保存")
            assert "没能保存" in wang.last_text
        await wang.tap_label("✅ 保存")
        assert wang.last_text.startswith("✅ 已保存")
    written = log.getvalue()
    assert STUDENT not in written and NOTE not in written and "王芳" not in written
    [failure] = [line for line in lines_of(log) if line["message"] == "saving an entry failed"]
    assert {key: failure[key] for key in ("level", "logger", "platform", "member_id")} == {
        "level": "ERROR", "logger": "bot.chat.flows.log", "platform": PLATFORM,
        "member_id": await member_id(chat.db, wang)}
    assert "the disk is full" in failure["exception"] and "INSERT INTO entries" in failure["exception"]
    assert failure["time"].endswith("+00:00")


async def test_a_telegram_update_logged_while_it_is_handled_names_its_update_id(bot, li):
    with json_log() as log:
        await bot.say(li, f"/log visit {STUDENT} today 30 {NOTE}")
        summary = bot.fake.last_to(li.id)
        save = bot.fake.tap(li, summary, dict(summary.inline_buttons)["✅ Save"])
        async with entries_refused(bot.db):
            await bot.fake.send(bot.app, save)
    [failure] = [line for line in lines_of(log) if line["message"] == "saving an entry failed"]
    member = await member_of_account(bot.db, li.id)
    assert member is not None
    assert (failure["platform"], failure["update_id"], failure["member_id"]) == (
        "telegram", str(save["update_id"]), member.id)
    assert STUDENT not in log.getvalue() and NOTE not in log.getvalue()
    assert all(set(line) >= {"time", "level", "logger", "message"} for line in lines_of(log))
