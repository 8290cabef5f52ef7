"""Joining a school with /start CODE through the chat core, in both languages."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.chat.engine_builder import build_engine
from bot.chat.keyboard import main_keyboard
from bot.i18n import translator
from storage import repository as repo
from storage.models import Member


async def member_of(chat, driver) -> Member | None:
    async with chat.db.transaction() as session:
        return await repo.member_by_account(session, driver.platform, driver.user_id)


async def member_count(chat) -> int:
    async with chat.db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(Member))


async def test_a_full_name_joins_at_once_with_the_log_keyboard_in_english(chat):
    li = chat.person(language_code="en", display_name="Li Lei")
    outcome = await chat.join(li, "head_teacher")
    [welcome] = outcome.replies
    assert welcome.text.startswith("Welcome, Li Lei! You have joined 合川中学 as head teacher.")
    assert welcome.keyboard == ("📝 Log", "📊 My progress")
    member = await member_of(chat, li)
    assert member is not None and (member.display_name, member.role, member.language) == ("Li Lei", "head_teacher",
                                                                                           None)


async def test_a_name_is_asked_for_when_the_app_gives_none_in_chinese(chat):
    newcomer = chat.person(language_code="zh-hans")
    await chat.join(newcomer)
    assert newcomer.last_text.startswith("你将作为教师加入合川中学。请输入你的姓名")
    assert await member_count(chat) == 0
    await newcomer.send("🙂")
    assert newcomer.last_text == "请输入你的姓名（文字，最多 40 个字符）。"
    await newcomer.upload("photo.jpg", b"\xff\xd8")
    assert newcomer.last_text == "请输入你的姓名，或发送 /cancel 取消。"
    await newcomer.send("王芳")
    assert "欢迎" in newcomer.last_text and "合川中学" in newcomer.last_text
    assert newcomer.replies[-1].keyboard == main_keyboard(translator("zh"))
    member = await member_of(chat, newcomer)
    assert member is not None and member.display_name == "王芳"


async def test_the_name_question_survives_as_the_saved_step(chat):
    newcomer = chat.person(language_code="en", display_name="Lee")
    await chat.join(newcomer)
    assert "full name" in newcomer.last_text
    newcomer.engine = build_engine(chat.core)  # a restarted bot knows only what was saved
    await newcomer.send("Li Lei")
    assert newcomer.last_text.startswith("Welcome, Li Lei!")


async def test_cancel_while_asked_for_a_name_joins_nobody(chat):
    newcomer = chat.person(language_code="en")
    await chat.join(newcomer)
    await newcomer.send("/cancel")
    assert newcomer.last_text == "Cancelled. Open the invite link again whenever you are ready."
    await newcomer.send("Li Lei")
    assert "not a member of a school yet" in newcomer.last_text
    assert await member_count(chat) == 0


async def test_start_without_a_code_and_with_a_bad_code(chat):
    stranger = chat.person(language_code="en")
    await stranger.send("/start")
    assert "To join, open the invite link" in stranger.last_text
    await stranger.send("/start nosuchcode")
    assert stranger.last_text.startswith("I don't know this invite code.")
    zh = chat.person(language_code="zh")
    await zh.send("/start nosuchcode")
    assert zh.last_text.startswith("这个邀请码无效")


async def test_an_invite_used_up_meanwhile_is_refused_after_the_name(chat):
    code = await chat.invite()
    first, second = chat.person(language_code="en"), chat.person(language_code="en", display_name="Zhao Min")
    await first.send(f"/start {code}")
    await second.send(f"/start {code}")
    assert second.last_text.startswith("Welcome, Zhao Min!")
    await first.send("Li Lei")
    assert first.last_text == "This invite has already been used. Ask your school's leader for a new one."
    assert await member_count(chat) == 1


async def test_a_member_starting_again_stays_one_member(chat):
    wang = chat.person(language_code="zh", display_name="王芳")
    await chat.join(wang)
    await chat.join(wang, "leader")
    assert wang.last_text == "你已经是合川中学的教师了。发送 /log 记录一次活动。"
    assert wang.replies[-1].keyboard == ("📝 记录", "📊 我的进度")
    assert await member_count(chat) == 1


async def test_the_join_helper_makes_a_member_who_can_use_the_bot(chat):
    li = chat.person(language_code="en", display_name="Li Lei")
    await chat.join(li, "leader")
    await li.send("/help")
    assert "For leaders:" in li.last_text


async def test_a_personal_invite_binds_the_pre_registered_member_once(chat):
    from bot.people.schools import create_invite

    async with chat.db.transaction() as session:
        await repo.add(session, Member(school_id=chat.school.school_id, role="head_teacher", display_name="赵敏",
                                       joined_on=chat.clock.now().date()))
    invite = await create_invite(chat.db, chat.school.school_id, None, member="赵敏", now=chat.clock.now())
    zhao = chat.person(language_code="zh", display_name="Min")
    await zhao.send(f"/start {invite.code}")
    await zhao.send("赵敏老师")  # the roster's name and role are kept
    assert zhao.last_text.startswith("欢迎你，赵敏！你已作为班主任加入合川中学。")
    assert (await member_of(chat, zhao)).display_name == "赵敏"
    other = chat.person(language_code="en", display_name="Zhao Min")
    await other.send(f"/start {invite.code}")
    assert other.last_text == "This invite has already been used. Ask your school's leader for a new one."
    assert await member_count(chat) == 1
