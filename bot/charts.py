"""Charts as PNG bytes, drawn with matplotlib for reading on a phone: 1080 px wide, large type.

Two kinds: horizontal bars (people or quotas on the axis, a value on each bar)
and a weekly trend (entries per week, one line per activity).

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
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WIDTH_PX = 1080
DPI = 100
FONT_SIZE = 22
TITLE_SIZE = 28
BAR_HEIGHT_PX = 76
LABEL_COLUMNS = 20
LABEL_LINES = 2
COLOURS = ("#3b7dd8", "#e07b39", "#4caf50", "#9c27b0", "#d64550", "#00897b", "#795548", "#607d8b")
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


def _width(char: str) -> int:
    """Columns a character takes: two for wide (CJK) characters, one for the rest."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def fit_label(text: str, columns: int = LABEL_COLUMNS, lines: int = LABEL_LINES) -> str:
    """An axis label wrapped into at most `lines` lines of `columns` (CJK counts double); "…" marks a cut.

    Latin text breaks at spaces where it can, Chinese anywhere.
    """
    words = drawable(text).split(" ")
    rows, row = [], ""
    for word in words:
        piece = f"{row} {word}" if row else word
        if sum(map(_width, piece)) <= columns:
            row = piece
            continue
        if row:
            rows.append(row)
        row = ""
        for char in word:
            if sum(map(_width, row + char)) > columns:
                rows.append(row)
                row = ""
            row += char
    rows.append(row)
    if len(rows) > lines:
        rows = rows[:lines]
        last = rows[-1]
        while last and sum(map(_width, last + "…")) > columns:
            last = last[:-1]
        rows[-1] = last.rstrip() + "…"
    return "\n".join(rows)


def _render(draw, height_px: int) -> bytes:
    """Run `draw(figure)` on a WIDTH_PX × height_px figure and return it as PNG bytes."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    families, _ = _fonts()
    with _drawing, matplotlib.rc_context({"font.family": families, "font.size": FONT_SIZE, "axes.titlesize": TITLE_SIZE,
                                          "axes.unicode_minus": False}):
        figure = Figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI)
        FigureCanvasAgg(figure)
        draw(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def bar_chart(title: str, bars: Sequence[Bar], *, maximum: float | None = None) -> bytes:
    """Horizontal bars, the first on top; `maximum` fixes the scale (1.0 for shares), else the longest bar."""
    labels = [fit_label(bar.label) for bar in bars]
    title = drawable(title)
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
        axes.set_title(title, loc="left", pad=18)
        axes.spines[["top", "right", "bottom"]].set_visible(False)
        figure.tight_layout()

    return _render(draw, max(len(bars), 2) * BAR_HEIGHT_PX + 220)


def trend_chart(title: str, weeks: Sequence[dt.date], series: Mapping[str, Sequence[int]]) -> bytes:
    """Entries per week, one line per named series; weeks labelled by their Monday (month/day)."""
    title = drawable(title)
    named = [(drawable(name), values) for name, values in series.items()]

    def draw(figure) -> None:
        axes = figure.subplots()
        positions = list(range(len(weeks)))
        for index, (name, values) in enumerate(named):
            axes.plot(positions, list(values), marker="o", linewidth=3, markersize=9,
                      color=COLOURS[index % len(COLOURS)], label=name)
        axes.set_xticks(positions, [f"{monday.month}/{monday.day}" for monday in weeks], rotation=45)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.set_ylim(0, max([max(values, default=0) for _, values in named] + [1]) * 1.15)
        axes.grid(axis="y", alpha=0.3)
        axes.set_title(title, loc="left", pad=18)
        axes.spines[["top", "right"]].set_visible(False)
        if named:
            figure.legend(loc="lower center", frameon=False, ncols=min(len(named), 3))
        figure.tight_layout(rect=(0, 0.09 * ((len(named) + 2) // 3), 1, 1))

    return _render(draw, 860)
