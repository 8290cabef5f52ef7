"""Replies that fit a phone: hints, a short /mine, explained targets, dates, times and years (seed-000)."""

from __future__ import annotations

import pytest

from bot.i18n import translator
from bot.logbook.times import parse_time_of_day
from bot.notifications.leaderboard import Contender, WeekResults, leaderboard_text
from bot.notifications.reminder_text import reminder_reply
from bot.quotas.policy import load_preset
from tests.support.notifications import progress

GROUP = -1005550001
SEED_000 = load_preset("seed-000")
EN, ZH = translator("en"), translator("zh")


@pytest.fixture
def school_options():
    return {"policy": "seed-000"}


async def log(bot, user, line: str, save: str) -> None:
    await bot.say(user, f"/log {line}")
    await bot.tap(user, save)


async def test_text_outside_a_conversation_gets_a_hint_in_the_members_language(bot, wang, li):
    await bot.say(wang, "你好")
    assert bot.last_text(wang) == "发送 /log 记一条，/mine 看进度，/help 查看全部。"
    await bot.say(li, "hello?")
    assert bot.last_text(li) == "Send /log to log an activity, /mine to see your progress, /help for everything."
    stranger = bot.fake.user(1099, "Zhou", "Stranger", language_code="en")
    await bot.say(stranger, "hi")
    assert "not a member of a school yet" in bot.last_text(stranger)


async def test_text_in_a_group_gets_no_reply(bot, wang):
    await bot.fake.send(bot.app, bot.fake.group_text(wang, GROUP, "大家好"))
    assert bot.fake.messages_to(GROUP) == []


async def test_mine_on_seed_000_fits_one_phone_screen_with_non_zero_counts_only(bot, wang):
    await log(bot, wang, "家访 王小明 昨天 40分钟 了解学习情况", "✅ 保存")
    await bot.say(wang, "/mine")
    lines = bot.fake.last_to(wang.id).plain_text.splitlines()
    assert len(lines) <= 15
    assert lines[0] == "我的任务"  # the member's own quotas come first
    assert lines[1:3] == ["每人每季度家访不少于4次",
                          "▓▓▓░░░░░░░ 1 / 3（按加入日期折算，全季度为 4），进度正常，还剩 32 个工作日"]
    assert lines[-3:] == ["本周：家访 1", "本月：家访 1", "本季度：家访 1"]
    assert not any(line.endswith((": 0", "：0", " 0")) for line in lines)


async def test_mine_explains_a_prorated_target_in_english(bot, li):
    await bot.say(li, "/mine")
    text = bot.fake.last_to(li.id).plain_text
    assert "At least 4 home visits a quarter\n░░░░░░░░░░ 0 of 3 (prorated from your joining date; 4 for the whole " \
           "quarter), on pace, 32 working days left" in text
    assert "Help at least 1 paired student\n░░░░░░░░░░ 0 of 1, on pace" in text  # not prorated: no note
    assert text.endswith("Nothing logged this quarter yet — send /log to log an activity.")


def week(key: str) -> WeekResults:
    return WeekResults(key, (Contender(1, "王芳", 1.0, {"home_visit": 2}),), {"home_visit": 2}, {})


def test_the_leaderboard_title_shows_the_weeks_dates():
    assert leaderboard_text(week("2026-W48"), SEED_000, ZH).startswith("🏆 上周排行榜（11月23日–11月29日）")
    assert leaderboard_text(week("2026-W48"), SEED_000, EN).startswith("🏆 Last week's leaderboard (23 Nov – 29 Nov)")
    assert "2026年12月28日–2027年1月3日" in leaderboard_text(week("2026-W53"), SEED_000, ZH)


def test_leaderboard_totals_leave_out_activities_nobody_logged():
    text = leaderboard_text(week("2026-W48"), SEED_000, ZH)
    assert text.endswith("全校合计：家访 2 (+2)")
    assert "大下访" not in text and " 0 (" not in text


def test_the_reminder_gives_one_sentence_per_quota_in_both_languages():
    behind = [progress("everyone-home-visit-quarterly", done=1, target=2, expected=2, days_left=12)]
    zh = reminder_reply(behind, SEED_000, ZH).text
    assert zh.splitlines()[2:] == [
        "家访 · 每人每季度家访不少于4次",
        "▓▓▓▓▓░░░░░ 已完成 1 / 2（按加入日期折算，全季度为 4），按进度现在应完成 2，还剩 12 个工作日。"]
    en = reminder_reply(behind, SEED_000, EN).text
    assert en.splitlines()[-1] == "▓▓▓▓▓░░░░░ 1 of 2 (prorated from your joining date; 4 for the whole quarter) " \
                                  "done; pace asks for 2 by now, 12 working days left."


async def test_the_welcome_names_the_schools_own_activities(bot):
    await bot.create_school("第二中学", policy="seed-001")
    teacher = bot.fake.user(1201, "赵老师")
    await bot.join(teacher, "teacher")
    welcome = bot.last_text(teacher)
    assert "每次结对关爱、入户家访或下基层走访之后" in welcome and "作业辅导" not in welcome
    await bot.say(teacher, "/help")
    assert "/log — 记录一次结对关爱、入户家访或下基层走访" in bot.last_text(teacher)


@pytest.mark.parametrize("typed, expected", [
    ("7pm", "19:00"), ("19:00", "19:00"), ("下午7点", "19:00"), ("19点", "19:00"), ("晚上七点", "19:00"),
    ("7:30 pm", "19:30"), ("晚上十点半", "22:30"), ("早上8点", "08:00"), ("12am", "00:00"), ("17:30", "17:30"),
])
def test_times_of_day_as_people_type_them(typed, expected):
    assert parse_time_of_day(typed).strftime("%H:%M") == expected


@pytest.mark.parametrize("typed", ["25:00", "7:75", "soon", "下午15点", "下午7pm", ""])
def test_what_is_not_a_time_of_day(typed):
    with pytest.raises(ValueError):
        parse_time_of_day(typed)


async def test_settings_takes_the_time_forms_the_log_conversation_takes(bot, wang, li):
    await bot.say(li, "/settings 7pm")
    assert bot.last_text(li).startswith("Reminders: every working day at 19:00")
    await bot.say(wang, "/settings 晚上七点半")
    assert bot.last_text(wang).startswith("提醒：落后于进度时，每个工作日 19:30 提醒你。")
    await bot.say(wang, "/settings 下午几点")
    assert "我没看懂这个时间" in bot.last_text(wang)


async def test_a_year_after_report_is_that_years_report(bot, wang, li):
    # seed-000 counts the school year from 1 September: 2025 is the school year that began then.
    await bot.say(li, "/report 2025")
    shown = "\n".join(m.content or "" for m in bot.fake.messages_to(li.id)[-3:])
    assert "School year 2025–2026" in shown and "1 Sep 2025 – 31 Aug 2026" in shown and "no member" not in shown
    await bot.say(wang, "/report 2025年")
    shown = "\n".join(m.content or "" for m in bot.fake.messages_to(wang.id)[-3:])
    assert "2025–2026学年" in shown
    await bot.say(li, "/report 2030")
    assert "no such period" in bot.last_text(li)
