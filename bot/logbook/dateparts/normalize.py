"""Bring a typed date phrase to one plain form before it is read.

Full-width digits and punctuation become ASCII (NFKC), letters lower case, runs of
spaces one space; spaces between Chinese characters, brackets, and punctuation at
either end (``昨天。``, ``(周六)``) go; hedges go (``左右``) or read as "at" (``around 8``); and
colloquial words become the plain ones the readers know: 今早 → 今天早上, 昨儿个 → 昨天,
前儿 → 前天, 昨晚 → 昨天晚上, last night → yesterday evening, a couple of days ago →
2 days ago.
"""

from __future__ import annotations

import re
import unicodedata

from bot.logbook.dateparts.calendar_days import EN_WEEKDAYS

_CJK = r"\u3000-\u9fff"
_REWRITES = [
    # Colloquial Chinese days ("儿" forms from the north, 个 as a filler).
    (re.compile(r"今儿个|今儿"), "今天"),
    (re.compile(r"昨儿个|昨儿|昨个"), "昨天"),
    (re.compile(r"前儿个|前儿"), "前天"),
    (re.compile(r"明儿个|明儿"), "明天"),
    (re.compile(r"今早|今晨"), "今天早上"),
    (re.compile(r"昨早"), "昨天早上"),
    (re.compile(r"昨晚|昨夜"), "昨天晚上"),
    (re.compile(r"今晚|今夜"), "今天晚上"),
    (re.compile(r"前晚"), "前天晚上"),
    (re.compile(r"明早"), "明天早上"),
    (re.compile(r"明晚"), "明天晚上"),
    (re.compile(r"早些时候|早些"), ""),  # 今天早些时候: earlier today
    # 早8点, 周五晚: a one-character period.
    (re.compile(r"(?<![今昨前明])早(?![上晨])"), "早上"),
    (re.compile(r"(?<![今昨前明傍])晚(?!上)"), "晚上"),
    # 上周星期五, 上周的周五: the week said twice.
    (re.compile(r"(上上|上|这|本|下下|下)个?(?:周|星期|礼拜)的?(?=(?:周|星期|礼拜)[一二三四五六日天七1-7])"), r"\1"),
    (re.compile(r"礼拜日"), "礼拜天"),
    (re.compile(r"(?<=[点时])[多整]"), ""),  # 三点多: a little after three; 三点整: three sharp
    # A range of hours said once: 3-5点 → 3点, 3-4pm → 3pm (the start is when it happened).
    (re.compile(r"(?<![\d:])([0-9一二两三四五六七八九十]{1,3})\s*(?:-|–|~|到|至)\s*[0-9一二两三四五六七八九十]{1,3}\s*(点|时)"),
     r"\1\2"),
    (re.compile(r"\b(\d{1,2}(?::\d{2})?)\s*(?:-|–|~|to)\s*\d{1,2}(?::\d{2})?\s*([ap]\.?m\.?)"), r"\1\2"),
    # English.
    (re.compile(r"\btonight\b"), "today evening"),
    (re.compile(r"\blast night\b"), "yesterday evening"),
    (re.compile(r"\bthis (morning|afternoon|evening)\b"), r"today \1"),
    (re.compile(r"\b(?:the )?day before yesterday\b"), "2 days ago"),
    (re.compile(r"\b(?:a )?couple (?:of )?days ago\b"), "2 days ago"),
    (re.compile(r"\bthis past\b"), "past"),
    (re.compile(r"\by'?day\b"), "yesterday"),
    (re.compile(r"\blunch\s*time\b|\blunchtime\b|\blunch\b"), "noon"),
    (re.compile(r"\b(days?|weeks?)\s+(?:back|before)$"), r"\1 ago"),
    (re.compile(r"\b(?:earlier today|today earlier|earlier)\b"), "today"),
]
# Words that only say "about": 下午3点左右, around 4pm.
_HEDGES = re.compile(r"左右|大概|大约|差不多")
# "around 8", "about 3pm": an English hedge is read as "at".
_EN_HEDGES = re.compile(r"\b(?:at\s+)?(?:around|about|approximately|approx\.?)\s*")
_BRACKETS = re.compile(r"[()\[\]{}【】〔〕<>《》「」]")
_EDGE_PUNCTUATION = " 。.!?,;:、…·~'\"-"


_EN_WEEKDAY_WORD = rf"(?P<wd>{'|'.join(sorted(EN_WEEKDAYS, key=len, reverse=True))})"
_EN_WEEK_WORD = r"(?P<week>last|this|next) week'?s?"
# "friday last week", "last week's friday": the weekday of that Monday-based week, as 上周五 says it.
_EN_WEEKDAY_OF_WEEK = re.compile(
    rf"\b(?:{_EN_WEEKDAY_WORD}\s+(?:of\s+)?{_EN_WEEK_WORD}|{_EN_WEEK_WORD.replace('week>', 'week2>')}\s+"
    rf"{_EN_WEEKDAY_WORD.replace('wd>', 'wd2>')})\b"
)
_CN_WEEK_PREFIXES = {"last": "上", "this": "本", "next": "下"}


def _weekday_of_week(m: re.Match[str]) -> str:
    week, weekday = m["week"] or m["week2"], m["wd"] or m["wd2"]
    return f"{_CN_WEEK_PREFIXES[week]}周{EN_WEEKDAYS[weekday] + 1}"


def normalize(text: str) -> str:
    """The plain form of a date phrase (see the module docstring)."""
    s = unicodedata.normalize("NFKC", text or "").lower()
    s = _BRACKETS.sub(" ", s)
    s = _HEDGES.sub(" ", s)
    s = _EN_HEDGES.sub(" at ", s)
    s = re.sub(r"\s+", " ", s).strip(_EDGE_PUNCTUATION)
    s = re.sub(rf"(?<=[{_CJK}0-9])\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+(?=[0-9])", "", s)
    for pattern, repl in _REWRITES:
        s = pattern.sub(repl, s)
    return _EN_WEEKDAY_OF_WEEK.sub(_weekday_of_week, s)
