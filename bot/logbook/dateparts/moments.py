"""Moments counted back from now: ``刚才``, ``刚刚``, ``方才``, ``just now``, ``两小时前``,
``半小时前``, ``20分钟前``, ``an hour ago``, ``half an hour ago``, ``90 minutes ago``.

``刚才`` and ``just now`` are now itself (to the minute): whatever just happened is logged
with the time it was logged at.
"""

from __future__ import annotations

import datetime
import re

from bot.logbook.dateparts.numerals import CN_NUM, EN_NUM_WORD, to_int

__all__ = ["moment"]

_JUST_NOW = re.compile(
    r"刚才|刚刚|方才|刚|just now|right now|now|a moment ago|moments ago|a few minutes ago|a minute ago"
)
_CN_AGO = re.compile(
    rf"(?:(?P<n>{CN_NUM})\s*个?\s*(?P<half>半)?|(?P<halfonly>半))\s*个?\s*(?P<unit>小时|钟头|分钟|分)\s*(?:前|以前|之前)"
)
_EN_AGO = re.compile(
    rf"(?:(?P<n>\d+|{EN_NUM_WORD})|(?P<halfonly>half an?))\s*(?P<unit>hours?|hrs?|minutes?|mins?)\s+ago"
)
_LONGEST_AGO = datetime.timedelta(hours=24)


def _minutes_back(m: re.Match[str]) -> float | None:
    if m["halfonly"]:
        amount = 0.5
    else:
        n = to_int(m["n"])
        if n is None:
            return None
        amount = n + (0.5 if m.groupdict().get("half") else 0)
    hours = m["unit"] in ("小时", "钟头") or m["unit"].startswith("h")
    return amount * 60 if hours else amount


def moment(s: str, now: datetime.datetime) -> datetime.datetime | None:
    """The moment normalised text ``s`` names relative to naive local ``now``, or None if it names none.

    Counting back more than a day (``30小时前``) names no moment: say the day instead.
    """
    if _JUST_NOW.fullmatch(s):
        return now
    m = _CN_AGO.fullmatch(s) or _EN_AGO.fullmatch(s)
    if m is None:
        return None
    minutes = _minutes_back(m)
    if minutes is None or minutes > _LONGEST_AGO.total_seconds() / 60:
        return None
    return (now - datetime.timedelta(minutes=minutes)).replace(second=0, microsecond=0)
