"""Joining a school: invites from the CLI services, /start on Telegram, and every way it can go wrong."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from bot.people.schools import create_invite
from bot.platform_names import TELEGRAM
from storage import repository as repo
from storage.models import Invite, Member
from tests.support.accounts import account_ids, member_of_account


async def member_count(db) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(Member))


async def test_a_teacher_joins_with_an_invite_and_gets_the_log_keyboard(bot):
    wang = bot.fake.user(1001, "王芳", language_code="zh-hans")
    await bot.join(wang, "teacher")
    message = bot.fake.last_to(wang.id)
    assert "欢迎" in message.text and "合川中学" in message.text and "教师" in message.text
    assert message.reply_keyboard == [["📝 记录", "📊 我的进度"]]
    async with bot.db.transaction() as session:
        member = await session.scalar(select(Member))
    assert (member.display_name, member.role) == ("王芳", "teacher")
    assert await account_ids(bot.db, member.id) == ["1001"]
    assert member.joined_on == dt.date(2026, 11, 18)


async def test_joining_gives_the_member_their_telegram_account_used_now(bot):
    wang = bot.fake.user(1001, "王芳")
    await bot.join(wang, "teacher")
    async with bot.db.transaction() as session:
        member = await repo.member_by_account(session, TELEGRAM, "1001")
        accounts = await repo.accounts_of(session, member.id)
    assert member.display_name == "王芳"
    assert [(a.platform, a.external_id, a.last_used_at) for a in accounts] == [("telegram", "1001", bot.clock.now())]


async def test_each_message_marks_the_telegram_account_as_the_one_used_last(bot):
    wang = bot.fake.user(1001, "王芳")
    await bot.join(wang, "teacher")
    bot.clock.advance(hours=2)
    await bot.say(wang, "/help")
    async with bot.db.transaction() as session:
        member = await repo.member_by_account(session, TELEGRAM, "1001")
        accounts = await repo.accounts_of(session, member.id)
    assert [a.last_used_at for a in accounts] == [bot.clock.now()]


async def test_a_second_start_never_makes_a_second_member(bot):
    wang = bot.fake.user(1001, "王芳")
    await bot.join(wang, "teacher")
    await bot.say(wang, f"/start {await bot.invite('leader')}")
    await bot.say(wang, "/start")
    assert await member_count(bot.db) == 1
    assert "已经是" in bot.last_text(wang)


async def test_a_nickname_is_not_enough_so_the_bot_asks_for_a_full_name(bot):
    lee = bot.fake.user(1002, "Lee", language_code="en")
    await bot.say(lee, f"/start {await bot.invite('head_teacher')}")
    assert "full name" in bot.last_text(lee)
    assert await member_count(bot.db) == 0
    await bot.say(lee, "🙂")
    assert "Please type your name" in bot.last_text(lee)
    await bot.say(lee, "Li Lei")
    assert "Welcome, Li Lei" in bot.last_text(lee) and "head teacher" in bot.last_text(lee)
    assert await member_count(bot.db) == 1


@pytest.mark.parametrize("problem, expected", [
    ("unknown", "don't know this invite code"),
    ("expired", "has expired"),
    ("used_up", "already been used"),
])
async def test_bad_invites_get_a_clear_answer(bot, problem, expected):
    user = bot.fake.user(1003, "Zhang", "Wei", language_code="en")
    if problem == "unknown":
        code = "no-such-code"
    elif problem == "expired":
        invite = await create_invite(bot.db, bot.school.school_id, "teacher", expires_in=dt.timedelta(days=1),
                                     now=bot.clock.now() - dt.timedelta(days=2))
        code = invite.code
    else:
        code = await bot.invite("teacher", uses=1)
        await bot.say(bot.fake.user(1004, "Chen", "Jing"), f"/start {code}")
    await bot.say(user, f"/start {code}")
    assert expected in bot.last_text(user)
    assert await member_of_account(bot.db, user.id) is None


async def test_an_invite_for_several_people_counts_its_uses(bot):
    code = await bot.invite("teacher", uses=2)
    for user_id, first, last in [(2001, "Zhao", "Min"), (2002, "Sun", "Li"), (2003, "Zhou", "Yan")]:
        await bot.say(bot.fake.user(user_id, first, last, language_code="en"), f"/start {code}")
    assert await member_count(bot.db) == 2
    assert "already been used" in bot.fake.last_to(2003).text
    async with bot.db.transaction() as session:
        assert (await session.scalar(select(Invite).where(Invite.code == code))).uses == 2


async def test_a_stranger_who_types_log_is_told_how_to_join(bot):
    stranger = bot.fake.user(3001, "Stranger", language_code="en")
    await bot.say(stranger, "/log")
    assert "invite" in bot.last_text(stranger)
    await bot.say(stranger, "/mine")
    assert "invite" in bot.last_text(stranger)


async def test_start_without_a_code_explains_invites(bot):
    stranger = bot.fake.user(3002, "陌生人")
    await bot.say(stranger, "/start")
    assert "邀请" in bot.last_text(stranger)


async def test_help_lists_what_a_teacher_can_do_and_more_for_leaders(bot):
    li = bot.fake.user(1002, "Li", "Lei", language_code="en")
    await bot.join(li, "teacher")
    await bot.say(li, "/help")
    teacher_help = bot.last_text(li)
    assert all(command in teacher_help for command in ("/log", "/mine", "/report", "/undo", "/away", "/settings"))
    assert "/export" not in teacher_help
    boss = bot.fake.user(1005, "Zhou", "Min", language_code="en")
    await bot.join(boss, "leader")
    await bot.say(boss, "/help")
    assert "/export" in bot.last_text(boss) and "/link" in bot.last_text(boss)
