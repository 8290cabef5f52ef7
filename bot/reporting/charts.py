"""Charts as PNG bytes, drawn with matplotlib for reading on a phone: 1080 px wide, large type.

Two kinds: horizontal bars (people or quotas on the axis, a value on each bar)
and a weekly trend (entries per week, one line per activity that has any, each
in its own colour; beyond the palette the smallest are summed as "other").
Labels wrap at spaces and, in Chinese, at phrase boundaries (before 不少于,
至少, 每 … and after punctuation). Layout is matplotlib's constrained layout,
so titles, tick labels and the legend stay inside the picture and no space is
left empty under the axis; `bar_figure` and `trend_figure` return the laid-out
figure for tests to measure.

matplotlib is imported on the first chart, not when the bot starts, and draws
with the Agg backend through `Figure` objects (no pyplot, no GUI, no global
figure state). Chinese needs a CJK font: the ``cvttf-notosanscjk-regular``
package ships Noto Sans CJK (its traditional-Chinese cut, which covers the
simplified characters too); it is registered with matplotlib once, with
DejaVu Sans behind it for whatever else. Characters neither font has (emoji in
a name) are left out rather than drawn as boxes. Drawing is serialized by a
lock, so charts can be drawn in worker threads.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_PX = 1080
DPI = 100
FONT_SIZE = 22
TITLE_SIZE = 28
BAR_HEIGHT_PX = 76
LABEL_COLUMNS = 20
LABEL_LINES = 2
TITLE_COLUMNS = 52
#: Distinct colours for the trend's lines (matplotlib's tab10 and two more); the first is the bars'.
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#000000", "#ffd700")
#: Where a Chinese label may break: after punctuation, and before the words that start a quota's amount.
_PHRASE_BREAK = re.compile(r"(?<=[，、；：。）」”])|(?=不少于|不超过|至少|最多|每[人天周月季年学名次])")
FALLBACK_FONT = "DejaVu Sans"
CJK_FONT_PACKAGE = "cvttf_NotoSansCJK_Regular"
CJK_FONT_FILE = "NotoSansCJKtc-Regular.otf"

_drawing = threading.Lock()


@dataclass(frozen=True)
class Bar:
    """One bar: its label on the axis, its length, and the text written after it."""

    label: str
    value: float
    shown: str


def cjk_font_path() -> Path:
    """Where the CJK font file is installed (inside the ``cvttf-notosanscjk-regular`` package)."""
    spec = importlib.util.find_spec(CJK_FONT_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError("the CJK font is missing: pip install cvttf-notosanscjk-regular==1.0")
    return Path(spec.origin).parent / CJK_FONT_FILE


@lru_cache(maxsize=1)
def _fonts() -> tuple[list[str], frozenset[int]]:
    """Register the CJK font with matplotlib (once); the font family list and the characters it can draw."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = str(cjk_font_path())
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    fallback = font_manager.findfont(FALLBACK_FONT, fallback_to_default=True)
    drawable = frozenset(FT2Font(path).get_charmap()) | frozenset(FT2Font(fallback).get_charmap())
    return [name, FALLBACK_FONT], drawable


def drawable(text: str) -> str:
    """`text` without the characters no chart font has (white space is always kept)."""
    _, known = _fonts()
    return "".join(c for c in text if c.isspace() or ord(c) in known).strip()


def _width(text: str) -> int:
    """Columns `text` takes: two for each wide (CJK) character, one for the rest."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _pieces(text: str) -> list[tuple[str, str]]:
    """(piece, joiner): words of Latin text joined by a space, phrases of Chinese text joined by nothing."""
    pieces: list[tuple[str, str]] = []
    for word in text.split(" "):
        phrases = [phrase for phrase in _PHRASE_BREAK.split(word) if phrase] or [word]
        pieces += [(phrase, " " if index == 0 else "") for index, phrase in enumerate(phrases)]
    return pieces


def _wrap(pieces: list[tuple[str, str]], columns: int) -> list[str]:
    rows, row = [], ""
    for piece, joiner in pieces:
        candidate = f"{row}{joiner}{piece}" if row else piece
        if _width(candidate) <= columns:
            row = candidate
            continue
        if row:
            rows.append(row)
        row = ""
        for char in piece:  # a piece wider than a whole row is broken where it must
            if _width(row + char) > columns:
                rows.append(row)
                row = ""
            row += char
    rows.append(row)
    return rows


def fit_label(text: str, columns: int = LABEL_COLUMNS, lines: int = LABEL_LINES) -> str:
    """A label wrapped into at most `lines` lines of `columns` (CJK counts double); "…" marks a cut.

    Lines break between words and Chinese phrases; when that takes more than `lines` lines, anywhere.
    """
    cleaned = drawable(text)
    rows = _wrap(_pieces(cleaned), columns)
    if len(rows) > lines:
        rows = _wrap([(char, "") for char in cleaned], columns) if " " not in cleaned else rows
    if len(rows) > lines:
        rows = rows[:lines]
        last = rows[-1]
        while last and _width(last + "…") > columns:
            last = last[:-1]
        rows[-1] = last.rstrip() + "…"
    return "\n".join(rows)


def _figure(draw, height_px: int) -> Figure:
    """A WIDTH_PX × height_px figure with `draw(figure)` done and laid out, in the chart fonts."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _drawing, matplotlib.rc_context(_settings()):
        figure = Figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        draw(figure)
        figure.canvas.draw()
    return figure


def _settings() -> dict:
    families, _ = _fonts()
    return {"font.family": families, "font.size": FONT_SIZE, "figure.titlesize": TITLE_SIZE,
            "axes.unicode_minus": False}


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    import matplotlib

    buffer = io.BytesIO()
    with _drawing, matplotlib.rc_context(_settings()):
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _title(figure, title: str) -> None:
    figure.suptitle(fit_label(title, TITLE_COLUMNS, 2), x=0.02, ha="left")


def bar_figure(title: str, bars: Sequence[Bar], *, maximum: float | None = None, label_lines: int = LABEL_LINES,
               label_columns: int = LABEL_COLUMNS) -> Figure:
    """Horizontal bars, the first on top; `maximum` fixes the scale (1.0 for shares), else the longest bar."""
    labels = [fit_label(bar.label, label_columns, label_lines) for bar in bars]
    scale = maximum if maximum is not None else max([bar.value for bar in bars] + [1])

    def draw(figure) -> None:
        axes = figure.subplots()
        positions = list(range(len(bars)))
        drawn = axes.barh(positions, [bar.value for bar in bars], color=COLOURS[0], height=0.7)
        axes.bar_label(drawn, labels=[bar.shown for bar in bars], padding=8)
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.set_xlim(0, scale * 1.2)
        axes.set_xticks([])
        _title(figure, title)
        axes.spines[["top", "right", "bottom"]].set_visible(False)

    row_px = BAR_HEIGHT_PX + 30 * max(label_lines - LABEL_LINES, 0)
    return _figure(draw, max(len(bars), 2) * row_px + 220)


def bar_chart(title: str, bars: Sequence[Bar], *, maximum: float | None = None, label_lines: int = LABEL_LINES,
              label_columns: int = LABEL_COLUMNS) -> bytes:
    """:func:`bar_figure` as PNG bytes."""
    return png(bar_figure(title, bars, maximum=maximum, label_lines=label_lines, label_columns=label_columns))


def shown_series(series: Mapping[str, Sequence[int]], other: str) -> list[tuple[str, list[int]]]:
    """The series worth a line: those with any entries, the largest first when the palette runs out.

    Beyond the palette, the smallest are summed into one series called `other`.
    """
    named = [(drawable(name), list(values)) for name, values in series.items() if any(values)]
    if len(named) <= len(COLOURS):
        return named
    ranked = sorted(named, key=lambda item: -sum(item[1]))
    kept, rest = ranked[:len(COLOURS) - 1], ranked[len(COLOURS) - 1:]
    kept_names = {name for name, _ in kept}
    summed = [sum(column) for column in zip(*(values for _, values in rest), strict=True)]
    return [item for item in named if item[0] in kept_names] + [(other, summed)]


def trend_figure(title: str, weeks: Sequence[dt.date], series: Mapping[str, Sequence[int]], *,
                 other: str = "other") -> Figure:
    """Entries per week, one line per series with entries; weeks labelled by their Monday (month/day)."""
    named = shown_series(series, other)
    legend_columns = 2 if any(_width(name) > LABEL_COLUMNS for name, _ in named) else 3

    def draw(figure) -> None:
        axes = figure.subplots()
        positions = list(range(len(weeks)))
        for index, (name, values) in enumerate(named):
            axes.plot(positions, values, marker="o", linewidth=3, markersize=9, color=COLOURS[index],
                      label=fit_label(name, columns=28, lines=1))
        axes.set_xticks(positions, [f"{monday.month}/{monday.day}" for monday in weeks], rotation=45)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.set_ylim(0, max([max(values, default=0) for _, values in named] + [1]) * 1.15)
        axes.grid(axis="y", alpha=0.3)
        _title(figure, title)
        axes.spines[["top", "right"]].set_visible(False)
        if named:
            figure.legend(loc="outside lower center", frameon=False, ncols=min(len(named), legend_columns))

    rows = -(-len(named) // legend_columns)
    return _figure(draw, 700 + 40 * rows)


def trend_chart(title: str, weeks: Sequence[dt.date], series: Mapping[str, Sequence[int]], *,
                other: str = "other") -> bytes:
    """:func:`trend_figure` as PNG bytes."""
    return png(trend_figure(title, weeks, series, other=other))
