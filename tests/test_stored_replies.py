"""Scheduled messages are the core's Replies in the outbox, and rows planned before the upgrade (text, parse mode
and (label, data) buttons, a photo) are still delivered, buttons and all."""

from __future__ import annotations

import datetime as dt

from bot.chat.actions import LogNow, Snooze
from bot.chat.replies import Attachment, Choice, Reply
from bot.notifications.delivery import deliver_due
from bot.notifications.stored_reply import reply_of_row, stored_reply
from bot.platform_names import TELEGRAM
from storage import outbox
from storage.models import Member
from tests.support.accounts import give_account
from tests.support.bot import messenger_of

CHAT = 5100


def test_a_reply_reads_back_from_its_row_as_it_was_stored():
    reply = Reply("<b>2 of 4</b> done", ((Choice("📝 Log now", LogNow("home_visit")),), (Choice("⏰", Snooze()),)),
                  html=True, attachments=(Attachment("week.png", b"\x89PNG", "image", "Share met"),))
    payload, attachment, name = stored_reply(reply)
    assert reply_of_row(payload, attachment, name) == reply


def test_a_row_of_the_previous_form_reads_as_the_same_reply_and_forged_buttons_are_left_out():
    old = {"text": "<b>Behind</b>", "parse_mode": "HTML",
           "buttons": [[["📝 Log now", "lognow:home_visit"]], [["forged", "no-such-action:1"]]]}
    assert reply_of_row(old, b"\x89PNG", "leaderboard.png") == Reply(
        "<b>Behind</b>", ((Choice("📝 Log now", LogNow("home_visit")),),), html=True,
        attachments=(Attachment("leaderboard.png", b"\x89PNG", "image"),))


async def test_rows_planned_in_the_previous_form_are_delivered_after_the_upgrade(bot, db, clock):
    li = bot.fake.user(CHAT, "Li", "Lei", language_code="en")
    now = clock.now()
    async with db.transaction() as session:
        member = Member(school_id=bot.school.school_id, role="teacher", display_name="Li Lei", joined_on=now.date())
        session.add(member)
        await give_account(session, member, CHAT)
        common = {"school_id": bot.school.school_id, "member_id": member.id, "platform": TELEGRAM,
                  "chat_id": str(CHAT), "not_before": now - dt.timedelta(minutes=1), "expires_at": None}
        await outbox.insert_if_absent(session, [
            {**common, "dedupe_key": "reminder:old", "kind": "reminder",
             "payload": {"text": "⏰ You are <b>behind</b> pace", "parse_mode": "HTML", "day": now.date().isoformat(),
                         "buttons": [[["📝 Log now", "lognow:home_visit"]], [["⏰ Remind me tomorrow", "snooze"]]]}},
            {**common, "dedupe_key": "leaderboard-chart:old", "kind": "leaderboard_chart",
             "payload": {"text": "Share of quotas met", "parse_mode": None, "buttons": []},
             "attachment": b"\x89PNG chart", "attachment_name": "leaderboard.png"},
        ])
    report = await deliver_due(db, messenger_of(bot.app.bot), clock, "w", platform=TELEGRAM)
    assert report.sent == 2
    reminder, chart = bot.fake.messages_to(CHAT)
    assert (reminder.text, reminder.parse_mode) == ("⏰ You are <b>behind</b> pace", "HTML")
    assert reminder.inline_buttons == [("📝 Log now", "lognow:home_visit"), ("⏰ Remind me tomorrow", "snooze")]
    assert (chart.caption, chart.photo) == ("Share of quotas met", b"\x89PNG chart")
    await bot.tap(li, "⏰ Remind me tomorrow", reminder)
    assert "remind you" in bot.last_text(li)
