"""Parse the dates, times and durations that teachers type (Chinese and English).

Pure functions, no I/O and no chat-platform imports.

``parse_when`` turns phrases such as ``昨天下午3点``, ``上周五``, ``11月20号``, ``11-20``,
``11月21日周六``, ``两天前``, ``今早``, ``刚才``, ``yesterday 4pm``, ``last friday``,
``just now`` or ``2026-11-20`` into a :class:`When` (a day plus an optional time of day),
interpreted in the time zone of the ``now`` it is given.  ``parse_duration`` turns ``45``,
``1h30``, ``一个半小时`` or ``四十五分钟`` into minutes.  ``parse_time_of_day`` reads a time
said alone (``下午7点``, ``19:00``, ``7pm``).

How it works: the text is normalised first (full-width forms, punctuation, colloquial words:
:mod:`bot.logbook.dateparts.normalize`), then a regex layer reads moments counted back from now
(:mod:`bot.logbook.dateparts.moments`), the time of day (:mod:`bot.logbook.dateparts.time_of_day`), relative
days and weekdays (here) and calendar dates (:mod:`bot.logbook.dateparts.calendar_days`).  Whatever
it does not recognise but mentions an English month goes to dateparser, and only its *date*
is kept unless it reports a real time.

Rules:

* A phrase that names only a day (``yesterday``, ``上周五``, ``11月20号``,
  ``两天前``, ``earlier today``) gives ``When(day, None)``: a time is never invented.
* A period of the day without an explicit hour gives a representative time (morning 09:00,
  noon 12:00, afternoon 15:00, 傍晚 18:00, evening 19:00, 夜里 22:00); ``刚才``/``just now`` is
  now, ``两小时前`` two hours before now.  See :mod:`bot.logbook.dateparts.time_of_day` for hours.
* Weekdays (``周五``, ``礼拜天``, ``friday``) mean the most recent one not in the future,
  so today if today is that weekday.  ``上周五``/``上礼拜五`` is Friday of the previous
  Monday-based week, ``上上周五`` the week before, ``本周一``/``这周一``/``this monday`` the one of
  the current week; ``last friday`` is the most recent Friday strictly before today.
* Numeric dates are month first (``11-20``, ``11/20``, ``11.20``), as Chinese and US users
  write them; ``20/11`` (no 20th month) is day first.  Dates without a year mean the most
  recent past occurrence (in January ``12月30号`` is last year); a weekday said with a date
  (``11月21日周六``, ``Sat 21 Nov``) picks the year it fits, and one that fits none is refused
  with ``weekday_mismatch`` rather than guessed.
* Refused (:class:`WhenError`): anything in the future (including a time later today than
  now), days more than ``max_days_back`` days before today, a weekday that contradicts its
  date, and anything unrecognised.  Vague phrases (``last week``, ``上个月``) are
  unrecognised on purpose; weeks, months or years ahead (``三个月后``, ``next month``) are
  the future.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from bot.logbook.dateparts.calendar_days import CN_WEEKDAYS as _CN_WEEKDAYS
from bot.logbook.dateparts.calendar_days import EN_MONTHS as _EN_MONTHS
from bot.logbook.dateparts.calendar_days import EN_WEEKDAYS as _EN_WEEKDAYS
from bot.logbook.dateparts.calendar_days import WeekdayMismatch, calendar_day
from bot.logbook.dateparts.moments import moment
from bot.logbook.dateparts.normalize import normalize
from bot.logbook.dateparts.numerals import CN_NUM as _CN_NUM
from bot.logbook.dateparts.numerals import EN_NUM_WORD as _EN_NUM_WORD
from bot.logbook.dateparts.numerals import to_int as _to_int
from bot.logbook.dateparts.time_of_day import TimeOfDayError, extract_time, parse_time_of_day

__all__ = [
    "When",
    "WhenError",
    "DurationError",
    "parse_when",
    "parse_duration",
    "parse_time_of_day",
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

    ``code`` is ``"unparseable"``, ``"future"``, ``"too_old"`` or ``"weekday_mismatch"``;
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
# Relative days and weekdays
# --------------------------------------------------------------------------

_RELATIVE_DAYS = {
    "今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1,
    "前天": 2, "前日": 2, "大前天": 3, "大大前天": 4,
    # Future days are recognised so that they get a "future" answer.
    "明天": -1, "明日": -1, "tomorrow": -1, "后天": -2, "大后天": -3,
    "day after tomorrow": -2, "the day after tomorrow": -2,
}
_DAYS_AGO = re.compile(
    rf"(?P<n>{_CN_NUM})\s*(?:天|日)\s*(?:前|以前|之前)|(?P<en>\d+|{_EN_NUM_WORD})\s*days?\s+ago"
)
_DAYS_AHEAD = re.compile(
    rf"(?P<n>{_CN_NUM})\s*(?:天|日)\s*(?:后|以后|之后)|in\s+(?P<en>\d+|{_EN_NUM_WORD})\s*days?"
)
# Further ahead than days: only ever refused as the future, so the exact day does not matter.
_LATER = re.compile(
    rf"(?:(?P<n>{_CN_NUM}|半)\s*个?\s*)?(?:周|星期|礼拜|月|年)\s*(?:后|以后|之后)"
    rf"|(?P<en>\d+|{_EN_NUM_WORD}|an?)\s*(?:days?|weeks?|months?|years?)\s+(?:later|from\s+now|after)"
    rf"|in\s+(?P<en_in>\d+|{_EN_NUM_WORD}|an?)\s*(?:weeks?|months?|years?)"
    r"|下个?\s*(?:周|星期|礼拜|月)|明年|后年|next\s+(?:week|month|year)"
)
_WEEKS_AGO = re.compile(
    rf"(?P<n>{_CN_NUM})\s*个?\s*(?:周|星期|礼拜)\s*(?:前|以前|之前)|(?P<en>\d+|{_EN_NUM_WORD})\s*weeks?\s+ago"
)
_CN_WEEKDAY = re.compile(
    r"(?P<pre>上上个?|上个?|本|这个?|下下个?|下个?)?\s*(?:周|星期|礼拜)\s*(?P<wd>[一二三四五六日天七1-7])"
)
_EN_WEEKDAY = re.compile(rf"(?:(?P<pre>last|this|past|next)\s+)?(?P<wd>{'|'.join(_EN_WEEKDAYS)})")
# Weeks back for each Chinese week prefix (本/这 is this week, 下 is next week).
_CN_WEEKS_BACK = {"上上": 2, "上": 1, "下下": -2, "下": -1}


def _most_recent_weekday(today: datetime.date, weekday: int, *, strictly_before: bool = False) -> datetime.date:
    back = (today.weekday() - weekday) % 7
    if back == 0 and strictly_before:
        back = 7
    return today - datetime.timedelta(days=back)


def _week_day(today: datetime.date, weekday: int, weeks_back: int) -> datetime.date:
    monday = today - datetime.timedelta(days=today.weekday())
    return monday + datetime.timedelta(days=weekday - 7 * weeks_back)


# Counting further than this says "long ago" (or "far ahead") all the same, and keeps the date arithmetic in range.
_FARTHEST_COUNT = datetime.timedelta(days=36525)


def _counted_back(m: re.Match[str], today: datetime.date, days_each: int) -> datetime.date | None:
    n = _to_int(m["n"] or m["en"])
    if n is None:
        return None
    days = max(-_FARTHEST_COUNT.days, min(_FARTHEST_COUNT.days, days_each * n))
    return today - datetime.timedelta(days=days)


def _weekday_day(s: str, today: datetime.date) -> datetime.date | None:
    if m := _CN_WEEKDAY.fullmatch(s):
        wd, pre = _CN_WEEKDAYS[m["wd"]], m["pre"]
        if pre is None:
            return _most_recent_weekday(today, wd)
        weeks_back = next((n for word, n in _CN_WEEKS_BACK.items() if pre.startswith(word)), 0)
        return _week_day(today, wd, weeks_back)
    if m := _EN_WEEKDAY.fullmatch(s):
        wd, pre = _EN_WEEKDAYS[m["wd"]], m["pre"]
        if pre == "last":
            return _most_recent_weekday(today, wd, strictly_before=True)
        if pre == "this":
            return _week_day(today, wd, 0)
        if pre == "next":
            return _most_recent_weekday(today, wd, strictly_before=True) + datetime.timedelta(days=7)
        return _most_recent_weekday(today, wd)
    return None


def _parse_day(s: str, today: datetime.date) -> datetime.date | None:
    """The regex layer for the day part.  None means "not recognised"."""
    if s in _RELATIVE_DAYS:
        return today - datetime.timedelta(days=_RELATIVE_DAYS[s])
    if m := _DAYS_AGO.fullmatch(s):
        return _counted_back(m, today, 1)
    if m := _DAYS_AHEAD.fullmatch(s):
        return _counted_back(m, today, -1)
    if m := _WEEKS_AGO.fullmatch(s):
        return _counted_back(m, today, 7)
    if _LATER.fullmatch(s):
        return today + datetime.timedelta(days=1)
    return _weekday_day(s, today) or calendar_day(s, today)


_INVALID = datetime.date.min  # calendar_day's answer for a date that cannot exist (2/30)


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


def _checked(day: datetime.date, time: datetime.time | None, local_now: datetime.datetime, text: str,
             max_days_back: int) -> When:
    """``When(day, time)`` unless it is in the future or too long ago."""
    today = local_now.date()
    if day > today or (time is not None and datetime.datetime.combine(day, time) > local_now):
        raise WhenError("future", text)
    if (today - day).days > max_days_back:
        raise WhenError("too_old", text, limit_days=max_days_back)
    return When(day, time)


def _day_of(day_text: str, today: datetime.date, now: datetime.datetime) -> tuple[datetime.date, datetime.time | None]:
    """The day ``day_text`` names (and a time, when only dateparser could read it and it gave one)."""
    try:
        day = _parse_day(day_text, today)
    except WeekdayMismatch:
        raise WhenError("weekday_mismatch", day_text) from None
    if day is None and _dateparser_allowed(day_text):
        found = _dateparser_day(day_text, now.replace(tzinfo=None))
        if found is not None:
            return found
    if day is None or day is _INVALID:
        raise WhenError("unparseable", day_text)
    return day, None


def parse_when(text: str, now: datetime.datetime, *, max_days_back: int = 60) -> When:
    """Parse a date phrase relative to ``now`` (aware, in the member's zone).

    See the module docstring for the rules.  Raises :class:`WhenError`.
    """
    s = normalize(text)
    if not s or looks_like_duration(s) or re.fullmatch(r"[-+]?\d+", s):
        raise WhenError("unparseable", text)
    local_now = now.replace(tzinfo=None, second=0, microsecond=0)
    today = local_now.date()

    if (at := moment(s, local_now)) is not None:
        return _checked(at.date(), at.time(), local_now, text, max_days_back)
    try:
        day_text, time, shift = extract_time(s)
    except TimeOfDayError:
        raise WhenError("unparseable", text) from None
    day_text = re.sub(r"\s+", " ", _GLUE_RE.sub(" ", day_text)).strip()

    if not day_text:
        if time is None:
            raise WhenError("unparseable", text)
        day = today
    else:
        try:
            day, dateparser_time = _day_of(day_text, today, now)
        except WhenError as problem:
            raise WhenError(problem.code, text) from None
        time = time or dateparser_time
    return _checked(day + datetime.timedelta(days=shift), time, local_now, text, max_days_back)


_EN_WHEN_WORDS = (
    {"today", "yesterday", "yday", "y'day", "tonight", "tomorrow", "ago", "last", "this", "next",
     "morning", "afternoon", "evening", "noon", "earlier", "now"}
    | set(_EN_WEEKDAYS) | set(_EN_MONTHS)
)
_NUMERIC_WHEN = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}(?:[-/.]\d{2,4})?"
    r"|\d{1,2}(?::\d{2})?(?:a\.?m\.?|p\.?m\.?)|\d{1,2}:\d{2}|\d{1,2}(?:st|nd|rd|th)"
)
_CJK_WHEN_CHARS = re.compile(
    r"[0-9:./\-()今昨前后明大天日号月年周星期礼拜上下本这个一二三四五六七八九十两零〇半刻点时分钟午晚早晨中凌夜间里傍以之的"
    r"儿刚才方小深。]+"
)
_CJK_WHEN_ANCHOR = re.compile(r"[今昨明天日号月周期拜点时午晚早前刚才]")


def looks_like_when(token: str) -> bool:
    """Cheap check: could this single token start or be part of a date phrase?

    True for "yesterday", "fri", "nov", "11/20", "11-20", "4pm", "昨天下午3点", "上周五",
    "两天前", "刚才"; False for names, notes and durations ("40分钟", "45").
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

#: The smallest number word read as minutes on its own.
BARE_WORD_MINUTES = 10
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
        # A bare number is minutes when it is a plain (signed) integer, or a number word of ten or more ("forty",
        # "四十"): a bare "two" or "三" might as well mean hours, and is asked again.
        if not re.fullmatch(r"[-+]?\d+", m["m"]) and (_to_int(m["m"]) or 0) < BARE_WORD_MINUTES:
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


_WHOLE_NUMBER_RE = re.compile(r"(?<![\d.])(-?)0*(\d+)")


def _refuse_huge_numbers(s: str, text: str, max_minutes: int) -> None:
    """A number with more digits than `max_minutes` is too long whatever its unit; refused before any
    arithmetic, because float() of hundreds of digits is inf and round(inf) raises OverflowError."""
    for sign, digits in _WHOLE_NUMBER_RE.findall(s):
        if len(digits) > len(str(max_minutes)):
            raise DurationError("not_positive" if sign else "too_long", text, max_minutes=max_minutes)


def parse_duration(text: str, *, max_minutes: int = 720) -> int:
    """Parse a duration into whole minutes (a bare number is minutes).

    Raises :class:`DurationError` with code ``unparseable``, ``not_positive``
    (zero or negative) or ``too_long`` (more than ``max_minutes``).
    """
    s = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "").lower().strip())
    _refuse_huge_numbers(s, text, max_minutes)
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
