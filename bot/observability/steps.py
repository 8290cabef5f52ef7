"""Watching one chat engine step: its kind and time go to the metrics, its platform to the log context."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from bot.chat.events import Body, Command, Event, Tap, Text, Upload
from bot.observability import log_context, metrics


def kind_of(body: Body) -> str:
    """command, text, tap, upload or other: how `teachlog_updates_handled` counts an update."""
    kinds: list[tuple[type, str]] = [(Command, "command"), (Text, "text"), (Tap, "tap"), (Upload, "upload")]
    return next((kind for body_type, kind in kinds if isinstance(body, body_type)), "other")


@contextmanager
def observed_step(event: Event) -> Iterator[None]:
    """Around the engine's handling of `event` (a failed step counts too)."""
    platform = event.chat.platform
    started = time.perf_counter()
    with log_context.handling(platform):
        try:
            yield
        finally:
            metrics.update_handled(platform, kind_of(event.body), time.perf_counter() - started)
