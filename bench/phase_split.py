"""Seconds charged to the phase of a step running at each moment, for the benches that split a step
(`step_split.py`, `report_split.py`): wrappers put around the functions the step calls charge their time."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any


class Split:
    """Seconds of `clock` (wall or CPU) charged to the innermost phase running, while :attr:`on`; time outside
    every wrapped function goes to `rest`."""

    def __init__(self, rest: str, clock: Callable[[], float]) -> None:
        self.rest, self.clock = rest, clock
        self.on = False
        self.stack: list[str] = [rest]
        self.mark = clock()
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def start(self) -> None:
        self.on, self.stack, self.seconds = True, [self.rest], defaultdict(float)
        self.mark = self.clock()

    def stop(self) -> dict[str, float]:
        self._charge()
        self.on = False
        return dict(self.seconds)

    def _charge(self) -> None:
        now = self.clock()
        self.seconds[self.stack[-1]] += now - self.mark
        self.mark = now

    def enter(self, phase: str) -> None:
        if self.on:
            self._charge()
            self.stack.append(phase)

    def leave(self, phase: str) -> None:
        if self.on and self.stack[-1] == phase:
            self._charge()
            self.stack.pop()

    def charged(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function` (plain or async) with its time charged to `phase`."""
        if asyncio.iscoroutinefunction(function):
            @functools.wraps(function)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                self.enter(phase)
                try:
                    return await function(*args, **kwargs)
                finally:
                    self.leave(phase)
            return async_wrapper

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.enter(phase)
            try:
                return function(*args, **kwargs)
            finally:
                self.leave(phase)
        return wrapper

    def charged_hold(self, hold: Callable[..., Any], load_phase: str,
                     save_phase: str = "state save") -> Callable[..., Any]:
        """A conversation hold whose entry (lock and load) is `load_phase`, its exit (commit, unlock) `save_phase`."""
        @contextlib.asynccontextmanager
        async def wrapper(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            self.enter(load_phase)
            manager = hold(*args, **kwargs)
            try:
                held = await manager.__aenter__()
            finally:
                self.leave(load_phase)
            try:
                yield held
            except BaseException:
                if not await manager.__aexit__(*sys.exc_info()):
                    raise
            else:
                self.enter(save_phase)
                try:
                    await manager.__aexit__(None, None, None)
                finally:
                    self.leave(save_phase)
        return wrapper
