"""Days named on the calendar, with or without a year, and a weekday said along with one.

Accepted: ``2026-11-20``, ``2026/11/20``, ``2026年11月20日``, ``11月20号``, ``十一月二十号``,
``11-20``, ``11/20``, ``11.20`` and ``11/20/2026`` (month first, as Chinese and US users type
it; when the first number cannot be a month, as in ``20/11``, it is the day), ``20号``,
``二十号``, ``本月20号``, ``上个月20号``, ``Nov 20``, ``20 November 2026``, ``the 20th``.

Without a year, a date is the most recent one not after today (in January ``12月30号`` is last
year's); without a month (``20号``) it is the most recent 20th.  The later occurrences are kept as
second choices so that a weekday said with the date can pick the one it fits:
``11月21日周六`` on 2026-11-18 is Saturday 2026-11-21 (in the future), not Friday 2025-11-21.
A weekday that fits no reading is :class:`WeekdayMismatch`.
"""

from __future__ import annotations

import datetime
import re

from bot.logbook.dateparts.numerals import CN_NUM, to_int

__all__ = ["CN_WEEKDAYS", "EN_MONTHS", "EN_WEEKDAYS", "WeekdayMismatch", "calendar_day"]

EN_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1,
    "wednesday": 2, "wed": 2, "thursday": 3, "thurs": 3, "thur": 3, "thu": 3,
    "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5,
               "日": 6, "天": 6, "七": 6, "1": 0, "2": 1, "3": 2, "4": 3,
               "5": 4, "6": 5, "7": 6}
EN_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}


class WeekdayMismatch(ValueError):
    """A date said with a weekday it does not fall on (``11月20日周一``)."""


def _alternatives(words: dict[str, int]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_MONTH = _alternatives(EN_MONTHS)
_ORDINAL = r"(?:st|nd|rd|th)?"
_ISO_DATE = re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?")
_CN_DATE = re.compile(
    rf"(?:(?P<y>\d{{4}}|\d{{2}}|[零〇一二三四五六七八九]{{4}})\s*年\s*)?(?P<m>{CN_NUM})\s*月\s*(?P<d>{CN_NUM})\s*[日号]?"
)
_NUM_DATE = re.compile(r"(?P<a>\d{1,2})\s*[-/.]\s*(?P<b>\d{1,2})(?:\s*[-/.]\s*(?P<y>\d{4}|\d{2}))?")
_EN_MONTH_DAY = re.compile(rf"(?P<mon>{_MONTH})\.?\s*(?:the\s+)?(?P<d>\d{{1,2}}){_ORDINAL}(?:\s*(?P<y>\d{{4}}))?")
_EN_DAY_MONTH = re.compile(
    rf"(?:the\s+)?(?P<d>\d{{1,2}}){_ORDINAL}\s*(?:of\s+)?(?P<mon>{_MONTH})\.?(?:\s*(?P<y>\d{{4}}))?"
)
_CN_DAY_OF_MONTH = re.compile(rf"(?P<pre>本月|这个?月|上个?月)?\s*(?P<d>{CN_NUM})\s*[日号]")
_EN_DAY_OF_MONTH = re.compile(r"(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)")
_WEEKDAY_SAID = re.compile(
    rf"(?<![上下这本个])(?:周|星期|礼拜)(?P<cn>[一二三四五六日天七1-7])|\b(?P<en>{_alternatives(EN_WEEKDAYS)})\b\.?"
)


# How far ahead a year-less date said with its weekday may be read (11月21日周六 three days ahead).
_AHEAD = datetime.timedelta(days=183)


def _date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except (ValueError, OverflowError):  # 2月30号; a year of twenty digits
        return None


def _year_less(today: datetime.date, month: int, day: int) -> list[datetime.date]:
    """(month, day) in the years around today: the most recent not after today, then the next within half a year."""
    found = [d for year in range(today.year + 1, today.year - 8, -1) if (d := _date(year, month, day))]
    past = [d for d in found if d <= today]
    future = [d for d in found if today < d <= today + _AHEAD]
    return past[:1] + future[-1:]


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year, month - 1) if month > 1 else (year - 1, 12)


def _day_of_month(today: datetime.date, day: int, prefix: str | None) -> list[datetime.date]:
    """The ``day``th of this month (本月), last month (上个月), or the most recent one (then this month's)."""
    if prefix is not None:
        year, month = _month_before(today.year, today.month) if prefix.startswith("上") else (today.year, today.month)
        found = _date(year, month, day)
        return [found] if found else []
    year, month = today.year, today.month
    candidates = []
    for _ in range(4):
        if (found := _date(year, month, day)) is not None:
            candidates.append(found)
        year, month = _month_before(year, month)
    past = [d for d in candidates if d <= today]
    return past[:1] + [d for d in candidates if d > today]


def _with_year(year: int | None, month: int | None, day: int | None, today: datetime.date) -> list[datetime.date]:
    if month is None or day is None:
        return []
    if year is None:
        return _year_less(today, month, day)
    found = _date(year, month, day)
    return [found] if found else []


def _full_year(text: str | None) -> int | None:
    if not text:
        return None
    year = to_int(text)
    return None if year is None else year + (2000 if year < 100 else 0)


def _readings(s: str, today: datetime.date) -> list[datetime.date] | None:
    """Possible days for a date without a weekday, best first; [] if impossible, None if not a date."""
    if m := _ISO_DATE.fullmatch(s):
        return _with_year(int(m["y"]), int(m["m"]), int(m["d"]), today)
    if m := _CN_DATE.fullmatch(s):
        return _with_year(_full_year(m["y"]), to_int(m["m"]), to_int(m["d"]), today)
    if m := _NUM_DATE.fullmatch(s):
        month, day = int(m["a"]), int(m["b"])
        if month > 12 and day <= 12:  # 20/11: day first
            month, day = day, month
        return _with_year(_full_year(m["y"]), month, day, today)
    if m := _EN_MONTH_DAY.fullmatch(s) or _EN_DAY_MONTH.fullmatch(s):
        return _with_year(_full_year(m["y"]), EN_MONTHS[m["mon"]], int(m["d"]), today)
    if m := _CN_DAY_OF_MONTH.fullmatch(s) or _EN_DAY_OF_MONTH.fullmatch(s):
        day_number = to_int(m["d"])
        prefix = m.groupdict().get("pre")
        return _day_of_month(today, day_number, prefix) if day_number is not None and 1 <= day_number <= 31 else []
    return None


def calendar_day(s: str, today: datetime.date) -> datetime.date | None:
    """The day a calendar date in normalised text ``s`` names, or None if ``s`` is not one.

    Returns ``datetime.date.min`` for a date that cannot exist (``2月30号``) and raises
    :class:`WeekdayMismatch` when a weekday said with it fits none of its readings.
    """
    readings = _readings(s, today)
    if readings is not None:
        return readings[0] if readings else datetime.date.min
    said = _WEEKDAY_SAID.search(s)
    if said is None:
        return None
    rest = (s[: said.start()] + " " + s[said.end():]).strip(" ,")
    readings = _readings(rest, today) if rest else None
    if readings is None:
        return None
    if not readings:
        return datetime.date.min
    weekday = CN_WEEKDAYS[said["cn"]] if said["cn"] else EN_WEEKDAYS[said["en"]]
    for day in readings:
        if day.weekday() == weekday:
            return day
    raise WeekdayMismatch(s)
