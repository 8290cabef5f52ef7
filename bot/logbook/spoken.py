"""Read a sentence as people say it into a draft entry: 「昨天下午去王小明家家访了四十分钟，主要了解学习情况」,
「前天晚上辅导吴小龙作业一个小时」, "I visited Li Lei's family yesterday afternoon for forty minutes".

Unlike the one-line order of :mod:`bot.logbook.oneliner`, the parts may come in any order and glued together, as
speech recognition writes them. Each part is taken out of what is still unread, in this order:

1. the student, when the sentence names one of the member's paired or recent students (in full, or 「小明」 for
   王小明 when no other of them is called so);
2. the activity, by the policy's words anywhere in the sentence (its names and aliases: 家访, 电话, 辅导; a Chinese
   word split by 了/个/一封 as in 打了个电话; English verbs in any form: "visited", "called", "tutored"); the
   earliest wins, the longest where two start together;
3. 「王小明家」: a name before 家 (家长, 家里);
4. the date and time (昨天下午, 前天晚上, 上周五, "last friday", "this morning"), as
   :func:`bot.logbook.dates.parse_when` reads them; the longest phrase wins;
5. the duration in words (四十分钟, 半个钟头, 一个半小时, 两个小时, "forty minutes", "an hour and a half"), or
   else from a range of hours in the date (下午两点到四点, "3pm to 4:30pm");
6. the student from the words beside the activity (辅导吴小龙作业, "called Zhang Wei's mother"), or, when no
   activity was said, from the first words left;
7. what is left, without filler (了, 主要, "and", "um") and the words around a name, is the notes.

What is not found stays None; a date or duration that is found but cannot be used is recorded in
``Draft.errors`` as the one-liner does. :func:`read_log_line` reads a line in the one-line order when it is
written so, and as a sentence otherwise. Pure functions, no chat-platform or storage imports.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from bot.logbook.dates import DurationError, When, WhenError, parse_duration, parse_time_of_day, parse_when
from bot.logbook.oneliner import NAME_LIKE_DATE_WORDS, Draft, parse_one_liner, when_window_ok
from bot.logbook.spoken_names import (
    SURNAMES,
    english_name,
    is_cjk,
    is_only_lead_in,
    name_at_start,
    name_before_home,
    strip_relation,
    whole_name,
)

__all__ = ["read_log_line", "read_sentence"]

_HIDDEN = "\x00"  # stands for a character already read (adapters strip NUL from what people send)
_PUNCTUATION = "，,。.！!？?；;、：\n"


@dataclass
class _Sentence:
    """The sentence, its folded form (same length: NFKC, lower case) and which characters are read."""

    text: str
    key: str
    read: list[bool]

    @classmethod
    def of(cls, text: str) -> _Sentence:
        text = text.replace(_HIDDEN, " ")
        return cls(text, "".join(_fold(c) for c in text), [False] * len(text))

    def unread(self) -> str:
        """The folded text with every read character hidden, so no pattern matches across or into them."""
        return "".join(_HIDDEN if done else c for c, done in zip(self.key, self.read, strict=True))

    def take(self, start: int, end: int) -> None:
        self.read[start:end] = [True] * (end - start)

    def pieces(self) -> list[tuple[int, int]]:
        """The unread stretches between what was read and punctuation, trimmed of spaces."""
        found = []
        for m in re.finditer(rf"[^{_HIDDEN}{re.escape(_PUNCTUATION)}]+", self.unread()):
            start, end = m.start(), m.end()
            while start < end and self.text[start].isspace():
                start += 1
            while end > start and self.text[end - 1].isspace():
                end -= 1
            if end > start:
                found.append((start, end))
        return found

    def between(self, start: int, end: int) -> str:
        return self.text[start:end] if start <= end else ""


def _fold(c: str) -> str:
    folded = unicodedata.normalize("NFKC", c).lower()
    return folded if len(folded) == 1 else (c.lower() if len(c.lower()) == 1 else c)


# --- the student, when the member has logged them before -----------------------------------------------------

@lru_cache(maxsize=1024)
def _name_pattern(name: str) -> re.Pattern[str]:
    words = [re.escape("".join(_fold(c) for c in w)) for w in name.split()]
    if is_cjk(name):
        return re.compile("".join(words))
    return re.compile(r"(?<![a-z0-9])" + r"\s+".join(words) + r"(?![a-z0-9])")


def _known_student(sentence: _Sentence, students: Iterable[str]) -> str | None:
    names = sorted({" ".join(s.split()) for s in students if s and s.strip()}, key=len, reverse=True)
    given: dict[str, list[str]] = {}
    for name in names:
        if is_cjk(name) and len(name) == 3:
            given.setdefault(name[1:], []).append(name)
    said_as = [(name, name) for name in names]
    said_as += [(short, owners[0]) for short, owners in given.items() if len(owners) == 1 and short not in names]
    unread = sentence.unread()
    for said, name in said_as:
        for m in _name_pattern(said).finditer(unread):
            if said != name and unread[m.start() - 1: m.start()] in SURNAMES:
                continue  # 小明 of 王小明 is not 李小明
            sentence.take(m.start(), m.end() + _relation_length(sentence.text[m.end():]))
            return name
    return None


def _relation_length(after_name: str) -> int:
    """How much of what follows a name only says whose family it is (家长, 作业, "'s mother")."""
    if is_cjk(after_name[:1]):
        return len(after_name) - len(strip_relation(after_name))
    relation = _EN_RELATION.match(after_name)
    return relation.end() if relation else 0


# --- the activity ------------------------------------------------------------------------------------------

def _word_forms(word: str) -> str:
    """A regex for an English word in the forms a sentence uses: visit → visits, visited, visiting."""
    w = re.escape(word)
    if word.endswith("e"):
        return rf"(?:{w}[sd]?|{re.escape(word[:-1])}ing)"
    last = re.escape(word[-1])
    return rf"{w}(?:s|es|ed|ing|{last}ed|{last}ing)?"


@lru_cache(maxsize=1024)
def _alias_pattern(alias: str) -> re.Pattern[str]:
    folded = "".join(_fold(c) for c in alias)
    if is_cjk(folded):
        word = "".join(folded.split())
        # 打了个电话, 写了一封信: a measure word or 了 may split a Chinese word after its first character.
        return re.compile(re.escape(word[0]) + r"[了个一封次趟下过]{0,3}" + re.escape(word[1:]))
    *head, last = folded.split()
    return re.compile(r"(?<![a-z0-9])" + r"\s+".join([*map(re.escape, head), _word_forms(last)]) + r"(?![a-z0-9])")


def _activity(sentence: _Sentence, aliases: Mapping[str, str]) -> tuple[str, int, int] | None:
    """The earliest activity word (the longest of those starting together): (code, start, end)."""
    unread = sentence.unread()
    best: tuple[int, int, str] | None = None
    for alias, code in aliases.items():
        if not alias.strip():
            continue
        if m := _alias_pattern(alias).search(unread):
            if best is None or (m.start(), -m.end()) < (best[0], -best[1]):
                best = (m.start(), m.end(), code)
    if best is None:
        return None
    sentence.take(best[0], best[1])
    return best[2], best[0], best[1]


# --- 「王小明家」 -------------------------------------------------------------------------------------------

_HOME = re.compile(r"家(?:长|里)?")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+$")


def _home_name(sentence: _Sentence, *, strict: bool) -> str | None:
    """A name said before 家 (家长, 家里), not 家访: 「去王小明家」 → 王小明."""
    unread = sentence.unread()
    for m in _HOME.finditer(unread):
        if unread[m.start() + 1: m.start() + 2] == "访":
            continue
        before = _CJK_RUN.search(unread[:m.start()])
        if before is None:
            continue
        said = sentence.text[before.start():m.start()]
        found = name_before_home(said, strict=strict)
        if found is not None:
            start, end = before.start() + found[0], before.start() + found[1]
            sentence.take(start, m.end())
            return sentence.text[start:end]
    return None


# --- the date -----------------------------------------------------------------------------------------------

# Characters a Chinese date or time phrase is made of, and those one of them must hold.
_CJK_WHEN_RUN = re.compile(
    r"[0-9:./\-今昨前后明大天日号月年周星期礼拜上下本这个一二三四五六七八九十两零〇半刻点时分钟午晚早晨中凌夜间里傍以之"
    r"儿刚才方深到至]+"
)
_CJK_WHEN_ANCHOR = re.compile(r"[今昨明天日号月周期拜点时午晚早刚才]")
# Said in passing, not as a time: 有一点 (a little), "now" (as in "they now understand").
_NOT_WHEN = {"一点", "一点儿", "点儿", "now", "this", "last"}
_LATIN_TOKEN = re.compile(r"[a-z0-9](?:[a-z0-9'’:./\-]*[a-z0-9])?")
_MAX_WHEN_WORDS = 5
_RANGE_WORDS = {"from", "to", "until", "till", "-"}  # inside a date phrase: "yesterday from 3pm to 4pm"
# No Chinese date phrase is longer (上上周五下午三点四十五分 is 13): longer stretches are read in windows this long.
_MAX_WHEN_CHARS = 16


@dataclass(frozen=True)
class _Reading:
    start: int
    end: int
    value: When | int | None
    error: str | None


def _when_readings(sentence: _Sentence, now: dt.datetime, max_days_back: int) -> list[_Reading]:
    """Every stretch of the unread sentence that reads as a date phrase (or is one, but unusable)."""
    unread, readings = sentence.unread(), []
    for run in _CJK_WHEN_RUN.finditer(unread):
        text = run.group()
        for size in range(min(len(text), _MAX_WHEN_CHARS), 1, -1):  # the longest phrase that reads as a date
            for i in range(len(text) - size + 1):
                phrase = text[i:i + size]
                if phrase not in _NOT_WHEN and _CJK_WHEN_ANCHOR.search(phrase):
                    readings += _when_reading(phrase, run.start() + i, now, max_days_back)
            if any(run.start() <= r.start < run.end() for r in readings):
                break  # 下周五 is a date in the future, not the 周五 inside it
    tokens = list(_LATIN_TOKEN.finditer(unread))
    for i, first in enumerate(tokens):
        if sentence.text[first.start():first.end()].istitle() and first.group() in NAME_LIKE_DATE_WORDS:
            continue
        for size in range(min(_MAX_WHEN_WORDS, len(tokens) - i), 0, -1):
            window = tokens[i:i + size]
            if any(unread[a.end():b.start()].strip() for a, b in zip(window, window[1:], strict=False)):
                continue  # the words are not next to each other
            words = [t.group() for t in window]
            checked = ["at" if w in _RANGE_WORDS and 0 < k < size - 1 else w for k, w in enumerate(words)]
            if (size == 1 and words[0] in _NOT_WHEN) or not when_window_ok(checked):
                continue
            phrase = " ".join(w for w in words if w != "from")
            readings += _when_reading(phrase, first.start(), now, max_days_back, end=window[-1].end())
    return readings


def _when_reading(phrase: str, start: int, now: dt.datetime, max_days_back: int, *,
                  end: int | None = None) -> list[_Reading]:
    end = start + len(phrase) if end is None else end
    try:
        return [_Reading(start, end, parse_when(phrase, now, max_days_back=max_days_back), None)]
    except WhenError as refused:
        return [] if refused.code == "unparseable" else [_Reading(start, end, None, refused.code)]


def _best(readings: list[_Reading]) -> _Reading | None:
    """A usable reading before an unusable one, then the longest, then the earliest; none that lies inside a
    longer one ("friday" of "next friday" is no date of its own)."""
    whole = [r for r in readings
             if not any(q.start <= r.start and r.end <= q.end and q.end - q.start > r.end - r.start for q in readings)]
    if not whole:
        return None
    return min(whole, key=lambda r: (r.error is not None, -(r.end - r.start), r.start))


# --- the duration -------------------------------------------------------------------------------------------

_CN_NUMBER = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十]+)"
_EN_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
             "nineteen")
_EN_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_EN_NUMBER = (rf"(?:\d+(?:\.\d+)?|(?:{'|'.join(_EN_TENS)})(?:[- ](?:{'|'.join(_EN_UNITS)}))?"
              rf"|{'|'.join(_EN_TEENS)}|{'|'.join(_EN_UNITS)})")
_HOURS, _MINUTES = r"(?:hours?|hrs?)", r"(?:minutes?|mins?)"
_DURATION = re.compile(
    rf"(?:{_CN_NUMBER}\s*个?\s*[半多]?|半)\s*个?\s*(?:小时|钟头)(?:\s*{_CN_NUMBER}\s*分钟?)?(?!\s*(?:前|以前|之前))"
    rf"|{_CN_NUMBER}\s*多?\s*分钟(?!\s*(?:前|以前|之前))"
    rf"|(?<![a-z0-9])(?:for\s+)?(?:(?:a\s+)?half\s+(?:an?\s+)?hour"
    rf"|(?:an?|one|{_EN_NUMBER})\s+and\s+a\s+half\s+{_HOURS}"
    rf"|(?:an?|{_EN_NUMBER})\s+{_HOURS}(?:\s+and\s+a\s+half|\s+(?:and\s+)?{_EN_NUMBER}\s+{_MINUTES})?"
    rf"|{_EN_NUMBER}\s*{_MINUTES})(?![a-z0-9])(?!\s+ago)"
)
_EN_NUMBER_WORD = re.compile(rf"\b(?:(?:{'|'.join(_EN_TENS)})(?:[- ](?:{'|'.join(_EN_UNITS)}))?"
                             rf"|{'|'.join(_EN_TEENS)}|{'|'.join(_EN_UNITS)})\b")


def _english_number(word: str) -> str:
    """"forty-five" → "45" (the duration parser knows digits and the small words only)."""
    parts = re.split(r"[- ]", word)
    value = 0
    for part in parts:
        if part in _EN_TENS:
            value += 10 * (_EN_TENS.index(part) + 2)
        elif part in _EN_TEENS:
            value += 10 + _EN_TEENS.index(part)
        else:
            value += _EN_UNITS.index(part) + 1
    return str(value)


def _duration(sentence: _Sentence, max_minutes: int) -> _Reading | None:
    m = _DURATION.search(sentence.unread())
    if m is None:
        return None
    said = re.sub(r"^for\s+", "", m.group()).replace("多", "")  # 一个多小时: an hour and a bit
    said = re.sub(r"^a\s+half\s+hour", "half an hour", said)
    said = _EN_NUMBER_WORD.sub(lambda w: _english_number(w.group()), said)
    sentence.take(m.start(), m.end())
    try:
        return _Reading(m.start(), m.end(), parse_duration(said, max_minutes=max_minutes), None)
    except DurationError as refused:
        return _Reading(m.start(), m.end(), None, refused.code)


_RANGE = re.compile(r"(?:到|至|-|–|~|\bto\b|\buntil\b|\btill\b)\s*(?P<end>[^到至~]+)$", re.IGNORECASE)


def _range_minutes(phrase: str, start: dt.time, max_minutes: int) -> int | None:
    """How long a range of hours lasted (下午两点到四点, 3-5点, "3pm to 4:30pm"), or None when it names none."""
    said = _RANGE.search(phrase)
    end = parse_time_of_day(said["end"]) if said else None
    if end is None:
        return None
    minutes = (end.hour - start.hour) * 60 + end.minute - start.minute
    if minutes <= 0:
        minutes += 12 * 60  # 晚上七点到八点: the end is in the same half of the day
    return minutes if 0 < minutes <= min(max_minutes, 12 * 60) else None


# --- the student from the words beside the activity -----------------------------------------------------------

def _piece_name(sentence: _Sentence, start: int, end: int, *, before_activity: bool) -> str | None:
    """A name at the start of a Chinese piece (or, said before the activity, at its end), or the first
    capitalised one of an English piece; it and the words that only say whose family it is are taken as read."""
    text = sentence.text[start:end]
    if is_cjk(text):
        found = name_at_start(text)
        if found is None:
            at_end = name_before_home(text, strict=True) if before_activity else None
            name = text[at_end[0]:at_end[1]] if at_end else whole_name(text)
            if name is None:
                return None
            sentence.take(start, end)  # 「给结对的李华」 (打电话): the words before the name only lead to it
            return name
    else:
        found = english_name(text)
        if found is None:
            return None
    sentence.take(start, start + found[1] + _relation_length(sentence.text[start + found[1]:end]))
    return text[found[0]:found[1]]


_EN_RELATION = re.compile(r"(?:['’]s)?(?:\s*(?:family|mother|mum|mom|father|dad|parents?|grandmother|grandma|"
                          r"grandfather|grandpa|grandparents|home|house|place))?")


def _student_beside(sentence: _Sentence, activity: tuple[str, int, int] | None) -> str | None:
    pieces = sentence.pieces()
    if activity is None:
        candidates = pieces[:1]
    else:
        _, act_start, act_end = activity
        after = [p for p in pieces if p[0] >= act_end and _next_to(sentence.between(act_end, p[0]))][:1]
        before = [p for p in pieces if p[1] <= act_start and _next_to(sentence.between(p[1], act_start))][-1:]
        candidates = after + before
    for start, end in candidates:
        if name := _piece_name(sentence, start, end, before_activity=activity is not None and end <= activity[1]):
            return name
    return None


def _next_to(gap: str) -> bool:
    """Whether words this far from the activity are said with it: no punctuation between them, or nothing but
    punctuation (「家访，王小明，昨天」)."""
    return not any(c in _PUNCTUATION for c in gap) or not gap.strip(_PUNCTUATION + " ")


# --- the notes ----------------------------------------------------------------------------------------------

_CN_HEDGES = re.compile(r"大概|大约|差不多|左右")
_CN_LEADING_FILLER = re.compile(r"^(?:主要是|主要|然后|就是|嗯|呃|啊|那个|另外|一共|总共|共|用了|花了|待了|聊了|"
                                r"谈了|沟通了|沟通|交流了|了(?!解)|[\s，,。.、；;：:])+")
_CN_TRAILING_FILLER = re.compile(r"(?:了|的|啊|吧|呢|呀|嗯|左右|[\s，,。.、；;！!？?])+$")
_CN_FILLER_ONLY = re.compile(r"[了个一打通去到在的给和跟与次趟下我们他她做进行过又再也还就是都来回呀啊吧呢嗯那这共约"
                             r"家里时间]+")
_EN_LEADING_FILLER = re.compile(r"^(?:(?:and|then|so|um+|uh+|er|mainly|basically|well|also|just|anyway)\b[\s,]*)+",
                                re.IGNORECASE)
_EN_TRAILING_FILLER = re.compile(r"(?:[\s,.;!?]|\b(?:and|then|so|um+|uh+|for|about|around|roughly)\b)+$",
                                 re.IGNORECASE)
_EN_FILLER_WORDS = {
    "i", "we", "for", "and", "a", "an", "the", "with", "to", "at", "on", "in", "spent", "took", "it", "was", "there",
    "then", "about", "so", "my", "his", "her", "their", "me", "had", "did", "have", "went", "go", "over", "of",
    "um", "uh", "er", "just", "also", "today", "some", "session", "s", "'s", "’s", "made", "make", "paid", "pay",
    "gave", "give", "lasted", "call", "visit", "around", "roughly",
}


def _note(text: str) -> str | None:
    """A piece of what is left without filler, or None when it is only filler."""
    if is_cjk(text):
        cleaned = _CN_TRAILING_FILLER.sub("", _CN_LEADING_FILLER.sub("", _CN_HEDGES.sub("", text).strip()))
        if not strip_relation(cleaned) or is_only_lead_in(cleaned) or _CN_FILLER_ONLY.fullmatch(cleaned):
            return None  # 「作业」 left of 辅导…作业, 「去学生」 of 去学生赵云家, or filler
        return cleaned
    cleaned = _EN_TRAILING_FILLER.sub("", _EN_LEADING_FILLER.sub("", text.strip()))
    if not cleaned or all(w.lower() in _EN_FILLER_WORDS for w in re.findall(r"[\w'’]+", cleaned)):
        return None
    return cleaned


def _notes(sentence: _Sentence) -> str | None:
    notes = [n for start, end in sentence.pieces() if (n := _note(sentence.text[start:end]))]
    if not notes:
        return None
    return ("，" if any(is_cjk(n) for n in notes) else ", ").join(notes)


# --- reading ------------------------------------------------------------------------------------------------

def read_sentence(
    text: str,
    aliases: Mapping[str, str],
    now: dt.datetime,
    *,
    students: Iterable[str] = (),
    max_days_back: int = 60,
    max_minutes: int = 720,
) -> Draft:
    """Read a spoken sentence into a :class:`Draft` (see the module docstring).

    ``aliases`` maps lower-cased activity words to codes (``Policy.aliases_map()``); ``students`` are the
    member's paired and recent students; ``now`` is aware, in the member's zone.
    """
    sentence, draft = _Sentence.of(text or ""), Draft()
    draft.student = _known_student(sentence, students)
    found_activity = _activity(sentence, aliases)
    draft.activity = found_activity[0] if found_activity else None
    if draft.student is None:
        draft.student = _home_name(sentence, strict=True)
    if (when := _best(_when_readings(sentence, now, max_days_back))) is not None:
        sentence.take(when.start, when.end)
        if isinstance(when.value, When):
            draft.when = when.value
        if when.error:
            draft.errors["when"] = when.error
    if (duration := _duration(sentence, max_minutes)) is not None:
        draft.duration_minutes = duration.value if isinstance(duration.value, int) else None
        if duration.error:
            draft.errors["duration_minutes"] = duration.error
    elif when is not None and draft.when is not None and draft.when.time is not None:
        draft.duration_minutes = _range_minutes(sentence.text[when.start:when.end], draft.when.time, max_minutes)
    if draft.student is None:
        draft.student = _home_name(sentence, strict=False) or _student_beside(sentence, found_activity)
    draft.notes = _notes(sentence)
    return draft


def _said_in_order(draft: Draft, aliases: Mapping[str, str], now: dt.datetime) -> bool:
    """Whether the one-line reading is sound: an activity first, a name that holds no other part, and notes
    that hold no date or duration it missed ("visit to Zhao Lei … two hours")."""
    if draft.activity is None:
        return False
    name, notes = draft.student or "", draft.notes or ""
    if is_cjk(name) and (len(name) > _LONGEST_CHINESE_NAME or name.endswith("家") or name[0] in _PUNCTUATION) \
            or _FUNCTION_WORD.search(name):
        return False
    inside = _Sentence.of(name)
    if _activity(inside, aliases) is not None or _when_readings(inside, now, _ANY_DAYS) \
            or _duration(inside, _ANY_MINUTES) is not None:
        return False
    after = _Sentence.of(notes)
    missed_when = any(r.error is None for r in _when_readings(after, now, _ANY_DAYS))
    return not ((draft.when is None and "when" not in draft.errors and missed_when)
                or (draft.duration_minutes is None and "duration_minutes" not in draft.errors
                    and _duration(after, _ANY_MINUTES) is not None))


# 「王小明的妈妈 了解情况」 is more than a name (张三妈妈 may be one).
_LONGEST_CHINESE_NAME = 4
# "to Zhao Lei", "session with Li Ming": no name holds these words.
_FUNCTION_WORD = re.compile(r"(?<![^\s])(?:to|with|the|at|for|on|of|and|about|my|his|her|their)(?![^\s])")
# Limits wide enough that any date or duration counts when only telling whether one is there.
_ANY_DAYS, _ANY_MINUTES = 100_000, 100_000


def read_log_line(
    text: str,
    aliases: Mapping[str, str],
    now: dt.datetime,
    *,
    students: Iterable[str] = (),
    max_days_back: int = 60,
    max_minutes: int = 720,
) -> Draft:
    """What ``/log <text>`` or a voice message says: in the one-line order when it is written so
    (``家访 王小明 昨天 40分钟``), else read as a sentence (:func:`read_sentence`)."""
    in_order = parse_one_liner(text, aliases, now, max_days_back=max_days_back, max_minutes=max_minutes)
    if _said_in_order(in_order, aliases, now):
        return in_order
    return read_sentence(text, aliases, now, students=students, max_days_back=max_days_back,
                         max_minutes=max_minutes)
