"""Parse the dates, times and durations that teachers type (Chinese and English).

Pure functions, no I/O and no chat-platform imports.

``parse_when`` turns phrases such as ``昨天下午3点``, ``上周五``, ``11月20号``,
``两天前``, ``yesterday 4pm``, ``last friday`` or ``2026-11-20`` into a
:class:`When` (a day plus an optional time of day), interpreted in the time
zone of the ``now`` it is given.  ``parse_duration`` turns ``45``, ``1h30``,
``一个半小时`` or ``四十五分钟`` into minutes.

How it works: a cheap regex layer runs first and handles the Chinese phrases
dateparser misses or gets wrong, plus the common English ones (so that
"today counts" for weekdays and date-only phrases never get an invented
time).  Whatever the regex layer does not recognise (mostly English
month-name dates such as ``nov 10`` or ``10 November 2026``) goes to
dateparser, and only its *date* is kept unless it reports a real time.

Rules:

* A phrase that names only a day (``yesterday``, ``上周五``, ``11月20号``,
  ``两天前``) gives ``When(day, None)``: a time is never invented.
* A period of the day without an explicit hour gives a representative time:
  morning (``上午``/``早上``/``this morning``) 09:00, noon (``中午``/``noon``)
  12:00, afternoon (``下午``/``this afternoon``) 15:00, evening
  (``晚上``/``昨晚``/``tonight``/``last night``) 19:00.
* An hour with a period is read in that period (``下午3点`` = 15:00,
  ``晚上8点`` = 20:00, ``晚上12点`` = midnight at the end of that day).  A bare
  Chinese hour without a period (``3点``) is read as school hours: 1–6 are
  afternoon (13:00–18:00), 7–12 are as written; 0 and 13–23 are 24-hour.
* Weekdays (``周五``, ``friday``) mean the most recent one not in the future,
  so today if today is that weekday.  ``上周五`` is Friday of the previous
  Monday-based week, ``本周一``/``这周一``/``this monday`` the one of the
  current week; ``last friday`` is the most recent Friday strictly before today.
* Dates without a year (``11月20号``, ``11/20``, ``nov 20``, ``20号``) mean
  the most recent past occurrence (in January ``12月30号`` is last year).
* Refused (:class:`WhenError`): anything in the future (including a time
  later today than now), days more than ``max_days_back`` days before today,
  and anything unrecognised.  Vague phrases (``last week``, ``上个月``) are
  unrecognised on purpose.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "When",
    "WhenError",
    "DurationError",
    "parse_when",
    "parse_duration",
    "looks_like_when",
    "looks_like_duration",
]


@dataclass(frozen=True)
class When:
    """A day, plus a time of day when the phrase named one (else None)."""

    day: datetime.date
    time: datetime.time | None


class WhenError(ValueError):
    """A date phrase that cannot be used.

    ``code`` is ``"unparseable"``, ``"future"`` or ``"too_old"``;
    ``limit_days`` is set (the allowed number of days back) for ``too_old``.
    """

    def __init__(self, code: str, text: str = "", *, limit_days: int | None = None):
        self.code = code
        self.text = text
        self.limit_days = limit_days
        super().__init__(f"{code}: {text!r}")


class DurationError(ValueError):
    """A duration that cannot be used.

    ``code`` is ``"unparseable"``, ``"too_long"`` or ``"not_positive"``;
    ``max_minutes`` is set for ``too_long``.
    """

    def __init__(self, code: str, text: str = "", *, max_minutes: int | None = None):
        self.code = code
        self.text = text
        self.max_minutes = max_minutes
        super().__init__(f"{code}: {text!r}")


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_EN_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4,
               "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
               "ten": 10, "eleven": 11, "twelve": 12}
_CN_NUM = r"[0-9零〇一二两三四五六七八九十]+"


def _to_int(s: str) -> int | None:
    """Arabic digits, English number words or Chinese numerals below 100."""
    s = s.strip()
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s)
    if s in _EN_NUMBERS:
        return _EN_NUMBERS[s]
    if "十" in s:
        if s.count("十") > 1:
            return None
        left, right = s.split("十")
        if left and (len(left) > 1 or left not in _CN_DIGITS):
            return None
        if right and (len(right) > 1 or right not in _CN_DIGITS):
            return None
        tens = _CN_DIGITS[left] if left else 1
        return tens * 10 + (_CN_DIGITS[right] if right else 0)
    if all(c in _CN_DIGITS for c in s):  # 二〇二六, 五
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    return None


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

_REWRITES = [
    (re.compile(r"昨晚"), "昨天晚上"),
    (re.compile(r"今晚"), "今天晚上"),
    (re.compile(r"前晚"), "前天晚上"),
    (re.compile(r"\btonight\b"), "today evening"),
    (re.compile(r"\blast night\b"), "yesterday evening"),
    (re.compile(r"\bthis (morning|afternoon|evening)\b"), r"today \1"),
    (re.compile(r"\b(?:the )?day before yesterday\b"), "2 days ago"),
    (re.compile(r"\by'?day\b"), "yesterday"),
]


def _normalize(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).lower().strip()
    s = re.sub(r"\s+", " ", s)
    for pattern, repl in _REWRITES:
        s = pattern.sub(repl, s)
    return s


# --------------------------------------------------------------------------
# Time of day
# --------------------------------------------------------------------------

_MORNING, _NOON, _AFTERNOON, _EVENING, _EARLY = "morning", "noon", "afternoon", "evening", "early"

_PERIOD_WORDS = {
    "凌晨": _EARLY, "清晨": _MORNING, "早上": _MORNING, "早晨": _MORNING,
    "上午": _MORNING, "中午": _NOON, "下午": _AFTERNOON, "傍晚": _EVENING,
    "晚上": _EVENING, "夜里": _EVENING, "夜间": _EVENING,
    "morning": _MORNING, "noon": _NOON, "midday": _NOON,
    "afternoon": _AFTERNOON, "evening": _EVENING, "night": _EVENING,
}
# Representative times for a period without an explicit hour.
_PERIOD_TIMES = {
    _MORNING: datetime.time(9, 0),
    _NOON: datetime.time(12, 0),
    _AFTERNOON: datetime.time(15, 0),
    _EVENING: datetime.time(19, 0),
}

_CN_PERIOD_RE = "凌晨|清晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间"
_CN_HOUR = r"\d{1,2}|二十[一二三四]?|十[一二三四五六七八九]?|[零〇一二两三四五六七八九]"
_CN_MINUTE = r"\d{1,2}|[二三四五]?十[一二三四五六七八九]?|[零〇]?[一二三四五六七八九]"

_EN_CLOCK = re.compile(
    r"(?:\bat\s+|@\s*)?(?<![\d:.])(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*"
    r"(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z])"
)
_CN_CLOCK = re.compile(
    rf"(?:\bat\s+|@\s*)?(?P<period>{_CN_PERIOD_RE})?\s*(?<![\d.:/-])(?P<h>{_CN_HOUR})\s*"
    rf"(?:(?::(?P<mm>\d{{2}})(?!\d))|(?:点钟|点|时)\s*(?:(?P<half>半)|(?P<q>一刻|三刻)|"
    rf"(?P<m>{_CN_MINUTE})\s*(?:分钟|分)?)?)"
)
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
        if period in (_AFTERNOON, _EVENING, _NOON) and 12 < hour <= 23:
            return hour, 0
        return None
    if period == _EARLY:
        return (0 if hour == 12 else hour), 0
    if period == _MORNING:
        return hour, 0
    if period == _NOON:
        return (hour + 12 if 1 <= hour <= 5 else hour), 0
    if period == _AFTERNOON:
        return (hour + 12 if 1 <= hour <= 11 else hour), 0
    # evening
    if hour == 12:
        return 0, 1  # 晚上12点: midnight at the end of that day
    return (hour + 12 if 1 <= hour <= 11 else hour), 0


def _extract_time(s: str) -> tuple[str, datetime.time | None, int]:
    """Remove the time-of-day part of ``s``.

    Returns (rest of the text, time or None, day shift).
    Raises WhenError("unparseable") for impossible times.
    """
    found: datetime.time | None = None
    shift = 0
    h: int | None
    mi: int | None
    m = _EN_CLOCK.search(s)
    if m:
        h, mi = int(m["h"]), int(m["m"] or 0)
        if not (1 <= h <= 12 and mi < 60):
            raise WhenError("unparseable", s)
        h = h % 12 + (12 if m["ap"].startswith("p") else 0)
        found = datetime.time(h, mi)
        s = s[: m.start()] + " " + s[m.end():]
    else:
        m = _CN_CLOCK.search(s)
        if m:
            h = _to_int(m["h"])
            if m["mm"] is not None:
                mi = int(m["mm"])
            elif m["half"]:
                mi = 30
            elif m["q"]:
                mi = 15 if m["q"] == "一刻" else 45
            elif m["m"]:
                mi = _to_int(m["m"])
            else:
                mi = 0
            period = _PERIOD_WORDS[m["period"]] if m["period"] else None
            if m["mm"] is not None and period is None:
                hs = (h, 0) if h is not None and 0 <= h <= 23 else None  # 24-hour "15:00"
            else:
                hs = _apply_period(period, h) if h is not None else None
            if hs is None or mi is None or not 0 <= mi <= 59:
                raise WhenError("unparseable", s)
            found, shift = datetime.time(hs[0], mi), hs[1]
            s = s[: m.start()] + " " + s[m.end():]

    periods = [p.replace("in the ", "").replace("at ", "").strip() for p in _PERIOD_WORD_RE.findall(s)]
    s = _PERIOD_WORD_RE.sub(" ", s)
    if periods and found is None:
        kinds = {_PERIOD_WORDS[p] for p in periods}
        if len(kinds) != 1 or _EARLY in kinds:
            raise WhenError("unparseable", s)
        found = _PERIOD_TIMES[kinds.pop()]
    return s, found, shift


# --------------------------------------------------------------------------
# Day
# --------------------------------------------------------------------------

_EN_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1,
    "wednesday": 2, "wed": 2, "thursday": 3, "thurs": 3, "thur": 3, "thu": 3,
    "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
_CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5,
                "日": 6, "天": 6, "七": 6, "1": 0, "2": 1, "3": 2, "4": 3,
                "5": 4, "6": 5, "7": 6}
_EN_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

_RELATIVE_DAYS = {
    "今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1,
    "前天": 2, "大前天": 3, "大大前天": 4,
    # Future days are recognised so that they get a "future" answer.
    "明天": -1, "明日": -1, "tomorrow": -1, "后天": -2, "大后天": -3,
    "day after tomorrow": -2, "the day after tomorrow": -2,
}
_EN_NUM_WORD = "|".join(_EN_NUMBERS)
_DAYS_AGO = re.compile(
    rf"(?P<n>{_CN_NUM})\s*(?:天|日)\s*(?:前|以前|之前)|(?P<en>\d+|{_EN_NUM_WORD})\s*days?\s+ago"
)
_DAYS_AHEAD = re.compile(
    rf"(?P<n>{_CN_NUM})\s*(?:天|日)\s*(?:后|以后|之后)|in\s+(?P<en>\d+|{_EN_NUM_WORD})\s*days?"
)
_WEEKS_AGO = re.compile(
    rf"(?P<n>{_CN_NUM})\s*个?\s*(?:周|星期|礼拜)\s*(?:前|以前|之前)|(?P<en>\d+|{_EN_NUM_WORD})\s*weeks?\s+ago"
)
_CN_WEEKDAY = re.compile(
    r"(?P<pre>上上个?|上个?|本|这个?|下下个?|下个?)?\s*(?:周|星期|礼拜)\s*(?P<wd>[一二三四五六日天七1-7])"
)
_EN_WEEKDAY = re.compile(rf"(?:(?P<pre>last|this|past|next)\s+)?(?P<wd>{'|'.join(_EN_WEEKDAYS)})")
_ISO_DATE = re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?")
_CN_DATE = re.compile(
    rf"(?:(?P<y>\d{{4}}|[零〇一二三四五六七八九]{{4}})\s*年\s*)?(?P<m>{_CN_NUM})\s*月\s*(?P<d>{_CN_NUM})\s*[日号]?"
)
_NUM_DATE = re.compile(r"(?P<a>\d{1,2})\s*[/.]\s*(?P<b>\d{1,2})(?:\s*[/.]\s*(?P<y>\d{4}|\d{2}))?")
_CN_DAY_OF_MONTH = re.compile(rf"(?:本月|这个?月)?\s*(?P<d>{_CN_NUM})\s*[日号]")


def _most_recent_weekday(today: datetime.date, weekday: int, *, strictly_before: bool = False) -> datetime.date:
    back = (today.weekday() - weekday) % 7
    if back == 0 and strictly_before:
        back = 7
    return today - datetime.timedelta(days=back)


def _week_day(today: datetime.date, weekday: int, weeks_back: int) -> datetime.date:
    monday = today - datetime.timedelta(days=today.weekday())
    return monday + datetime.timedelta(days=weekday - 7 * weeks_back)


def _recent_occurrence(today: datetime.date, month: int, day: int) -> datetime.date | None:
    """Most recent (month, day) not after today; None if it never exists."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    for year in range(today.year, today.year - 8, -1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def _date_or_none(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _parse_day(s: str, today: datetime.date) -> datetime.date | None:
    """The regex layer for the day part.  None means "not recognised"."""
    if s in _RELATIVE_DAYS:
        return today - datetime.timedelta(days=_RELATIVE_DAYS[s])

    if m := _DAYS_AGO.fullmatch(s):
        n = _to_int(m["n"] or m["en"])
        return None if n is None else today - datetime.timedelta(days=n)
    if m := _DAYS_AHEAD.fullmatch(s):
        n = _to_int(m["n"] or m["en"])
        return None if n is None else today + datetime.timedelta(days=n)
    if m := _WEEKS_AGO.fullmatch(s):
        n = _to_int(m["n"] or m["en"])
        return None if n is None else today - datetime.timedelta(days=7 * n)

    if m := _CN_WEEKDAY.fullmatch(s):
        wd, pre = _CN_WEEKDAYS[m["wd"]], m["pre"]
        if pre is None:
            return _most_recent_weekday(today, wd)
        if pre.startswith("上上"):
            return _week_day(today, wd, 2)
        if pre.startswith("上"):
            return _week_day(today, wd, 1)
        if pre.startswith("下下"):
            return _week_day(today, wd, -2)
        if pre.startswith("下"):
            return _week_day(today, wd, -1)
        return _week_day(today, wd, 0)  # 本 / 这
    if m := _EN_WEEKDAY.fullmatch(s):
        wd, pre = _EN_WEEKDAYS[m["wd"]], m["pre"]
        if pre == "last":
            return _most_recent_weekday(today, wd, strictly_before=True)
        if pre == "this":
            return _week_day(today, wd, 0)
        if pre == "next":
            return _most_recent_weekday(today, wd, strictly_before=True) + datetime.timedelta(days=7)
        return _most_recent_weekday(today, wd)

    if m := _ISO_DATE.fullmatch(s):
        return _date_or_none(int(m["y"]), int(m["m"]), int(m["d"])) or _INVALID
    if m := _CN_DATE.fullmatch(s):
        month, day = _to_int(m["m"]), _to_int(m["d"])
        if month is None or day is None:
            return _INVALID
        if m["y"]:
            year = _to_int(m["y"])
            return (_date_or_none(year, month, day) if year else None) or _INVALID
        return _recent_occurrence(today, month, day) or _INVALID
    if m := _NUM_DATE.fullmatch(s):
        month, day = int(m["a"]), int(m["b"])
        if month > 12 and day <= 12:  # 20/11: day first
            month, day = day, month
        if m["y"]:
            year = int(m["y"])
            year += 2000 if year < 100 else 0
            return _date_or_none(year, month, day) or _INVALID
        return _recent_occurrence(today, month, day) or _INVALID
    if m := _CN_DAY_OF_MONTH.fullmatch(s):
        day = _to_int(m["d"])
        if day is None or not 1 <= day <= 31:
            return _INVALID
        year, month = today.year, today.month
        for _ in range(3):
            candidate = _date_or_none(year, month, day)
            if candidate and candidate <= today:
                return candidate
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return _INVALID
    return None


_INVALID = datetime.date.min  # sentinel: recognised as a date but impossible (2/30)


# --------------------------------------------------------------------------
# dateparser fallback
# --------------------------------------------------------------------------

# Reused for every call; only RELATIVE_BASE changes (a DateDataParser is
# cheap to build once dateparser's locale data is loaded, which it caches).
_DATEPARSER_LANGUAGES = ["zh", "en"]
_DATEPARSER_SETTINGS = {
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "RETURN_TIME_AS_PERIOD": True,  # tells a real time ("time") from an invented one ("day")
    "PREFER_DAY_OF_MONTH": "first",
    "STRICT_PARSING": False,
}
_MONTH_WORD_RE = re.compile(rf"\b(?:{'|'.join(_EN_MONTHS)})\b")
_DURATION_UNIT_WORDS = {"m", "min", "mins", "minute", "minutes", "h", "hr", "hrs", "hour", "hours"}


def _dateparser_allowed(s: str) -> bool:
    """Keep dateparser away from text it turns into nonsense.

    It reads "45" as 1945, "10 min"/"3 days" as that long ago and
    "nov 10 45" as 1945-11-10.  Only English-ish text with date words goes
    to it, and bare numbers only next to a month name.
    """
    if not re.search(r"[a-z]", s) or re.search(r"[\u3000-\u9fff]", s):
        return False
    tokens = re.findall(r"[a-z]+|\d+(?:st|nd|rd|th)?|\S", s)
    has_month = any(t in _EN_MONTHS for t in tokens)
    if not has_month:
        return False  # everything else worth having is in the regex layer
    numbers = [t for t in tokens if t[0].isdigit()]
    has_unit = any(t in _DURATION_UNIT_WORDS for t in tokens)
    return len(numbers) <= 2 and not has_unit


def _dateparser_day(s: str, base: datetime.datetime) -> tuple[datetime.date, datetime.time | None] | None:
    from dateparser.date import DateDataParser  # imported lazily: slow import

    settings = dict(_DATEPARSER_SETTINGS, RELATIVE_BASE=base)
    parser = DateDataParser(languages=_DATEPARSER_LANGUAGES, settings=settings)
    data = parser.get_date_data(s)
    if data.date_obj is None or data.period not in ("day", "time"):
        return None
    dt = data.date_obj
    return dt.date(), (dt.time().replace(second=0, microsecond=0) if data.period == "time" else None)


# --------------------------------------------------------------------------
# Public API: dates
# --------------------------------------------------------------------------

_GLUE_RE = re.compile(r"(?:\b(?:at|on)\b|@|的|,|，)")


def parse_when(text: str, now: datetime.datetime, *, max_days_back: int = 60) -> When:
    """Parse a date phrase relative to ``now`` (aware, in the member's zone).

    See the module docstring for the rules.  Raises :class:`WhenError`.
    """
    s = _normalize(text or "")
    if not s or looks_like_duration(s) or re.fullmatch(r"[-+]?\d+", s):
        raise WhenError("unparseable", text)
    local_now = now.replace(tzinfo=None, second=0, microsecond=0)
    today = local_now.date()

    day_text, time, shift = _extract_time(s)
    day_text = re.sub(r"\s+", " ", _GLUE_RE.sub(" ", day_text)).strip()

    day: datetime.date | None
    if not day_text:
        if time is None:
            raise WhenError("unparseable", text)
        day = today
    else:
        day = _parse_day(day_text, today)
        if day is None and _dateparser_allowed(day_text):
            found = _dateparser_day(day_text, now.replace(tzinfo=None))
            if found is not None:
                day, dp_time = found
                if time is None:
                    time = dp_time
        if day is None or day is _INVALID:
            raise WhenError("unparseable", text)
    day += datetime.timedelta(days=shift)

    if day > today or (time is not None and datetime.datetime.combine(day, time) > local_now):
        raise WhenError("future", text)
    if (today - day).days > max_days_back:
        raise WhenError("too_old", text, limit_days=max_days_back)
    return When(day, time)


_EN_WHEN_WORDS = (
    {"today", "yesterday", "yday", "y'day", "tonight", "tomorrow", "ago", "last", "this", "next",
     "morning", "afternoon", "evening", "noon"}
    | set(_EN_WEEKDAYS) | set(_EN_MONTHS)
)
_NUMERIC_WHEN = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?"
    r"|\d{1,2}(?::\d{2})?(?:a\.?m\.?|p\.?m\.?)|\d{1,2}:\d{2}|\d{1,2}(?:st|nd|rd|th)"
)
_CJK_WHEN_CHARS = re.compile(
    r"[0-9:./\-今昨前后明大天日号月年周星期礼拜上下本这个一二三四五六七八九十两零〇半刻点时分钟午晚早晨中凌夜间里傍以之的]+"
)
_CJK_WHEN_ANCHOR = re.compile(r"[今昨明天日号月周期拜点时午晚早前]")


def looks_like_when(token: str) -> bool:
    """Cheap check: could this single token start or be part of a date phrase?

    True for "yesterday", "fri", "nov", "11/20", "4pm", "昨天下午3点", "上周五",
    "两天前"; False for names, notes and durations ("40分钟", "45").
    """
    t = unicodedata.normalize("NFKC", token or "").lower().strip().strip(",，")
    if not t or looks_like_duration(t):
        return False
    if t in _EN_WHEN_WORDS or _NUMERIC_WHEN.fullmatch(t):
        return True
    return bool(_CJK_WHEN_CHARS.fullmatch(t) and _CJK_WHEN_ANCHOR.search(t))


# --------------------------------------------------------------------------
# Durations
# --------------------------------------------------------------------------

_DUR_NUM = rf"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十]+|{_EN_NUM_WORD})"
_DURATION_RE = re.compile(
    rf"(?:(?:(?P<h>[-+]?{_DUR_NUM})\s*个?\s*(?P<hhalf>半)?|(?P<halfonly>半))\s*个?\s*"
    rf"(?:hours?|hrs?|h|小时|钟头)\s*(?:and\s+)?)?"
    rf"(?:(?P<m>[-+]?{_DUR_NUM})\s*(?P<munit>minutes?|mins?|m|分钟|分)?)?"
)
_HALF_HOUR_RE = re.compile(r"half\s+(?:an?\s+)?hour|(?:an?|one)\s+hour\s+and\s+a\s+half"
                           r"|(?P<n>\d+)\s+and\s+a\s+half\s+hours?")


def _duration_match(s: str) -> re.Match | None:
    m = _DURATION_RE.fullmatch(s)
    if not m or not (m["h"] or m["halfonly"] or m["m"]):
        return None
    if m["m"] and not m["munit"] and not (m["h"] or m["halfonly"]):
        # A bare number is minutes only when it is a plain (signed) integer.
        if not re.fullmatch(r"[-+]?\d+", m["m"]):
            return None
    return m


def _dur_number(s: str) -> float | None:
    s = s.strip()
    if re.fullmatch(r"[-+]?\d+(?:\.\d+)?", s):
        return float(s)
    n = _to_int(s)
    return None if n is None else float(n)


def looks_like_duration(token: str) -> bool:
    """Cheap syntactic check: "45", "45m", "1h30", "半小时", "四十五分钟" ..."""
    s = unicodedata.normalize("NFKC", token or "").lower().strip()
    s = re.sub(r"\s+", " ", s)
    return bool(s) and (_duration_match(s) is not None or _HALF_HOUR_RE.fullmatch(s) is not None)


def parse_duration(text: str, *, max_minutes: int = 720) -> int:
    """Parse a duration into whole minutes (a bare number is minutes).

    Raises :class:`DurationError` with code ``unparseable``, ``not_positive``
    (zero or negative) or ``too_long`` (more than ``max_minutes``).
    """
    s = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "").lower().strip())
    minutes: float | None = None
    if hm := _HALF_HOUR_RE.fullmatch(s):
        if hm["n"]:
            minutes = (int(hm["n"]) + 0.5) * 60
        else:
            minutes = 90.0 if "and" in s else 30.0
    elif m := _duration_match(s):
        hours = 0.0
        if m["halfonly"]:
            hours = 0.5
        elif m["h"]:
            h = _dur_number(m["h"])
            if h is None:
                raise DurationError("unparseable", text)
            hours = h + (0.5 if m["hhalf"] else 0)
        mins = 0.0
        if m["m"]:
            v = _dur_number(m["m"])
            if v is None:
                raise DurationError("unparseable", text)
            if m["munit"] is None and (m["h"] or m["halfonly"]) and not 0 <= v < 60:
                raise DurationError("unparseable", text)  # "1h75"
            mins = v
        minutes = hours * 60 + mins
    if minutes is None:
        raise DurationError("unparseable", text)
    result = round(minutes)
    if result <= 0:
        raise DurationError("not_positive", text)
    if result > max_minutes:
        raise DurationError("too_long", text, max_minutes=max_minutes)
    return result
