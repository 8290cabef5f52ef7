"""teachlog's Prometheus metrics, on a registry of its own, and the one-line hooks the application calls.

Counters and histograms are fed where things happen (the chat engine, the sender,
the planner, the school report, the adapters' apologies); the outbox gauges are set
from the database when `/metrics` is scraped (:mod:`bot.observability.health`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import ParamSpec, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

P = ParamSpec("P")
R = TypeVar("R")

REGISTRY = CollectorRegistry()

UPDATES_HANDLED = Counter("teachlog_updates_handled", "Updates the chat engine handled, by platform and kind "
                          "(command, text, tap, upload, other).", ["platform", "kind"], registry=REGISTRY)
STEP_SECONDS = Histogram("teachlog_step_seconds", "Time the chat engine took to answer one update, waiting for "
                         "the conversation's earlier steps included.", ["platform"], registry=REGISTRY,
                         buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
APOLOGIES_SENT = Counter("teachlog_apologies_sent", "Times a person was told that something went wrong on the "
                         "bot's side.", ["platform"], registry=REGISTRY)
DELIVERIES = Counter("teachlog_deliveries", "Outbox messages tried, by result: sent, retried (timeout, server "
                     "error, rate limit, group moved), unreachable (blocked or removed), failed (refused or too "
                     "many attempts), cancelled (no longer wanted).", ["result"], registry=REGISTRY)
NOTIFICATIONS_PLANNED = Counter("teachlog_notifications_planned", "Notifications written to the outbox, by kind "
                                "(reminder, leaderboard, leaderboard_chart, digest).", ["kind"], registry=REGISTRY)
SCHOOL_REPORT_SECONDS = Histogram("teachlog_school_report_seconds", "Time to compute one school's report.",
                                  registry=REGISTRY, buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
OUTBOX_PENDING = Gauge("teachlog_outbox_pending_rows", "Outbox rows not sent yet (pending or being sent, not "
                       "expired), by platform; read from the database when scraped.", ["platform"], registry=REGISTRY)
OUTBOX_OLDEST_DUE = Gauge("teachlog_outbox_oldest_due_seconds", "How long the oldest due, unsent outbox row has "
                          "been due, by platform (0 when none is due).", ["platform"], registry=REGISTRY)
DATABASE_REACHABLE = Gauge("teachlog_database_reachable", "1 when the last scrape could read the database, else 0.",
                           registry=REGISTRY)
PLATFORM_CONNECTED = Gauge("teachlog_platform_connected", "1 while this process's chat platform is connected.",
                           ["platform"], registry=REGISTRY)

#: How each outcome the sender records (bot.notifications.delivery) counts among the deliveries' results.
DELIVERY_RESULTS = {
    "sent": "sent",
    "transient": "retried", "retry_after": "retried", "moved": "retried",
    "blocked": "unreachable",
    "rejected": "failed", "gave_up": "failed",
    "cancelled": "cancelled",
}

_connected: dict[str, bool] = {}


def update_handled(platform: str, kind: str, seconds: float) -> None:
    UPDATES_HANDLED.labels(platform, kind).inc()
    STEP_SECONDS.labels(platform).observe(seconds)


def apology_sent(platform: str) -> None:
    """Call where an adapter tells a person that their update failed on our side."""
    APOLOGIES_SENT.labels(platform).inc()


def delivery_recorded(outcome: str) -> None:
    """Call for each outcome the sender records for an outbox row."""
    DELIVERIES.labels(DELIVERY_RESULTS.get(outcome, outcome)).inc()


def notifications_planned(by_kind: Mapping[str, int]) -> None:
    """Call with how many new outbox rows of each kind a planning round wrote."""
    for kind, count in by_kind.items():
        NOTIFICATIONS_PLANNED.labels(kind).inc(count)


def set_platform_connected(name: str, connected: bool) -> None:
    """Call where a platform's run connects and where it stops; `/healthz` reports it."""
    _connected[name] = connected
    PLATFORM_CONNECTED.labels(name).set(1 if connected else 0)


def platform_connected(name: str) -> bool:
    return _connected.get(name, False)


def timed_school_report(compute: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Decorates the school report's computation: each call's time goes into its histogram."""
    @functools.wraps(compute)
    async def timed(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        try:
            return await compute(*args, **kwargs)
        finally:
            SCHOOL_REPORT_SECONDS.observe(time.perf_counter() - started)
    return timed


def exposition() -> bytes:
    """Every metric in Prometheus' text format."""
    return generate_latest(REGISTRY)
