"""The time-of-day part of a phrase: ``下午三点一刻``, ``3点半``, ``15:30``, ``4pm``, ``晚上``, ``this morning``.

Rules:

* An hour with a period is read in that period: ``下午3点`` = 15:00, ``晚上8点`` = 20:00,
  ``晚上12点`` = midnight at the end of that day, ``夜里2点`` / ``凌晨2点`` = 02:00, ``中午1点`` = 13:00.
* A bare Chinese hour (``3点``) is read as school hours: 1–6 are afternoon (13:00–18:00), 7–12 are
  as written, 0 and 13–23 are 24-hour.  ``15:30`` is 24-hour; ``4pm`` is 16:00.
* A range gives its start: ``3点到4点``, ``下午3-5点``, ``15:00-16:00``, ``3-4pm``, ``3pm to 4pm``.
* Minutes: ``3点10分``, ``3点10``, ``3:10``, ``半`` = 30, ``一刻`` = 15, ``三刻`` = 45.
* A period said alone gives a representative time: morning (早上/上午/morning) 09:00, noon
  (中午/noon) 12:00, afternoon (下午/afternoon) 15:00, dusk (傍晚) 18:00, evening
  (晚上/evening/night) 19:00, late night (夜里/半夜/深夜) 22:00.  凌晨 alone names no time.
"""

from __future__ import annotations

import datetime
import re

from bot.logbook.dateparts.normalize import normalize
from bot.logbook.dateparts.numerals import to_int

__all__ = ["TimeOfDayError", "extract_time", "parse_time_of_day"]


class TimeOfDayError(ValueError):
    """A time of day that cannot exist (``25点``, ``4:75pm``, ``上午15点``)."""


_MORNING, _NOON, _AFTERNOON, _DUSK, _EVENING, _NIGHT, _EARLY = (
    "morning", "noon", "afternoon", "dusk", "evening", "night", "early")

_PERIOD_WORDS = {
    "凌晨": _EARLY, "清晨": _MORNING, "早上": _MORNING, "早晨": _MORNING,
    "上午": _MORNING, "中午": _NOON, "下午": _AFTERNOON, "傍晚": _DUSK,
    "晚上": _EVENING, "夜里": _NIGHT, "夜间": _NIGHT, "半夜": _NIGHT, "深夜": _NIGHT,
    "morning": _MORNING, "noon": _NOON, "midday": _NOON,
    "afternoon": _AFTERNOON, "evening": _EVENING, "night": _EVENING,
}
# Representative times for a period without an explicit hour.
_PERIOD_TIMES = {
    _MORNING: datetime.time(9, 0),
    _NOON: datetime.time(12, 0),
    _AFTERNOON: datetime.time(15, 0),
    _DUSK: datetime.time(18, 0),
    _EVENING: datetime.time(19, 0),
    _NIGHT: datetime.time(22, 0),
}

_CN_PERIOD_RE = "凌晨|清晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间|半夜|深夜"
_CN_HOUR = r"\d{1,2}|二十[一二三四]?|十[一二三四五六七八九]?|[零〇一二两三四五六七八九]"
_CN_MINUTE = r"\d{1,2}|[二三四五]?十[一二三四五六七八九]?|[零〇]?[一二三四五六七八九]"

_EN_CLOCK = re.compile(
    r"(?:\bat\s+|@\s*)?(?<![\d:.])(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*"
    r"(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z])"
)
_CN_CLOCK = re.compile(
    rf"(?:\bat\s+|@\s*)?(?P<period>{_CN_PERIOD_RE})?\s*(?<![\d.:/-])(?P<h>{_CN_HOUR})\s*"
    rf"(?:(?::(?P<mm>\d{{2}})(?!\d))|(?:点钟|点|时)\s*(?:(?P<half>半)|(?P<q>一刻|三刻)|"
    rf"(?P<m>{_CN_MINUTE})\s*(?:分钟|分)?)?)"
)
# "at 3", "at 2:30", "3 o'clock": an English hour without am/pm, read like a Chinese bare hour.
_EN_HOUR = re.compile(
    r"(?:\bat\s+|@\s*|(?=\d{1,2}\s*o'?clock))(?P<h>\d{1,2})(?::(?P<mm>\d{2}))?(?![\d:])(?:\s*o'?clock)?"
)
_RANGE_SEPARATOR = re.compile(r"\s*(?:-|–|—|~|到|至|\bto\b|\buntil\b|\btill\b)\s*")
_PERIOD_WORD_RE = re.compile(
    rf"(?:{_CN_PERIOD_RE})|(?:\b(?:in the |at )?(?:morning|afternoon|evening|night|noon|midday)\b)"
)


def _apply_period(period: str | None, hour: int) -> tuple[int, int] | None:
    """Return (hour 0-23, day shift) for an hour said within a period."""
    if period is None:
        if 1 <= hour <= 6:
            return hour + 12, 0
        return (hour, 0) if 0 <= hour <= 23 else None
    if not 0 <= hour <= 12:
        # 24-hour clock inside a period ("下午15点"): accept if consistent.
        if period in (_AFTERNOON, _DUSK, _EVENING, _NOON) and 12 < hour <= 23:
            return hour, 0
        return None
    if period in (_EARLY, _NIGHT) and hour <= 5:
        return hour, 0
    if period == _EARLY:
        return (0, 0) if hour == 12 else (hour, 0)
    if period == _MORNING:
        return hour, 0
    if period == _NOON:
        return (hour + 12 if 1 <= hour <= 5 else hour), 0
    if period in (_AFTERNOON, _DUSK):
        return (hour + 12 if 1 <= hour <= 11 else hour), 0
    # evening, night
    if hour == 12:
        return 0, 1  # 晚上12点: midnight at the end of that day
    return (hour + 12 if 1 <= hour <= 11 else hour), 0


def _minutes(m: re.Match[str]) -> int | None:
    said = m.groupdict()
    if said["mm"] is not None:
        return int(said["mm"])
    if said.get("half"):
        return 30
    if said.get("q"):
        return 15 if said["q"] == "一刻" else 45
    return to_int(said["m"]) if said.get("m") else 0


def _cut(s: str, m: re.Match[str]) -> str:
    """``s`` without the time ``m`` found, nor the end of a range that follows it (3点到4点, 3pm-4pm)."""
    end = m.end()
    if separator := _RANGE_SEPARATOR.match(s, end):
        after = s[separator.end():]  # matched on its own, so the lookbehinds do not see the separator
        if second := _EN_CLOCK.match(after) or _CN_CLOCK.match(after):
            end = separator.end() + second.end()
    return s[: m.start()] + " " + s[end:]


def _period_elsewhere(s: str) -> tuple[str, str | None]:
    """Remove the period words from ``s``: (the rest, the one period they name or None)."""
    words = [p.replace("in the ", "").replace("at ", "").strip() for p in _PERIOD_WORD_RE.findall(s)]
    kinds = {_PERIOD_WORDS[word] for word in words}
    if len(kinds) > 1:
        raise TimeOfDayError(s)  # 上午 … 晚上
    return _PERIOD_WORD_RE.sub(" ", s), (kinds.pop() if kinds else None)


def extract_time(s: str) -> tuple[str, datetime.time | None, int]:
    """Remove the time-of-day part of normalised text ``s``.

    Returns (rest of the text, time or None, day shift of 0 or 1).
    Raises :class:`TimeOfDayError` for impossible times.
    """
    if m := _EN_CLOCK.search(s):
        hour, minute = int(m["h"]), int(m["m"] or 0)
        if not (1 <= hour <= 12 and minute < 60):
            raise TimeOfDayError(s)
        rest, _ = _period_elsewhere(_cut(s, m))  # am/pm says it all: "last night 9pm"
        return rest, datetime.time(hour % 12 + (12 if m["ap"].startswith("p") else 0), minute), 0
    m = _CN_CLOCK.search(s) or _EN_HOUR.search(s)
    if m is None:
        rest, period = _period_elsewhere(s)
        if period == _EARLY:
            raise TimeOfDayError(s)  # 凌晨 alone: which hour?
        return rest, (_PERIOD_TIMES[period] if period else None), 0
    rest, elsewhere = _period_elsewhere(_cut(s, m))
    said_period = m.groupdict().get("period")
    period = _PERIOD_WORDS[said_period] if said_period else elsewhere
    said_hour, said_minute = to_int(m["h"]), _minutes(m)
    if said_hour is None:
        hours = None
    elif m["mm"] is not None and period is None:
        hours = (said_hour, 0) if 0 <= said_hour <= 23 else None  # 24-hour "15:00"
    else:
        hours = _apply_period(period, said_hour)
    if hours is None or said_minute is None or not 0 <= said_minute <= 59:
        raise TimeOfDayError(s)
    return rest, datetime.time(hours[0], said_minute), hours[1]


def parse_time_of_day(text: str) -> datetime.time | None:
    """A time of day said on its own (``下午7点``, ``19点``, ``晚上七点``, ``7pm``, ``17:30``), else None.

    ``晚上12点`` is 00:00.  Text with anything besides a time (a day, a name) gives None.
    """
    try:
        rest, found, _ = extract_time(normalize(text))
    except TimeOfDayError:
        return None
    return found if not re.sub(r"\b(?:at|on)\b|@|的", "", rest).strip() else None
