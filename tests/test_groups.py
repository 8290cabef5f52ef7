"""/link and /unlink in group chats: leaders only, options, and what strangers and the bot's removal do."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.people.schools import create_school
from storage.models import GroupLink

GROUP = -100123


@pytest.fixture
def school_options():
    return {"language": "en"}


@pytest.fixture
async def leader(bot):
    user = bot.fake.user(1001, "Wang", "Fang", language_code="en")
    await bot.join(user, "leader")
    return user


async def in_group(bot, user, text: str, chat_id: int = GROUP) -> str:
    await bot.fake.send(bot.app, bot.fake.group_text(user, chat_id, text))
    return bot.fake.last_to(chat_id).text


async def links(db) -> list[tuple[int, int, int | None, bool, bool]]:
    """The Telegram groups linked, their chat ids as Telegram gives them."""
    async with db.transaction() as session:
        stored = list(await session.scalars(select(GroupLink).order_by(GroupLink.id)))
    assert {link.platform for link in stored} <= {"telegram"}
    return [(int(link.chat_id), link.school_id, link.top_n, link.totals_only, link.active) for link in stored]


async def test_a_leader_links_a_group_and_changes_its_options(bot, leader):
    answer = await in_group(bot, leader, "/link")
    assert "Linked to 合川中学" in answer and "Monday at 08:00" in answer and "the whole ranking" in answer
    assert "never students' names" in answer
    assert "the top 5 places" in await in_group(bot, leader, "/link top 5")
    assert await links(bot.db) == [(GROUP, 1, 5, False, True)]
    assert "only the school's totals" in await in_group(bot, leader, "/link@teachlog_bot totals")
    assert await links(bot.db) == [(GROUP, 1, None, True, True)]
    assert "did not understand" in await in_group(bot, leader, "/link everyone please")
    assert "Unlinked" in await in_group(bot, leader, "/unlink")
    assert await links(bot.db) == [(GROUP, 1, None, True, False)]
    assert "not linked" in await in_group(bot, leader, "/unlink")
    bot.fake.assert_no_errors()


async def test_teachers_and_strangers_get_the_same_refusal_naming_no_school(bot, leader):
    teacher = bot.fake.user(1002, "Li", "Lei", language_code="en")
    await bot.join(teacher, "teacher")
    stranger = bot.fake.user(1003, "Nobody", "Known", language_code="en")
    for user in (teacher, stranger):
        answer = await in_group(bot, user, "/link")
        assert answer == "Only a school leader can link or unlink this group."
    await in_group(bot, leader, "/link")
    assert await in_group(bot, stranger, "/unlink") == "Only a school leader can link or unlink this group."
    assert await links(bot.db) == [(GROUP, 1, None, False, True)]
    assert bot.fake.messages_to(stranger.id) == []


async def test_a_group_linked_to_another_school_stays_with_it(bot, leader):
    await in_group(bot, leader, "/link")
    other = await create_school(bot.db, "Lakeside School", language="en", now=bot.clock.now())
    rival = bot.fake.user(1009, "Other", "Leader", language_code="en")
    await bot.say(rival, f"/start {other.leader_invite}")
    assert "another school" in await in_group(bot, rival, "/link")
    assert "another school" in await in_group(bot, rival, "/unlink")
    assert await links(bot.db) == [(GROUP, 1, None, False, True)]


async def test_link_in_a_private_chat_explains_where_to_send_it(bot, leader):
    await bot.say(leader, "/link")
    assert "in the group chat" in bot.last_text(leader)
    assert await links(bot.db) == []


async def test_removing_the_bot_from_a_group_unlinks_it(bot, leader):
    await in_group(bot, leader, "/link")
    await bot.fake.send(bot.app, bot.fake.my_chat_member(leader, old="member", new="left", chat_id=GROUP))
    assert await links(bot.db) == [(GROUP, 1, None, False, False)]


async def test_a_group_that_becomes_a_supergroup_keeps_its_link_under_the_new_id(bot, leader):
    await in_group(bot, leader, "/link top 5", chat_id=-4001)
    await bot.fake.send(bot.app, bot.fake.group_migrated(leader, -4001, -1004001))
    assert await links(bot.db) == [(-1004001, 1, 5, False, True)]
    assert bot.errors() == []
    assert "top 5" in await in_group(bot, leader, "/link top 5", chat_id=-1004001)
    assert await links(bot.db) == [(-1004001, 1, 5, False, True)]
