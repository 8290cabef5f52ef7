"""`/report @name` finds a member by their handle on any platform that has one — a Telegram @username, a Slack
display name — once the bot has heard from them, and by display name everywhere."""

from __future__ import annotations

import pytest

from bot.people.schools import create_school
from bot.platform_names import SLACK, TELEGRAM
from handlers.terminal.driver import ChatDriver
from tests.support.accounts import member_with_account


async def member_on(chat, platform: str, user_id: str, name: str, handle: str | None, **options) -> ChatDriver:
    """A member whose account is on `platform`, writing from an app that shows their `handle`."""
    assert chat.school is not None
    await member_with_account(chat.db, chat.school.school_id, name, platform, user_id, chat.clock.now(), **options)
    return ChatDriver(chat.engine, user_id=user_id, platform=platform, display_name=name, username=handle,
                      language_code="en")


@pytest.fixture
async def leader(chat) -> ChatDriver:
    return await member_on(chat, TELEGRAM, "9001", "Chen Principal", "chen_p", role="leader", language="en")


@pytest.mark.parametrize(("platform", "user_id", "handle"), [
    (TELEGRAM, "3002", "wangfang_t"),
    (SLACK, "U0WANG", "fang.wang"),
])
async def test_a_member_is_found_by_the_handle_they_were_last_seen_with(chat, leader, platform, user_id, handle):
    wang = await member_on(chat, platform, user_id, "Wang Fang", handle, language="en")
    await leader.send(f"/report @{handle}")
    assert "I found no member of your school called" in leader.last_text, "a handle never seen finds nobody"
    await wang.send("/mine")
    await leader.send(f"/report @{handle.upper()} last week")
    assert "📊 Wang Fang · Last week" in leader.last_text


async def test_a_handle_on_slack_and_one_on_telegram_find_their_own_members(chat, leader):
    on_telegram = await member_on(chat, TELEGRAM, "3002", "Wang Fang", "wf", language="en")
    on_slack = await member_on(chat, SLACK, "U0LI", "Li Lei", "lilei", language="en")
    await on_telegram.send("/mine")
    await on_slack.send("/mine")
    await leader.send("/report @wf")
    assert "📊 Wang Fang · This week" in leader.last_text
    await leader.send("/report @lilei")
    assert "📊 Li Lei · This week" in leader.last_text


async def test_a_member_is_found_by_display_name_on_any_platform(chat, leader):
    await member_on(chat, SLACK, "U0LI", "Li Lei", None, language="en")
    await chat.add_member("Zhao Terminal", language="en")
    await leader.send("/report @Li Lei")
    assert "📊 Li Lei · This week" in leader.last_text
    await leader.send("/report @zhao terminal")
    assert "📊 Zhao Terminal · This week" in leader.last_text


async def test_a_newcomer_who_joins_is_found_by_handle_at_once(chat, leader):
    newcomer = ChatDriver(chat.engine, user_id="U0NEW", platform=SLACK, display_name="Sun Li", username="sunli",
                          language_code="en")
    await chat.join(newcomer)
    await leader.send("/report @sunli")
    assert "📊 Sun Li · This week" in leader.last_text


async def test_a_handle_that_moved_to_another_account_finds_its_new_owner(chat, leader):
    first = await member_on(chat, TELEGRAM, "3002", "Wang Fang", "teacher_w", language="en")
    await first.send("/mine")
    second = await member_on(chat, TELEGRAM, "3003", "Wu Wei", "teacher_w", language="en")
    await second.send("/mine")
    await leader.send("/report @teacher_w")
    assert "📊 Wu Wei · This week" in leader.last_text


async def test_a_stranger_or_another_schools_member_is_not_remembered_or_found(chat, leader):
    stranger = ChatDriver(chat.engine, user_id="4004", platform=TELEGRAM, display_name="Nobody", username="nobody_x")
    await stranger.send("/mine")
    await leader.send("/report @nobody_x")
    assert "I found no member of your school called “@nobody_x”" in leader.last_text
    elsewhere = await create_school(chat.db, "Other School", language="en", now=chat.clock.now())
    await member_with_account(chat.db, elsewhere.school_id, "Far Away", SLACK, "U0FAR", chat.clock.now())
    far = ChatDriver(chat.engine, user_id="U0FAR", platform=SLACK, display_name="Far Away", username="far")
    await far.send("/mine")
    await leader.send("/report @far")
    assert "I found no member of your school called “@far”" in leader.last_text
