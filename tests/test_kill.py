"""`kill -9` of a real `teachlog run`: a conversation goes on where the teacher sees it, a reminder is not lost.

Each test starts real processes against tests/support/http_bot_api.py, so they take a few seconds each.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select

from bot.database import app_database
from bot.notifications.delivery import DeliveryPolicy
from bot.people.schools import create_school
from bot.platform_names import TELEGRAM
from storage import outbox
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Entry, Member, OutboxMessage
from tests.support.accounts import give_account
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.http_bot_api import serve
from tests.support.notifications import add_members
from tests.support.processes import BotProcess

REPLY_TIMEOUT = 30  # seconds; a restart on a busy machine is slow, a lost step never answers


async def school_with_teacher(url: str) -> int:
    """A school and one English-speaking teacher (Telegram id 5000) whose reminders are off,
    so that nothing but the conversation writes to them whatever the real date is."""
    db = app_database(url)
    await upgrade(db)
    school = await create_school(db, "Lakeside School", language="en", now=dt.datetime.now(dt.UTC))
    await add_members(db, school.school_id, 1, reminder_frequency="off")
    await db.dispose()
    return school.school_id


async def entries_in(url: str) -> list[Entry]:
    db = app_database(url)
    try:
        async with db.transaction() as session:
            return list(await session.scalars(select(Entry)))
    finally:
        await db.dispose()


async def answer(fake: FakeTelegram, user: FakeUser, bot: BotProcess, expected: str) -> None:
    """Wait for the bot's next message to `user` to contain `expected`."""
    before = len(fake.texts_to(user.id))
    try:
        await fake.wait_until(lambda: any(expected in (text or "") for text in fake.texts_to(user.id)[before:]),
                              timeout=REPLY_TIMEOUT)
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- bot log:\n{bot.log()}") from None


def tap_on_latest(fake: FakeTelegram, user: FakeUser, label: str) -> dict:
    message = next(m for m in reversed(fake.messages_to(user.id)) if m.has_inline_keyboard)
    data = dict(message.inline_buttons)[label]
    return fake.tap(user, message, data)


# (what the teacher does, what the bot asks next)
LOG_STEPS = [
    ("/log", "What did you do?"),
    ("tap:Home visit", "Which student or family?"),
    ("Wang Xiaoming", "Did a colleague come along?"),
    ("tap:No, alone", "When was it?"),
    ("tap:Yesterday", "How long did it take?"),
    ("tap:45 min", "Any notes?"),
    ("talked about homework", "Please check this entry"),
    ("tap:✅ Save", "✅ Saved"),
]


async def test_a_log_conversation_killed_after_every_step_goes_on_to_one_saved_entry(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'teachlog.db'}"
    await school_with_teacher(url)
    fake = FakeTelegram()
    teacher = fake.user(5000, "Wang", "Fang", language_code="en")
    async with serve(fake) as base_url:
        bot = BotProcess(url, base_url, tmp_path)
        await bot.start()
        try:
            for step, (action, question) in enumerate(LOG_STEPS):
                if action.startswith("tap:"):
                    tap = tap_on_latest(fake, teacher, action[4:])
                    fake.push(tap)
                else:
                    fake.push(fake.private_text(teacher, action))
                await answer(fake, teacher, bot, question)
                await bot.restart()  # SIGKILL the moment the question reached Telegram
                if step == 3:
                    # The teacher taps the colleague question's button again: out of date, and the
                    # question they should answer is asked again.
                    colleague_question = next(m for m in fake.messages_to(teacher.id) if "colleague" in m.text)
                    alone = dict(colleague_question.inline_buttons)["No, alone"]
                    fake.push(fake.tap(teacher, colleague_question, alone))
                    await answer(fake, teacher, bot, "When was it?")
                    assert fake.callback_answers[-1].text.startswith("This button is out of date")
            save = tap["callback_query"]  # the last step's tap: Save, tapped again after the crash
            fake.push(fake.tap(teacher, fake.message(teacher.id, save["message"]["message_id"]), save["data"]))
            await fake.wait_until(lambda: fake.callback_answers[-1].text == "Already saved.", timeout=REPLY_TIMEOUT)
        finally:
            await bot.stop()
    [entry] = await entries_in(url)
    assert (entry.student_name, entry.duration_minutes, entry.notes) == ("Wang Xiaoming", 45, "talked about homework")
    assert "Traceback" not in bot.log()


async def outbox_statuses(db: Database) -> dict[str, str]:
    async with db.transaction() as session:
        rows = await session.execute(select(OutboxMessage.dedupe_key, OutboxMessage.status))
        return dict(rows.all())


async def until_statuses(url: str, wanted: list[str]) -> None:
    """Wait until the outbox rows' statuses, sorted, are `wanted` (asking through one engine, not one a poll)."""
    db = app_database(url)

    async def poll() -> None:
        while sorted((await outbox_statuses(db)).values()) != wanted:
            await asyncio.sleep(0.05)
    try:
        await asyncio.wait_for(poll(), timeout=REPLY_TIMEOUT)
    finally:
        await db.dispose()


async def reminders_for(url: str, chat_ids: list[int], now: dt.datetime) -> dict[int, str]:
    """One due reminder in the outbox for each chat, as the planner leaves them; chat id → its text."""
    db = app_database(url)
    await upgrade(db)
    school = await create_school(db, "Lakeside School", language="en", now=now)
    texts = {}
    async with db.transaction() as session:
        for chat_id in chat_ids:
            member = Member(school_id=school.school_id, role="teacher", display_name=f"Teacher {chat_id}",
                            joined_on=now.date())
            session.add(member)
            await give_account(session, member, chat_id)
            texts[chat_id] = f"Reminder {chat_id}: two tutoring sessions this week, none logged yet."
            await outbox.insert_if_absent(session, [{
                "dedupe_key": f"reminder:{member.id}:kill-test:week:{now.date()}", "school_id": school.school_id,
                "member_id": member.id, "platform": TELEGRAM, "chat_id": str(chat_id), "kind": "reminder",
                "payload": {"text": texts[chat_id], "parse_mode": None, "day": now.date().isoformat()},
                "not_before": now - dt.timedelta(minutes=1), "expires_at": None}])
    await db.dispose()
    return texts


async def test_a_reminder_in_flight_at_a_kill_is_sent_after_the_restart_at_most_once_more(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'teachlog.db'}"
    delivered_in_flight, lost_in_flight, done_before = 5000, 5001, [5002, 5003]
    texts = await reminders_for(url, [delivered_in_flight, lost_in_flight, *done_before], dt.datetime.now(dt.UTC))
    fake = FakeTelegram()
    # Telegram shows the first but its answer never comes back; the second never got through.
    holds = [fake.hold("sendMessage", chat_id=delivered_in_flight, delivered=True),
             fake.hold("sendMessage", chat_id=lost_in_flight, delivered=False)]

    def times_sent(chat_id: int) -> int:
        return fake.texts_to(chat_id).count(texts[chat_id])

    async with serve(fake) as base_url:
        bot = BotProcess(url, base_url, tmp_path)
        await bot.start()
        try:
            for held in holds:
                await asyncio.wait_for(held.reached.wait(), timeout=REPLY_TIMEOUT)
            await fake.wait_until(lambda: all(times_sent(chat) == 1 for chat in done_before), timeout=REPLY_TIMEOUT)
            await until_statuses(url, ["sending", "sending", "sent", "sent"])
            await bot.kill()
            # Back after the delivery lease (5 minutes) ran out, so the rows the dead bot held are sent again.
            # An absolute start, from this process's own clock: a relative one (+6m) would count from the
            # machine's real clock even when this suite itself runs under faketime.
            later = dt.datetime.now() + DeliveryPolicy().lease + dt.timedelta(minutes=1)  # local, as faketime reads
            await bot.start("faketime", "-f", f"@{later:%Y-%m-%d %H:%M:%S}")
            await fake.wait_until(lambda: times_sent(delivered_in_flight) == 2 and times_sent(lost_in_flight) == 1,
                                  timeout=REPLY_TIMEOUT)
            await until_statuses(url, ["sent"] * len(texts))
        finally:
            await bot.stop()
    assert [times_sent(chat) for chat in texts] == [2, 1, 1, 1]  # one duplicate: the answer lost at the kill
    assert "Traceback" not in bot.log()
