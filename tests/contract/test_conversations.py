"""The same scripted conversations through every installed platform's adapter and its fake: the core's
behaviour does not depend on the platform, and each adapter only translates."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.chat.platform_plugin import Capabilities
from bot.notifications.sample_reminder import plan_sample_reminder
from storage.models import Entry, Member, MemberAccount
from tests.contract.platforms import PEOPLE, Chats

VISIT = "/log visit Wang Xiaoming today 30 talked about maths homework"


async def entries(chats: Chats) -> int:
    async with chats.db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(Entry).where(Entry.deleted_at.is_(None)))


async def join(chats: Chats, who: str, role: str = "teacher") -> None:
    await chats.say(who, f"/start {await chats.invite(role)}")


async def test_joining_with_an_invite_makes_a_member_with_an_account_on_the_platform(chats):
    await join(chats, "li")
    assert chats.texts("li")[-1].startswith(f"Welcome, {PEOPLE['li']}! You have joined")
    async with chats.db.transaction() as session:
        accounts = (await session.execute(select(Member.display_name, MemberAccount.platform)
                                          .join(MemberAccount, MemberAccount.member_id == Member.id))).all()
    assert accounts == [(PEOPLE["li"], chats.name)]


async def test_a_logged_visit_saves_once_even_when_its_stale_save_button_is_tapped_again(chats):
    await join(chats, "li")
    await chats.say("li", VISIT)
    assert "Please check this entry" in chats.texts("li")[-1]
    save = await chats.tap("li", "✅ Save")
    assert chats.texts("li")[-1].startswith("✅ Saved: Home visit")
    await chats.tap_again("li", save)
    assert await entries(chats) == 1
    assert sum(text.startswith("✅ Saved") for text in chats.texts("li")) == 1


async def test_mine_counts_the_visit_and_undo_removes_it(chats):
    await join(chats, "li")
    await chats.say("li", VISIT)
    await chats.tap("li", "✅ Save")
    await chats.say("li", "/mine")
    assert "Home visit" in chats.texts("li")[-1]
    await chats.say("li", "/undo")
    assert "Wang Xiaoming" in chats.texts("li")[-1]
    await chats.tap("li", "Yes, remove it")
    assert await entries(chats) == 0


async def test_a_reminder_is_delivered_through_the_platform_and_its_button_works(chats):
    await join(chats, "li")
    await plan_sample_reminder(chats.db, PEOPLE["li"], chats.clock.now())
    await chats.deliver_due()
    assert "Sample reminder" in chats.texts("li")[-1]
    await chats.tap("li", "⏰ Remind me tomorrow")
    assert "remind you" in chats.texts("li")[-1]


async def test_a_group_report_shows_counts_and_names_no_student(chats):
    await join(chats, "boss", "leader")
    await join(chats, "li")
    await chats.say("li", VISIT)
    await chats.tap("li", "✅ Save")
    await chats.say_in_group("boss", "/link")
    await chats.say_in_group("li", "/report")
    shown = chats.group_texts()
    assert any(PEOPLE["li"] in text for text in shown), shown
    assert not any("Wang Xiaoming" in text or "maths homework" in text for text in shown)


async def test_a_rate_limited_reply_is_sent_once_after_the_wait_and_the_request_is_answered(chats):
    await join(chats, "li")
    before = len(chats.texts("li"))
    chats.rate_limit_next_reply("li")
    await chats.say("li", "/help")
    assert chats.answered_normally()
    assert len(chats.texts("li")) == before + 1, chats.texts("li")[before:]


def test_the_platforms_port_declares_the_limits_replies_are_laid_out_within(chats):
    capabilities = chats.runtime.port.capabilities
    assert isinstance(capabilities, Capabilities)
    assert capabilities.text_length >= capabilities.caption_length > 0 < capabilities.buttons_per_row
