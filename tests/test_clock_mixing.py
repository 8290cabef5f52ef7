"""What the bot stores and shows takes its time from the core's clock, never from the machine's."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.chat.render import day_text
from bot.i18n import translator
from bot.logbook import entries
from bot.logbook.drafts import EntryDraft
from bot.people.membership import profile_for_account
from bot.platform_names import TELEGRAM
from storage.models import DeliveryAttempt, Entry, EntryAudit, GroupLink, Problem

EN, ZH = translator("en"), translator("zh")


async def test_the_audit_of_a_saved_and_an_undone_entry_is_dated_by_the_clock(bot, li, db, clock):
    profile = await profile_for_account(db, TELEGRAM, str(li.id))
    draft = EntryDraft(activity="phone_call", student="Wang", day=clock.now().date(), duration_minutes=10)
    saved = await entries.save_entry(db, profile, draft, source="test", now=clock.now())
    clock.advance(minutes=5)
    assert await entries.undo_entry(db, profile, saved.entry_id, clock.now())
    async with db.transaction() as session:
        audits = list(await session.scalars(select(EntryAudit).order_by(EntryAudit.id)))
    assert [(a.action, a.at) for a in audits] == [("create", clock.now() - dt.timedelta(minutes=5)),
                                                  ("delete", clock.now())]


def test_a_day_shows_its_year_only_when_it_is_not_the_year_of_the_given_today():
    day = dt.date(2026, 12, 31)
    assert day_text(day, EN, today=dt.date(2026, 11, 18)) == "Thu 31 Dec"
    assert day_text(day, EN, today=dt.date(2027, 1, 2)) == "Thu 31 Dec 2026"
    assert day_text(day, ZH, today=dt.date(2027, 1, 2)) == "2026年12月31日 周四"


def test_times_the_logic_reads_have_no_machine_clock_default():
    """Entries, audits, problems, delivery attempts and group links need their time given: the clock's."""
    columns = {Entry.logged_at, EntryAudit.at, Problem.raised_at, DeliveryAttempt.at, GroupLink.linked_at}
    assert all(column.default is None and column.server_default is None and not column.nullable
               for column in (c.property.columns[0] for c in columns))


async def test_the_harness_bot_api_stamps_messages_with_the_bots_clock(bot, clock):
    update = bot.fake.private_text(bot.fake.user(1003, "Zhao"), "/help")
    assert update["message"]["date"] == int(clock.now().timestamp())
