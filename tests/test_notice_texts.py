"""What reminders, leaderboards and digests say: pure functions over plain data, in both languages."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from bot.i18n import translator
from bot.notifications.digest import DigestFacts, EntryChange, digest_text
from bot.notifications.leaderboard import (
    Contender,
    WeekResults,
    leaderboard_chart,
    leaderboard_text,
    most_improved,
    ranking,
)
from bot.notifications.reminder_text import reminder_reply
from bot.quotas.policy import load_preset
from tests.support.notifications import BEHIND_RULE, PAIRED_RULE, progress

POLICY = load_preset("default")
EN, ZH = translator("en"), translator("zh")


def results(*contenders: Contender) -> WeekResults:
    return WeekResults("2026-W46", contenders, {"home_visit": 5, "tutoring": 2}, {"home_visit": 7})


def test_equal_results_share_a_place_and_members_without_quotas_are_not_ranked():
    week = results(Contender(1, "Li", 0.5, {"tutoring": 1}), Contender(2, "Wang", 1.0, {"home_visit": 2}),
                   Contender(3, "Zhao", 0.5, {"tutoring": 1}), Contender(4, "Sun", 0.25, {}),
                   Contender(5, "Caretaker", None, {"home_visit": 3}))
    assert [(p.place, p.contender.name) for p in ranking(week)] == \
        [(1, "Wang"), (2, "Li"), (2, "Zhao"), (4, "Sun")]


def test_most_improved_and_the_text_options():
    week = results(Contender(1, "Li", 0.5, {"tutoring": 3}, entries_before=0),
                   Contender(2, "Wang", 1.0, {"home_visit": 2}, entries_before=4),
                   Contender(3, "Zhao", 0.75, {"tutoring": 1}, entries_before=1))
    assert [c.name for c in most_improved(week)] == ["Li"]
    full = leaderboard_text(week, POLICY, EN)
    assert "1. Wang — 100% · Home visit 2\n2. Zhao — 75% · Tutoring 1\n3. Li — 50% · Tutoring 3" in full
    assert "Most improved: Li (+3)" in full
    assert full.startswith("🏆 Last week's leaderboard (9 Nov – 15 Nov)")
    assert "School totals: Home visit 5 (−2) · Tutoring 2 (+2)" in full  # no "Phone call 0 (±0)"
    top = leaderboard_text(week, POLICY, EN, top_n=1)
    assert "1. Wang" in top and "Zhao —" not in top and "… and 2 more" in top
    totals = leaderboard_text(week, POLICY, ZH, totals_only=True)
    assert "3 名成员中有 1 名完成了全部任务。" in totals and "全校合计" in totals
    assert not any(name in totals for name in ("Li", "Wang", "Zhao"))


def test_a_huge_ranking_is_cut_to_fit_one_message_and_the_chart_is_a_png():
    week = results(*(Contender(n, f"Teacher number {n:04d}", (n % 100) / 100,
                               {a.code: n % 7 + 1 for a in POLICY.activities}) for n in range(300)))
    text = leaderboard_text(week, POLICY, EN)
    assert len(text) <= 4000 and "more" in text
    chart = leaderboard_chart(week, EN, top_n=10)
    assert chart.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(chart)).size[0] == 1080  # phone-sized, like the report charts
    assert leaderboard_chart(results(Contender(1, "Caretaker", None, {})), EN) is None


def test_a_reminder_names_the_activity_the_numbers_and_the_students_waiting():
    behind = [progress(BEHIND_RULE, done=0, target=2, expected=1, days_left=2),
              progress(PAIRED_RULE, done=1, target=3, expected=2, missing=("王小明", "李雷"))]
    reminder = reminder_reply(behind, POLICY, ZH)
    assert reminder.text.startswith("⏰ 你有 2 项任务落后于进度：")
    assert "作业辅导 · 教师每周作业辅导至少2次\n" \
        "░░░░░░░░░░ 已完成 0 / 2，按进度现在应完成 1，还剩 2 个工作日。" in reminder.text
    assert "电话 · 每月给每名结对学生打电话至少1次\n" \
        "▓▓▓░░░░░░░ 已完成 1 / 3，按进度现在应完成 2，还剩 3 个工作日。\n还在等待：王小明和李雷" in reminder.text
    assert "落后进度" not in reminder.text  # one sentence per quota, not the status and the pace again
    assert [[(choice.label, choice.data) for choice in row] for row in reminder.choices] == \
        [[("📝 作业辅导", "lognow:tutoring")], [("📝 电话", "lognow:phone_call")], [("⏰ 明天再提醒我", "snooze")]]


def test_the_digest_lists_what_a_leader_should_look_at():
    facts = DigestFacts(
        "2026-W47", [("Li Lei", [progress(BEHIND_RULE, done=0, target=2, expected=1)])],
        {"home_visit": 4}, {"home_visit": 2}, [EntryChange("Zhao Min", "delete", "tutoring", dt.date(2026, 11, 17))],
        ["Sun Wu"], ["Qian Yi"], [("王小明", "Li Lei")])
    text = digest_text(facts, POLICY, EN)
    for expected in ("Weekly digest (16 Nov – 22 Nov)", "Home visit 4 (last week 2)", "Li Lei: Teachers tutor at least "
                     "twice a week 0 of 2", "王小明 (paired with Li Lei)", "Zhao Min: Tutoring 17 Nov — deleted",
                     "Never logged anything:\n• Sun Wu", "Blocked me, so they get no reminders:\n• Qian Yi"):
        assert expected in text
    calm = DigestFacts("2026-W47", [], {}, {}, [], [], [], [])
    assert "大家都跟上了进度。🎉" in digest_text(calm, POLICY, ZH)
