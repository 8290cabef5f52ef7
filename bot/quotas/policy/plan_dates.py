"""Phase bounds written the plans' way: ``1月上旬``, ``5月中旬``, ``9月下旬``, ``12月``, ``2026年4月中旬``.

上旬, 中旬 and 下旬 are days 1–10, 11–20 and 21 to the month's end. A start
word means the first day of its span, an end word the last day: a phase
``1月上旬～5月中旬`` runs from 01-01 to 05-20. A bare month (``10月``) is the
whole month. Without ``年`` the phase's ``year`` gives the year; an end month
earlier than the start month falls in the following year (``11月～次年1月``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Literal

Edge = Literal["start", "end"]

_WORD = re.compile(r"(?:(?P<year>\d{4})年)?(?P<month>\d{1,2})月(?P<span>上旬|中旬|下旬|初|底|末)?")
#: First and last day of each span; ``None`` for the last day means the month's end.
_SPANS: dict[str, tuple[int, int | None]] = {
    "上旬": (1, 10), "初": (1, 10), "中旬": (11, 20), "下旬": (21, None), "底": (21, None), "末": (21, None),
}
WORD_HINT = "use a date like 2026-05-20 or a plan word like 1月上旬, 5月中旬, 9月下旬, 12月"


def is_plan_word(value: object) -> bool:
    """Whether ``value`` is a string in the plans' month notation (it may still be an impossible month)."""
    return isinstance(value, str) and _WORD.fullmatch(value.strip()) is not None


def resolve_plan_word(text: str, edge: Edge, year: int | None) -> date:
    """The date a plan word stands for at the ``edge`` of a phase; ValueError with a hint if it is not one."""
    match = _WORD.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"bad phase date {text!r}: {WORD_HINT}")
    month = int(match["month"])
    if not 1 <= month <= 12:
        raise ValueError(f"bad phase date {text!r}: there is no month {month}")
    written_year = int(match["year"]) if match["year"] else year
    if written_year is None:
        raise ValueError(f"phase date {text!r} has no year: write 2026年{text.strip()} or give the phase a year")
    first, last = _SPANS.get(match["span"] or "", (1, None))
    day = first if edge == "start" else last
    return date(written_year, month, day) if day is not None else _month_end(written_year, month)


def resolve_phase_bounds(start: Any, end: Any, year: int | None) -> tuple[Any, Any]:
    """A phase's ``start`` and ``end`` with plan words replaced by dates; anything else is left as written.

    A word that cannot be resolved is left too, for the date field to report at its own line.
    """
    first, last = _resolved(start, "start", year), _resolved(end, "end", year)
    if isinstance(first, date) and isinstance(last, date) and last < first and isinstance(end, str) \
            and is_plan_word(end) and "年" not in end and year is not None:
        last = resolve_plan_word(end, "end", first.year + 1)  # 11月～1月: the January after
    return first, last


def _resolved(written: Any, edge: Edge, year: int | None) -> Any:
    if not is_plan_word(written):
        return written
    try:
        return resolve_plan_word(written, edge, year)
    except ValueError:
        return written


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
