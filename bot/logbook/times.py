"""Times of day as people type them: ``19:00``, ``7pm``, ``7:30 pm``, ``19点``, ``下午7点``, ``晚上七点半``.

For settings such as a member's own reminder time, where only the clock time matters.
"""

from __future__ import annotations

import datetime as dt
import re

_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                   "八": 8, "九": 9}
#: Periods of the day that move an hour below 12 into the afternoon or evening.
_LATER_PERIODS = ("下午", "傍晚", "晚上", "夜里", "pm")
_EARLIER_PERIODS = ("凌晨", "清晨", "早上", "早晨", "上午", "中午", "am")
_PERIOD = "|".join((*_LATER_PERIODS, *_EARLIER_PERIODS))
_NUMBER = r"\d{1,2}|[零〇一二两三四五六七八九十]{1,3}"
_CLOCK = re.compile(rf"^(?P<before>{_PERIOD})?\s*(?P<hour>{_NUMBER})\s*(?:(?::|：)(?P<minute>\d{{2}})|点\s*"
                    rf"(?:(?P<half>半)|(?P<cn_minute>{_NUMBER})\s*分?)?)?\s*(?P<after>{_PERIOD})?$", re.IGNORECASE)


def chinese_number(text: str) -> int | None:
    """'7' → 7, '七' → 7, '十二' → 12, '二十' → 20; None for anything else."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        tens_value = _CHINESE_DIGITS.get(tens, None) if tens else 1
        units_value = _CHINESE_DIGITS.get(units, None) if units else 0
        return None if tens_value is None or units_value is None else tens_value * 10 + units_value
    return _CHINESE_DIGITS.get(text) if len(text) == 1 else None


def parse_time_of_day(text: str) -> dt.time:
    """The clock time in ``text``; ValueError when it is not one (``25:00``, ``7:75``, ``soon``)."""
    match = _CLOCK.match(text.strip().lower())
    if match is None or (match["before"] and match["after"]):
        raise ValueError(f"not a time of day: {text!r}")
    hour = chinese_number(match["hour"])
    minute = 30 if match["half"] else chinese_number(match["minute"] or match["cn_minute"] or "0")
    if hour is None or minute is None:
        raise ValueError(f"not a time of day: {text!r}")
    period = match["before"] or match["after"]
    if period is not None and hour > 12:
        raise ValueError(f"not a time of day: {text!r}")
    if period in _LATER_PERIODS and hour < 12:
        hour += 12
    elif period in ("am", "凌晨") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise ValueError(f"not a time of day: {text!r}")
    return dt.time(hour, minute)
