"""/link and /unlink in a group chat through the chat core, in both languages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import GroupLink

GROUP = "-100777"


@pytest.fixture
async def leader(chat):
    return await chat.add_member("张校长", role="leader", language="zh")


@pytest.fixture
async def li(chat):
    return await chat.add_member("Li Lei", language="en")


async def links(chat) -> list[tuple[int, int, int | None, bool, bool]]:
    async with chat.db.transaction() as session:
        rows = await session.scalars(select(GroupLink).order_by(GroupLink.chat_id))
        return [(row.chat_id, row.school_id, row.top_n, row.totals_only, row.active) for row in rows]


async def test_a_leader_links_a_group_changes_its_options_and_unlinks_it_in_chinese(chat, leader):
    group = chat.in_group(leader, GROUP)
    await group.send("/link")
    assert group.last_text.startswith("已关联到合川中学：每周一 08:00") and "（完整排名）" in group.last_text
    assert await links(chat) == [(GROUP, chat.school.school_id, None, False, True)]
    await group.send("/link 前5名")
    assert "只显示前 5 名" in group.last_text
    assert await links(chat) == [(GROUP, chat.school.school_id, 5, False, True)]
    await group.send("/link 随便")
    assert group.last_text.startswith("我没看懂。")
    await group.send("/unlink")
    assert group.last_text == "已取消关联：这个群不会再收到排行榜。"
    await group.send("/unlink")
    assert group.last_text == "这个群还没有关联。学校领导可以在这里发送 /link。"
    assert [link[-1] for link in await links(chat)] == [False]


async def test_teachers_and_strangers_get_the_same_refusal_in_english(chat, li):
    stranger = chat.person(language_code="en", chat_id=GROUP)
    for person in (chat.in_group(li, GROUP), stranger):
        await person.send("/link top 5")
        assert person.last_text == "Only a school leader can link or unlink this group."
    assert await links(chat) == []


async def test_link_in_a_private_chat_explains_where_to_send_it(chat, leader, li):
    await li.send("/link")
    assert li.last_text.startswith("Send /link in the group chat that should get the weekly leaderboard")
    await leader.send("/unlink")
    assert leader.last_text.startswith("请在要接收每周排行榜的群里发送 /link")
    assert await links(chat) == []


async def test_private_commands_in_a_group_point_to_the_private_chat(chat, li):
    group = chat.in_group(li, GROUP)
    await group.send("/settings")
    assert "private chat" in group.last_text
