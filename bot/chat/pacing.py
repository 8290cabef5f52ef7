"""Spacing a platform's calls within its rate limits: calls for one key (a chat, or an API method) at least an
interval apart, other keys not held up; and the wait a rate-limited HTTP answer names.

Any adapter whose platform limits calls per chat or per method paces them here, so the reply path
(:mod:`bot.chat.reply_path`) seldom has to wait out a 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any


class Pacer:
    """Keeps calls for one key at least `interval` seconds apart; `intervals` gives some keys an interval of
    their own. Other keys are not held up."""

    def __init__(self, interval: float, *, intervals: dict[str, float] | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self.interval, self.monotonic, self.sleep = interval, monotonic, sleep
        self.intervals = dict(intervals or {})
        self._next: dict[str, float] = {}
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @contextlib.asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[None]:
        """The key's turn: after the previous call for it, plus its interval."""
        async with self._locks[key]:
            wait = self._next.get(key, 0.0) - self.monotonic()
            if wait > 0:
                await self.sleep(wait)
            try:
                yield
            finally:
                self._next[key] = self.monotonic() + self.intervals.get(key, self.interval)


def retry_after_seconds(headers: Mapping[str, Any], default: float) -> float:
    """The seconds a 429's Retry-After header names (its name in any case, a value or a list of one); `default`
    without one."""
    value = next((value for key, value in headers.items() if key.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    return float(value) if value is not None else default
