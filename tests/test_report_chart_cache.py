"""A report's pictures are drawn once for the same data: a second /report with nothing new is not redrawn, and a
new entry is."""

from __future__ import annotations

import pytest

from bot.i18n import translator
from bot.people.schools import policy_of
from bot.reporting import report_charts
from bot.reporting.report_charts import school_charts
from bot.reporting.report_text import RANKING_LIMIT
from bot.reporting.reports import report_window, school_report
from storage.models import School


@pytest.fixture(autouse=True)
def no_pictures_kept():
    """Pictures are keyed by their data, so the same test on the other backend would find them drawn."""
    report_charts.forget()


async def term_charts(bot) -> list[bytes]:
    async with bot.db.transaction() as session:
        policy = policy_of(await session.get(School, bot.school.school_id))
    window = report_window("term", False, bot.clock.now().date(), policy)
    report = await school_report(bot.db, bot.school.school_id, window)
    return school_charts(report, translator("zh"), limit=RANKING_LIMIT)


async def log_visit(bot, user, student: str) -> None:
    await bot.say(user, f"/log 家访 {student} 今天 30分钟")
    await bot.tap(user, "✅ 保存")
    assert "已保存" in bot.last_text(user)


async def test_the_same_report_again_is_not_redrawn(bot, wang):
    await log_visit(bot, wang, "王小明")
    first = await term_charts(bot)
    drawn = report_charts.drawings()
    again = await term_charts(bot)
    assert again == first
    assert report_charts.drawings() == drawn


async def test_a_new_entry_redraws_the_charts_it_changes(bot, wang):
    await log_visit(bot, wang, "王小明")
    ranking, trend = await term_charts(bot)
    drawn = report_charts.drawings()
    await log_visit(bot, wang, "李雷")
    new_ranking, new_trend = await term_charts(bot)
    assert new_trend != trend  # one more visit this week
    assert report_charts.drawings() > drawn
    assert len(new_ranking) > 0 and new_ranking[:8] == b"\x89PNG\r\n\x1a\n"
