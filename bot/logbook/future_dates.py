"""Reading the last day of a leave (`/away until …`): a day today or later, in Chinese or English.

:mod:`bot.logbook.dates` reads days that already happened and refuses the future; this
is its counterpart for days ahead. Accepted (the day given is the *last* day away):

* dates: ``2026-12-03``, ``2026/12/3``, ``2026年12月3日``, ``12月3号``, ``12/3`` (month/day),
  ``dec 3``, ``3 december``, ``December 3rd 2026`` — without a year, the next such day;
* days: ``today``/``今天``, ``tomorrow``/``明天``, ``后天``, ``friday``/``fri``/``周五``/``星期五``
  (the next one, today included), ``下周一`` (Monday of next week);
* lengths, counted from today: ``3 days``, ``2 weeks``, ``3d``, ``1w``, ``3天``, ``两周``,
  ``一个星期`` — ``3 days`` means today and the two days after.
"""

from __future__ import annotations

import datetime as dt
import re

# The words for numbers, months and weekdays are the ones bot.logbook.dates reads past days with.
from bot.logbook.dateparts.calendar_days import CN_WEEKDAYS as _CN_WEEKDAYS
from bot.logbook.dateparts.calendar_days import EN_MONTHS as _EN_MONTHS
from bot.logbook.dateparts.calendar_days import EN_WEEKDAYS as _EN_WEEKDAYS
from bot.logbook.dateparts.numerals import to_int as _number

MAX_DAYS_AHEAD = 366


class FutureDayError(ValueError):
    """`code` is 'unparseable', 'past' or 'too_far'."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_NUMBER = r"\d+|[零〇一二两三四五六七八九十]+"
_FULL_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_CN_MONTH_DAY = re.compile(rf"^({_NUMBER})\s*月\s*({_NUMBER})\s*[日号]?$")
_SLASH_MONTH_DAY = re.compile(r"^(\d{1,2})\s*/\s*(\d{1,2})$")
_EN_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")
_EN_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:,?\s+(\d{4}))?$")
_EN_LENGTH = re.compile(r"^(\d+|[a-z]+)\s*(d|days?|w|wks?|weeks?)$")
_CN_LENGTH = re.compile(rf"^({_NUMBER})\s*(?:个)?\s*(天|日|周|星期|礼拜)$")
_CN_WEEKDAY = re.compile(r"^(下|这|本)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天1-7])$")
_PREFIXES = re.compile(r"^(?:(?:until|till|til|through|to)\s+|(?:到|至|直到)\s*)")
_RELATIVE = {"yesterday": -1, "昨天": -1, "前天": -2, "today": 0, "今天": 0, "tomorrow": 1, "明天": 1, "后天": 2,
             "day after tomorrow": 2}


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _next_occurrence(today: dt.date, month: int | None, day: int | None) -> dt.date | None:
    if month is None or day is None:
        return None
    this_year = _date(today.year, month, day)
    if this_year is not None and this_year >= today:
        return this_year
    return _date(today.year + 1, month, day)


def _read(text: str, today: dt.date) -> dt.date | None:
    if text in _RELATIVE:
        return today + dt.timedelta(days=_RELATIVE[text])
    if match := _FULL_DATE.match(text):
        return _date(*(int(part) for part in match.groups()))
    if match := _CN_MONTH_DAY.match(text) or _SLASH_MONTH_DAY.match(text):
        return _next_occurrence(today, _number(match.group(1)), _number(match.group(2)))
    for pattern, month_group, day_group in ((_EN_MONTH_DAY, 1, 2), (_EN_DAY_MONTH, 2, 1)):
        if (match := pattern.match(text)) and match.group(month_group) in _EN_MONTHS:
            month, day = _EN_MONTHS[match.group(month_group)], int(match.group(day_group))
            return _date(int(match.group(3)), month, day) if match.group(3) else _next_occurrence(today, month, day)
    if text in _EN_WEEKDAYS:
        return today + dt.timedelta(days=(_EN_WEEKDAYS[text] - today.weekday()) % 7)
    if match := _CN_WEEKDAY.match(text):
        weekday = _CN_WEEKDAYS[match.group(2)]
        if match.group(1) == "下":
            return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7 + weekday)
        return today + dt.timedelta(days=(weekday - today.weekday()) % 7)
    if match := _EN_LENGTH.match(text) or _CN_LENGTH.match(text):
        count = _number(match.group(1))
        unit = match.group(2) if match.lastindex and match.lastindex >= 2 else "d"
        if not count:
            return None
        days = count * 7 if unit.startswith("w") or unit in ("周", "星期", "礼拜") else count
        return today + dt.timedelta(days=days - 1)
    return None


def parse_last_day(text: str, today: dt.date) -> dt.date:
    """The last day of a leave, today or later; raises FutureDayError."""
    cleaned = _PREFIXES.sub("", " ".join(text.strip().lower().split())).strip()
    day = _read(cleaned, today) if cleaned else None
    if day is None:
        raise FutureDayError("unparseable")
    if day < today:
        raise FutureDayError("past")
    if (day - today).days > MAX_DAYS_AHEAD:
        raise FutureDayError("too_far")
    return day
