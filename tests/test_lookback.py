"""/mine, /history, /undo and /settings: a member looking back, in both languages."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Entry, EntryAudit


async def log(bot, user, line: str) -> None:
    await bot.say(user, f"/log {line}")
    if bot.buttons(user) == ["Skip"]:
        await bot.tap(user, "Skip")
    await bot.tap(user, "✅ Save")


async def test_mine_counts_this_week_month_and_quarter_by_activity(bot, li):
    await log(bot, li, "visit Wang today 30")
    await log(bot, li, "visit Zhao 2 days ago 30")     # Monday: same week
    await log(bot, li, "call Wang 11月10号 10")         # last week, this month
    await log(bot, li, "tutoring Sun 2026-10-20 45")   # last month, this quarter
    await bot.say(li, "/mine")
    lines = bot.fake.last_to(li.id).plain_text.splitlines()
    assert lines[-3:] == ["This week: Home visit 2",  # activities with none are left out
                          "This month: Home visit 2 · Phone call 1",
                          "This quarter: Home visit 2 · Phone call 1 · Tutoring 1"]


async def test_history_lists_the_last_ten_entries_newest_first(bot, li):
    for day in range(1, 13):
        await log(bot, li, f"call Family{day} 2026-11-{day:02d} 10")
    await bot.say(li, "/history")
    lines = bot.last_text(li).splitlines()
    assert lines[0] == "Your last 10 entries:"
    assert "Family12" in lines[1] and "Family3" in lines[10] and "Family2" not in bot.last_text(li)


async def test_history_when_nothing_was_logged(bot, li):
    await bot.say(li, "/history")
    assert "not logged anything yet" in bot.last_text(li)


async def test_undo_removes_the_last_entry_after_confirmation_and_audits_it(bot, li):
    await log(bot, li, "visit Wang today 30")
    await log(bot, li, "call Zhao today 10")
    await bot.say(li, "/undo")
    assert "Remove this entry?" in bot.last_text(li) and "Zhao" in bot.last_text(li)
    await bot.tap(li, "Yes, remove it")
    assert "Removed" in bot.last_text(li)
    async with bot.db.transaction() as session:
        entries = list(await session.scalars(select(Entry).order_by(Entry.id)))
        audit = await session.scalar(select(EntryAudit).where(EntryAudit.action == "delete"))
    assert [e.deleted_at is None for e in entries] == [True, False]
    assert audit.before["student"] == "Zhao" and audit.actor_member_id == entries[1].member_id
    await bot.say(li, "/history")
    assert "Zhao" not in bot.last_text(li) and "Wang" in bot.last_text(li)


async def test_undo_can_be_declined(bot, li):
    await log(bot, li, "visit Wang today 30")
    await bot.say(li, "/undo")
    await bot.tap(li, "No, keep it")
    assert "Nothing was removed" in bot.last_text(li)
    async with bot.db.transaction() as session:
        assert (await session.scalar(select(Entry))).deleted_at is None


async def test_undo_refuses_entries_logged_more_than_a_day_ago(bot, li):
    await log(bot, li, "visit Wang today 30")
    bot.clock.advance(hours=25)
    await bot.say(li, "/undo")
    assert "nothing to undo" in bot.last_text(li)


async def test_settings_switches_the_language(bot, li):
    await bot.say(li, "/settings")
    assert "Language: English" in bot.last_text(li)
    await bot.tap(li, "中文")
    assert "中文" in bot.last_text(li)
    assert bot.fake.last_to(li.id).reply_keyboard == [["📝 记录", "📊 我的进度"]]
    await bot.say(li, "/log")
    assert "你做了什么" in bot.last_text(li)
    await bot.say(li, "/cancel")


async def test_the_language_defaults_to_telegram_then_to_the_school(bot):
    french = bot.fake.user(1003, "Marie", "Curie", language_code="fr")
    await bot.join(french, "teacher")
    assert "欢迎" in bot.last_text(french)  # French is not offered: the school's Chinese it is


async def test_log_in_a_group_points_to_the_private_chat(bot, li):
    await bot.fake.send(bot.app, bot.fake.group_text(li, -100123, "/log"))
    assert "private chat" in bot.fake.last_to(-100123).text


async def test_mine_shows_each_quota_with_a_bar_and_the_pace(bot, li):
    await log(bot, li, "visit Wang today 30")
    await bot.say(li, "/mine")
    text = bot.fake.last_to(li.id).plain_text
    assert "Your quotas" in text
    assert "At least 1 home visit a month\n▓▓▓▓▓▓▓▓▓▓ 1 of 1, done ✅" in text
    # Joined on Wednesday: two tutoring sessions are prorated over the three working days left.
    assert "Teachers tutor at least twice a week\n░░░░░░░░░░ 0 of 2, on pace, 3 working days left" in text
    assert "paired student" not in text  # nobody is paired with this teacher


async def test_mine_says_how_far_behind_pace_a_member_is(bot, li):
    bot.clock.advance(days=2)  # Friday 17:30: two of the three working days are over
    await bot.say(li, "/mine")
    assert "0 of 2, 1 behind pace, 1 working day left" in bot.fake.last_to(li.id).plain_text


async def test_mine_in_chinese(bot):
    wang = bot.fake.user(1001, "王芳")
    await bot.join(wang, "teacher")
    await bot.say(wang, "/mine")
    text = bot.fake.last_to(wang.id).plain_text
    assert "每月家访至少1次\n░░░░░░░░░░ 0 / 1，进度正常，还剩 9 个工作日" in text
    assert text.startswith("我的任务\n") and text.endswith("\n\n本季度还没有记录，发送 /log 记一条。")
