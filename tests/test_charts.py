"""Charts: valid PNGs 1080 px wide, Chinese drawn with no missing glyph, in both languages."""

from __future__ import annotations

import datetime as dt
import io
import warnings

import pytest
from PIL import Image

from bot import charts
from bot.i18n import translator
from bot.policy.sources import load_policy_source
from bot.problems import ProblemCounts
from bot.report_charts import personal_charts, school_charts
from bot.reports import MemberReport, PersonalReport, QuotaShare, SchoolReport, report_window, trend_weeks, \
    weekly_trend

POLICY = load_policy_source("default")[2]
TODAY = dt.date(2026, 11, 18)
NAMES = ("王芳", "Li Lei", "欧阳娜娜", "Zhang Wei", "陈校长", "赵老师", "Maria García-López", "孙悟空")


@pytest.fixture(autouse=True)
def missing_glyphs_fail():
    """matplotlib warns "Glyph … missing from font(s)" when a character cannot be drawn: make that an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def png_size(data: bytes, path) -> tuple[int, int]:
    """Write the chart to `path` and open it again with PIL, which checks it is a whole PNG."""
    path.write_bytes(data)
    assert path.exists() and data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.format == "PNG"
        return image.size


def member(index: int, name: str) -> MemberReport:
    quotas = (QuotaShare("everyone-home-visit-monthly", index % 2, index % 2, 1),
              QuotaShare("teacher-tutoring-weekly", index % 3, min(index % 3, 2), 2))
    return MemberReport(index, name, "teacher", {"home_visit": index % 2, "tutoring": index % 3}, quotas)


def school() -> SchoolReport:
    window = report_window("term", False, TODAY, POLICY)
    weeks = trend_weeks(window.as_of)
    daily = {(monday + dt.timedelta(days=i % 5), code): i % 4 + 1
             for i, monday in enumerate(weeks) for code in ("home_visit", "tutoring")}
    trend = weekly_trend(daily, weeks, [a.code for a in POLICY.activities])
    members = tuple(member(i, NAMES[i % len(NAMES)] + (str(i) if i >= len(NAMES) else "")) for i in range(24))
    return SchoolReport(1, "合川中学", POLICY, window, members, {"home_visit": 12, "tutoring": 24}, trend,
                        ProblemCounts(1, 2, 3))


def test_bars_and_trend_are_phone_sized_pngs_with_chinese_labels(tmp_path):
    bars = [charts.Bar(name, share, f"{round(share * 100)}%") for name, share in zip(NAMES, (1, .8, .5, .3, 0, 1, .1, .9))]
    size = png_size(charts.bar_chart("本周任务完成度 · 合川中学", bars, maximum=1.0), tmp_path / "bars.png")
    assert size[0] == charts.WIDTH_PX and 500 < size[1] < 1000
    weeks = trend_weeks(TODAY)
    lines = {"家访": [1, 3, 2, 5, 4, 6, 3, 2, 4, 5], "作业辅导": [0] * 10, "电话": [2] * 10}
    size = png_size(charts.trend_chart("每周记录数（近 10 周）", weeks, lines), tmp_path / "trend.png")
    assert size == (1080, 860)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_school_report_comes_with_a_ranking_and_a_trend(tmp_path, language):
    report, t = school(), translator(language)
    pictures = school_charts(report, t, limit=20)
    assert len(pictures) == 2
    ranking, trend = (png_size(p, tmp_path / f"{n}.png") for n, p in zip(("ranking", "trend"), pictures))
    assert ranking[0] == trend[0] == 1080
    assert ranking[1] == 20 * charts.BAR_HEIGHT_PX + 220  # capped at the shown places


@pytest.mark.parametrize("language", ["zh", "en"])
def test_activity_and_totals_only_charts(tmp_path, language):
    report, t = school(), translator(language)
    assert len(school_charts(report, t, activity="home_visit", limit=5)) == 2
    only_trend = school_charts(report, t, limit=20, totals_only=True)
    assert len(only_trend) == 1 and png_size(only_trend[0], tmp_path / "trend.png") == (1080, 860)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_member_report_charts_each_quota_and_the_trend(tmp_path, language):
    report = school()
    personal = PersonalReport(1, "合川中学", POLICY, report.window, report.members[3], report.trend)
    pictures = personal_charts(personal, translator(language))
    assert [png_size(p, tmp_path / f"{i}.png")[0] for i, p in enumerate(pictures)] == [1080, 1080]


def test_characters_no_font_has_are_left_out_and_long_labels_cut():
    assert charts.drawable("王\ue000芳") == "王芳"  # a private-use character: no glyph anywhere
    assert charts.fit_label("At least 1 home visit a month, every month") == "At least 1 home\nvisit a month, ever…"
    assert charts.fit_label("每月给每名结对学生打电话至少1次") == "每月给每名结对学生打\n电话至少1次"
    assert charts.cjk_font_path().is_file()
    charts.bar_chart("\ue000", [charts.Bar("\ue001王芳", 1, "100%")], maximum=1)  # no warning either


def test_without_the_cjk_font_matplotlib_would_warn():
    """The check above is real: DejaVu Sans alone has no 家, and matplotlib says so."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure()
    FigureCanvasAgg(figure)
    figure.text(0.5, 0.5, "家访", family="DejaVu Sans")
    with pytest.raises(UserWarning, match="missing from font"):
        figure.savefig(io.BytesIO(), format="png")
