"""Callers' profiles kept between chat steps, per database and platform account, until something they show changes.

Every chat step starts by finding who is writing (:func:`bot.people.membership.profile_for_account`);
reading the member and the school for each step was half of a step's time. A profile is
kept here instead, and dropped:

* when this process writes any member, school (its policy included) or platform account:
  a session that flushes one of them bumps a generation counter, before the flush and again
  after the commit, so a profile read while the change was being made is not kept either;
* after :data:`MAX_AGE_SECONDS` in any case, so a change another process made (``teachlog
  policy set``, ``school set``, ``members import`` from the shell while the bot runs) is
  seen within that time.

The counter is module-wide: members and schools change rarely, so forgetting every
profile at once costs little.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from storage import session_events
from storage.models import Member, MemberAccount, School

if TYPE_CHECKING:
    from storage.db import Database

MAX_AGE_SECONDS = 30.0
#: How stale an account's "last used" time may be before a step writes it again.
USED_AT_RESOLUTION = dt.timedelta(minutes=1)
PROFILE_TABLES = (Member, School, MemberAccount)


#: What is kept: :class:`bot.people.membership.Profile` (not imported here, which imports this module).
P = TypeVar("P")


@dataclass
class Cached(Generic[P]):
    profile: P
    generation: int
    loaded_at: float
    used_at: dt.datetime | None
    """The account's last-used time as last written by this process."""

    def needs_used_at(self, used_at: dt.datetime) -> bool:
        return self.used_at is None or not dt.timedelta(0) <= used_at - self.used_at < USED_AT_RESOLUTION


_generation = itertools.count(1)
_current = next(_generation)
_caches: weakref.WeakKeyDictionary[Database, dict[tuple[str, str], Cached[Any]]] = weakref.WeakKeyDictionary()


def invalidate() -> None:
    """Forget every cached profile (of every database)."""
    global _current
    _current = next(_generation)


def lookup(db: Database, platform: str, external_id: str) -> Cached[Any] | None:
    cached = _caches.get(db, {}).get((platform, external_id))
    if cached is None or cached.generation != _current or time.monotonic() - cached.loaded_at > MAX_AGE_SECONDS:
        return None
    return cached


def generation() -> int:
    """Take it before reading a profile, and pass it to :func:`keep`: a change made meanwhile wins."""
    return _current


def keep(db: Database, platform: str, external_id: str, profile: object, read_in_generation: int,
         used_at: dt.datetime | None) -> None:
    if read_in_generation != _current:
        return
    _caches.setdefault(db, {})[(platform, external_id)] = Cached(profile, read_in_generation, time.monotonic(),
                                                                  used_at)


session_events.on_writes(PROFILE_TABLES, invalidate)
