"""/log for an activity that asks for a place: the member's assigned places are offered as buttons."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.people.assignments import add_assignment
from storage.models import Entry


@pytest.fixture
def school_options() -> dict:
    return {"policy": "seed-003"}


async def test_a_contact_point_visit_offers_the_leaders_points_and_stores_the_one_tapped(bot):
    leader = bot.fake.user(1001, "刘校长", language_code="zh-hans")
    await bot.join(leader, "leader")
    await add_assignment(bot.db, 1, "刘校长", "contact_point", "城关中学", head="张主任")
    await add_assignment(bot.db, 1, "刘校长", "contact_point", "实验小学")
    await bot.say(leader, "/log")
    await bot.tap(leader, "到联系点")
    assert "在哪里" in bot.last_text(leader) and bot.buttons(leader) == ["城关中学", "实验小学"]
    await bot.tap(leader, "实验小学")
    await bot.tap(leader, "不，独自一人")
    await bot.tap(leader, "今天")
    await bot.tap(leader, "跳过")
    await bot.tap(leader, bot.buttons(leader)[0])  # no problems raised
    assert "📍 实验小学" in bot.last_text(leader)
    await bot.tap(leader, "✅ 保存")
    async with bot.db.transaction() as session:
        [entry] = list(await session.scalars(select(Entry)))
    assert (entry.activity_code, entry.place_name, entry.occurred_on) == (
        "contact_visit", "实验小学", dt.date(2026, 11, 18))
    assert bot.errors() == []


async def test_a_member_without_places_types_where_it_was(bot):
    leader = bot.fake.user(1001, "刘校长", language_code="zh-hans")
    await bot.join(leader, "leader")
    await bot.say(leader, "/log")
    await bot.tap(leader, "到联系点")
    assert "请输入" in bot.last_text(leader) and bot.buttons(leader) == []
    await bot.say(leader, "  城关  中学 ")
    assert "同事" in bot.last_text(leader)
    await bot.tap(leader, "不，独自一人")
    await bot.tap(leader, "今天")
    await bot.tap(leader, "跳过")
    await bot.tap(leader, bot.buttons(leader)[0])
    assert "📍 城关 中学" in bot.last_text(leader)
