"""Charts: valid PNGs 1080 px wide, Chinese drawn with no missing glyph, in both languages."""

from __future__ import annotations

import datetime as dt
import io
import warnings
from functools import lru_cache

import pytest
from PIL import Image

from bot.i18n import translator
from bot.logbook.problems import ProblemCounts
from bot.notifications.leaderboard import Contender, WeekResults, leaderboard_chart
from bot.quotas.policy.sources import load_policy_source
from bot.reporting import charts, report_charts
from bot.reporting.report_charts import personal_charts, school_charts
from bot.reporting.reports import (
    MemberReport,
    PersonalReport,
    QuotaShare,
    SchoolReport,
    report_window,
    trend_weeks,
    weekly_trend,
)

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
    bars = [charts.Bar(name, share, f"{round(share * 100)}%")
            for name, share in zip(NAMES, (1, .8, .5, .3, 0, 1, .1, .9), strict=True)]
    size = png_size(charts.bar_chart("本周任务完成度 · 合川中学", bars, maximum=1.0), tmp_path / "bars.png")
    assert size[0] == charts.WIDTH_PX and 500 < size[1] < 1000
    weeks = trend_weeks(TODAY)
    lines = {"家访": [1, 3, 2, 5, 4, 6, 3, 2, 4, 5], "作业辅导": [0] * 10, "电话": [2] * 10}
    size = png_size(charts.trend_chart("每周记录数（近 10 周）", weeks, lines), tmp_path / "trend.png")
    assert size[0] == 1080 and 700 < size[1] < 900


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_school_report_comes_with_a_ranking_and_a_trend(tmp_path, language):
    report, t = school(), translator(language)
    pictures = school_charts(report, t, limit=20)
    assert len(pictures) == 2
    ranking, trend = (png_size(p, tmp_path / f"{n}.png") for n, p in zip(("ranking", "trend"), pictures, strict=True))
    assert ranking[0] == trend[0] == 1080
    assert ranking[1] == 20 * charts.BAR_HEIGHT_PX + 220  # capped at the shown places


@pytest.mark.parametrize("language", ["zh", "en"])
def test_activity_and_totals_only_charts(tmp_path, language):
    report, t = school(), translator(language)
    assert len(school_charts(report, t, activity="home_visit", limit=5)) == 2
    only_trend = school_charts(report, t, limit=20, totals_only=True)
    assert len(only_trend) == 1 and png_size(only_trend[0], tmp_path / "trend.png")[0] == 1080


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


# --- geometry: every chart, both languages, long names -------------------------------------------

SEED_000 = load_policy_source("seed-000")[2]
LONG_NAMES = ("Maria García-López de la Cruz Fernández", "欧阳娜娜娜娜娜娜娜娜娜娜娜娜", "Li Lei", "王芳")


@lru_cache(maxsize=2)
def figures_of_every_chart(language: str) -> tuple:
    """Every figure the bot's chart functions turn into PNGs (drawn once per language for the tests below)."""
    drawn: list = []
    to_png = charts.png

    def keep(figure):
        drawn.append(figure)
        return to_png(figure)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "png", keep)
        # Every figure is wanted here, also those a report would take from the pictures already drawn.
        patch.setattr(report_charts, "bar_chart", charts.bar_chart)
        patch.setattr(report_charts, "trend_chart", charts.trend_chart)
        every_chart(translator(language))
    return tuple(drawn)


def long_named_school() -> SchoolReport:
    window = report_window("term", False, TODAY, SEED_000)
    weeks = trend_weeks(window.as_of)
    codes = [a.code for a in SEED_000.activities]
    daily = {(monday, code): (i + n) % 3 + 1 for i, monday in enumerate(weeks) for n, code in enumerate(codes[:-1])}
    trend = weekly_trend(daily, weeks, codes)  # the last activity (专题讲座) has no entries at all
    members = tuple(MemberReport(i, name, "teacher", {"home_visit": i + 1},
                                 tuple(QuotaShare(rule.id, i % 3, i % 3, 2) for rule in SEED_000.rules))
                    for i, name in enumerate(LONG_NAMES))
    return SchoolReport(1, "合川中学附属实验学校（高中部）", SEED_000, window, members, {"home_visit": 10}, trend,
                        ProblemCounts(0, 0, 0))


def every_chart(t) -> None:
    """Draw each chart the bot sends: the school's ranking and trend, one activity, a member's, the leaderboard."""
    report = long_named_school()
    school_charts(report, t, limit=20)
    school_charts(report, t, activity="home_visit", limit=20)
    personal_charts(PersonalReport(1, report.school_name, SEED_000, report.window, report.members[0], report.trend), t)
    contenders = tuple(Contender(m.member_id, m.display_name, 0.5, m.counts) for m in report.members)
    leaderboard_chart(WeekResults("2026-W46", contenders, {}, {}), t)


def drawn_texts(figure) -> list:
    """The texts a reader sees: titles, tick labels of the ticks in view, values on bars, legends."""
    texts = [*figure.texts, *(legend.get_texts() for legend in figure.legends)]
    for axes in figure.axes:
        texts += [axes.title, *axes.texts]
        for axis in (axes.xaxis, axes.yaxis):
            low, high = sorted(axis.get_view_interval())
            texts += [label for at, label in zip(axis.get_majorticklocs(), axis.get_ticklabels(), strict=True)
                      if low <= at <= high]  # matplotlib keeps labels for ticks out of view, undrawn
    flat = []
    for item in texts:
        flat += item if isinstance(item, list) else [item]
    if figure._suptitle is not None:
        flat.append(figure._suptitle)
    return [text for text in flat if text.get_visible() and text.get_text().strip()]


def texts_outside(figure) -> list[str]:
    renderer = figure.canvas.get_renderer()
    box = figure.bbox
    outside = []
    for text in drawn_texts(figure):
        extent = text.get_window_extent(renderer)
        if extent.x0 < box.x0 - 1 or extent.y0 < box.y0 - 1 or extent.x1 > box.x1 + 1 or extent.y1 > box.y1 + 1:
            outside.append(text.get_text())
    return outside


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_chart_keeps_every_text_inside_the_picture(language):
    figures = figures_of_every_chart(language)
    assert len(figures) == 7  # ranking, trend; activity ranking, trend; quotas, trend; leaderboard
    assert {repr(f): texts_outside(f) for f in figures} == {repr(f): [] for f in figures}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_trend_lines_each_have_their_own_colour_and_empty_ones_are_dropped(language):
    trend = figures_of_every_chart(language)[1]
    lines = [line for line in trend.axes[0].get_lines() if not line.get_label().startswith("_")]
    colours = [line.get_color() for line in lines]
    assert len(lines) == len(SEED_000.activities) - 1 and len(set(colours)) == len(colours)
    legend = [text.get_text() for text in trend.legends[0].get_texts()]
    assert SEED_000.activity("lecture").label(language) not in legend  # no entries: no line, no legend space
    assert SEED_000.activity("home_visit").label(language) in legend


def test_no_gap_is_left_under_the_trend_chart():
    trend = figures_of_every_chart("en")[1]
    renderer = trend.canvas.get_renderer()
    lowest = min(text.get_window_extent(renderer).y0 for text in trend.legends[0].get_texts())
    assert lowest < 40  # pixels from the bottom edge: the legend sits at the bottom, nothing empty below


def test_beyond_the_palette_the_smallest_series_are_summed_as_other():
    series = {f"activity {n}": [n, 1] for n in range(1, 15)} | {"nothing": [0, 0]}
    shown = charts.shown_series(series, "other")
    assert len(shown) == len(charts.COLOURS) and ("nothing", [0, 0]) not in shown
    assert shown[-1] == ("other", [1 + 2 + 3, 3])  # activities 1–3, the smallest
    assert len(set(charts.COLOURS)) == len(charts.COLOURS)


def test_quota_labels_wrap_at_phrase_boundaries():
    assert charts.fit_label("每人每季度家访不少于4次") == "每人每季度家访\n不少于4次"
    assert charts.fit_label("每月给每名帮扶对象打一次电话", 24, 3) == "每月给\n每名帮扶对象打一次电话"
    assert charts.fit_label("At least 4 home visits a quarter") == "At least 4 home\nvisits a quarter"
