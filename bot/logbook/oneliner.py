"""Parse the arguments of a one-line ``/log`` into a draft entry.

Examples::

    家访 王小明 昨天 40分钟 了解学习情况
    call Li Lei today 10min
    tutoring 张三 45

The line is read left to right:

1. an optional activity alias at the start (the longest matching alias wins;
   aliases may be several words, and a Chinese alias may be glued to the
   name, as in ``家访王小明``);
2. the student's name: every token up to the first one that starts a date
   phrase or a duration.  A bare number (``45``) counts as a duration only
   once a name has been given;
3. a block of at most one date phrase and one duration, in either order.  A
   date phrase may span up to three tokens (``last friday``, ``2 days ago``,
   ``yesterday 4pm``, ``昨天 下午3点``); the longest window that
   :func:`bot.logbook.dates.parse_when` accepts wins;
4. everything after that block is the notes, kept as typed.

Anything missing stays None so the conversation can ask for it.  A part that
is recognisably a date or a duration but cannot be used (future, too old,
impossible, too long, zero) leaves its field None and records the error code
in ``Draft.errors`` under ``"when"`` or ``"duration_minutes"``.

Pure functions, no chat-platform or storage imports.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.logbook.dates import (
    DurationError,
    When,
    WhenError,
    looks_like_duration,
    looks_like_when,
    parse_duration,
    parse_when,
)

__all__ = ["NAME_LIKE_DATE_WORDS", "Draft", "parse_one_liner", "when_window_ok"]


@dataclass
class Draft:
    """What a one-line ``/log`` said; None where it said nothing usable."""

    activity: str | None = None  # activity code, e.g. "home_visit"
    student: str | None = None
    when: When | None = None
    duration_minutes: int | None = None
    notes: str | None = None
    problems: list[str] = field(default_factory=list)  # reserved
    errors: dict[str, str] = field(default_factory=dict)  # field -> error code


@dataclass
class _Tok:
    text: str
    start: int
    end: int

    @property
    def key(self) -> str:
        return unicodedata.normalize("NFKC", self.text).lower()


_MAX_WHEN_TOKENS = 3
_MAX_DURATION_TOKENS = 4
# Words that may appear inside a multi-token date phrase without looking
# like a date on their own ("2 days ago", "the day before yesterday").
_WHEN_GLUE = {
    "at", "on", "@", "the", "day", "days", "week", "weeks", "before", "after",
    "of", "a", "an", "one", "two", "three", "four", "five", "six", "seven",
    "in", "and", "hour", "hours", "minute", "minutes", "mins", "couple", "just", "few", "night",
}
_MONTH_WORDS = {
    "january", "jan", "february", "feb", "march", "mar", "april", "apr", "may",
    "june", "jun", "july", "jul", "august", "aug", "september", "sept", "sep",
    "october", "oct", "november", "nov", "december", "dec",
}
# Capitalised words that are more likely a name than a date when they come
# where the name is expected ("call Sun Li today", "visit May 10min").
NAME_LIKE_DATE_WORDS = {"sun", "may", "june", "april", "august", "march"}
_BARE_NUMBER = re.compile(r"\d+")
# A bare number followed by one of these counts back from today or now ("2 days ago", "2 hours ago").
_COUNTED_UNITS = {"day", "days", "week", "weeks", "hour", "hours", "minutes", "mins"}
_NOTES_LEADING_PUNCT = " \t-—–:：,，;；"


def _tokenize(text: str) -> list[_Tok]:
    return [_Tok(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def _is_cjk(s: str) -> bool:
    return any("\u3000" <= c <= "\u9fff" for c in s)


def _match_activity(text: str, tokens: list[_Tok], aliases: Mapping[str, str]) -> tuple[str | None, list[_Tok]]:
    """Longest alias at the start; returns (code, remaining tokens)."""
    if not tokens:
        return None, tokens
    keys = [tok.key for tok in tokens]
    best: tuple[int, str, list[_Tok]] | None = None
    for alias, code in aliases.items():
        words = unicodedata.normalize("NFKC", alias).lower().split()
        if not words:
            continue
        length = len(" ".join(words))
        if best is not None and length <= best[0]:
            continue
        if keys[: len(words)] == words:
            best = (length, code, tokens[len(words):])
        elif len(words) == 1 and _is_cjk(words[0]) and keys[0].startswith(words[0]):
            # 家访王小明: alias glued to the name.
            first = tokens[0]
            cut = len(words[0])
            rest = _Tok(first.text[cut:], first.start + cut, first.end)
            best = (length, code, [rest, *tokens[1:]])
    if best is None:
        return None, tokens
    return best[1], best[2]


def when_window_ok(keys: list[str]) -> bool:
    """Could these tokens together form one date phrase?"""
    if not any(looks_like_when(k) for k in keys):
        return False
    for i, k in enumerate(keys):
        if looks_like_when(k) or k in _WHEN_GLUE:
            continue
        if _BARE_NUMBER.fullmatch(k):
            prev = keys[i - 1] if i > 0 else ""
            nxt = keys[i + 1] if i + 1 < len(keys) else ""
            if prev in _MONTH_WORDS or nxt in _MONTH_WORDS or nxt in _COUNTED_UNITS:
                continue
        return False
    return True


def _match_when(tokens: list[_Tok], i: int, now: datetime.datetime, *, in_name: bool,
                max_days_back: int) -> tuple[int, When | None, str | None] | None:
    """Try a date phrase starting at token i.

    Returns (tokens used, When or None, error code or None), or None when
    the tokens there are not a date phrase at all.
    """
    first = tokens[i]
    if in_name and first.text.istitle() and first.key in NAME_LIKE_DATE_WORDS:
        return None
    errors: list[tuple[int, str]] = []
    for size in range(min(_MAX_WHEN_TOKENS, len(tokens) - i), 0, -1):
        window = tokens[i: i + size]
        keys = [t.key for t in window]
        if not when_window_ok(keys):
            continue
        try:
            return size, parse_when(" ".join(keys), now, max_days_back=max_days_back), None
        except WhenError as exc:
            if exc.code != "unparseable":
                # A longer window read as a date wins over a shorter one ("Fri 14 Nov" is not "Fri").
                return size, None, exc.code
            errors.append((size, exc.code))
    usable = [(size, code) for size, code in errors if code != "unparseable"]
    if usable:
        size, code = max(usable)
        return size, None, code
    if looks_like_when(first.key) and any(c.isdigit() for c in first.key):
        # Clearly meant as a date ("2/30", "13月5号") but impossible.
        return 1, None, "unparseable"
    return None


def _match_duration(tokens: list[_Tok], i: int, *, allow_bare: bool,
                    max_minutes: int) -> tuple[int, int | None, str | None] | None:
    """Try a duration starting at token i: (tokens used, minutes, error)."""
    for size in range(min(_MAX_DURATION_TOKENS, len(tokens) - i), 0, -1):
        window = " ".join(t.key for t in tokens[i: i + size])
        if not looks_like_duration(window):
            continue
        if not allow_bare and re.fullmatch(r"[-+]?\d+", window):
            continue
        try:
            return size, parse_duration(window, max_minutes=max_minutes), None
        except DurationError as exc:
            return size, None, exc.code
    return None


def parse_one_liner(
    text: str,
    aliases: Mapping[str, str],
    now: datetime.datetime,
    *,
    max_days_back: int = 60,
    max_minutes: int = 720,
) -> Draft:
    """Parse ``/log`` arguments into a :class:`Draft` (see module docstring).

    ``aliases`` maps lower-cased words or phrases to activity codes;
    ``now`` is timezone-aware in the member's zone.  ``max_days_back`` and
    ``max_minutes`` are passed to :func:`parse_when` / :func:`parse_duration`.
    """
    limits = {"max_days_back": max_days_back}
    draft = Draft()
    text = text or ""
    activity, tokens = _match_activity(text, _tokenize(text), aliases)
    draft.activity = activity
    tokens = [t for t in tokens if t.text]

    # Name: tokens up to the first date phrase or duration.
    i = 0
    name: list[_Tok] = []
    while i < len(tokens):
        if _match_when(tokens, i, now, in_name=True, **limits) is not None:
            break
        if _match_duration(tokens, i, allow_bare=bool(name), max_minutes=max_minutes) is not None:
            break
        name.append(tokens[i])
        i += 1
    if name:
        draft.student = text[name[0].start: name[-1].end]

    # Block: one date phrase and one duration, in either order.
    have_when = have_duration = False
    while i < len(tokens):
        if not have_when and (w := _match_when(tokens, i, now, in_name=False, **limits)) is not None:
            used, value, error = w
            draft.when = value
            if error:
                draft.errors["when"] = error
            have_when = True
            i += used
            continue
        if not have_duration and (
                d := _match_duration(tokens, i, allow_bare=True, max_minutes=max_minutes)) is not None:
            used, minutes, error = d
            draft.duration_minutes = minutes
            if error:
                draft.errors["duration_minutes"] = error
            have_duration = True
            i += used
            continue
        break

    if i < len(tokens):
        notes = text[tokens[i].start:].strip().lstrip(_NOTES_LEADING_PUNCT).strip()
        draft.notes = notes or None
    return draft
