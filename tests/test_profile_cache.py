"""The caller's profile is kept between chat steps, and a change to the member, the school or its policy is seen on
the very next step."""

from __future__ import annotations

from sqlalchemy import select, text

from bot.people import profile_cache
from bot.people.membership import set_language
from bot.people.schools import set_policy
from storage.models import Member, MemberAccount


async def member_of(db, user) -> Member:
    async with db.transaction() as session:
        return await session.scalar(select(Member).join(MemberAccount, MemberAccount.member_id == Member.id)
                                    .where(MemberAccount.external_id == str(user.id)))


async def test_a_second_step_reads_neither_the_member_nor_the_school(bot, wang):
    await bot.say(wang, "/log")
    await bot.tap(wang, "电话")
    with bot.db.recording_statements() as statements:
        await bot.say(wang, "王小明")
    assert "什么时候" in bot.last_text(wang) or bot.buttons(wang) == ["今天", "昨天"]
    assert not [s for s in statements if "FROM members" in s and "member_accounts" in s]
    assert not [s for s in statements if "FROM schools" in s and "WHERE schools.id" in s]


async def test_a_language_chosen_is_spoken_on_the_next_step(bot, wang):
    await bot.say(wang, "/log")
    assert bot.buttons(wang) == ["家访", "电话", "作业辅导"]
    await bot.say(wang, "/cancel")
    await set_language(bot.db, (await member_of(bot.db, wang)).id, "en")
    await bot.say(wang, "/log")
    assert bot.buttons(wang) == ["Home visit", "Phone call", "Tutoring"]


async def test_a_new_role_gets_its_quotas_on_the_next_step(bot, wang):
    await bot.say(wang, "/mine")
    assert "班主任每学期家访至少10户" not in bot.last_text(wang)
    async with bot.db.transaction() as session:
        member = await session.get(Member, (await member_of(bot.db, wang)).id)
        member.role = "head_teacher"
    await bot.say(wang, "/mine")
    assert "班主任每学期家访至少10户" in bot.last_text(wang)


async def test_a_new_policy_is_followed_on_the_next_step(bot, wang):
    await bot.say(wang, "/log")
    assert bot.buttons(wang) == ["家访", "电话", "作业辅导"]
    await bot.say(wang, "/cancel")
    await set_policy(bot.db, bot.school.school_id, "seed-000")
    await bot.say(wang, "/log")
    assert "家访" in bot.buttons(wang) and "作业辅导" in bot.buttons(wang) and len(bot.buttons(wang)) > 3


async def test_a_change_made_by_another_process_is_seen_once_the_kept_profile_is_old(bot, wang, monkeypatch):
    await bot.say(wang, "/mine")
    async with bot.db.engine.begin() as connection:  # plain SQL, as another process's write looks from here
        await connection.execute(text("UPDATE members SET language = 'en'"))
    await bot.say(wang, "/mine")
    assert "我的任务" in bot.last_text(wang)  # still the kept profile
    later = profile_cache.time.monotonic() + profile_cache.MAX_AGE_SECONDS + 1
    with monkeypatch.context() as clock_moved_on:  # the event loop's clock too: undone before anything waits on it
        clock_moved_on.setattr(profile_cache.time, "monotonic", lambda: later)
        await bot.say(wang, "/mine")
    assert "我的任务" not in bot.last_text(wang)


async def test_a_member_who_leaves_is_a_stranger_on_the_next_step(bot, wang):
    await bot.say(wang, "/mine")
    async with bot.db.transaction() as session:
        member = await session.get(Member, (await member_of(bot.db, wang)).id)
        member.active = False
    await bot.say(wang, "/mine")
    assert "我的任务" not in bot.last_text(wang)
