"""The `--metrics-port` server in tests: started on a free port against a test database, read over HTTP."""

from __future__ import annotations

import json

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.pool import NullPool

from bot.clock import Clock
from bot.database import app_database
from bot.observability.health import HealthChecker
from bot.observability.server import ObservabilityServer
from storage.db import Database


def engine_of_its_own(db: Database, schema: str | None) -> Database:
    """Another engine on `db`'s database (on PostgreSQL, in its `schema`), as the server's thread has."""
    if db.dialect == "sqlite":
        return app_database(db.url, poolclass=NullPool)
    return app_database(db.url, poolclass=NullPool, connect_args={"server_settings": {"search_path": schema}})


class Scraper:
    """An :class:`ObservabilityServer` on a free port of 127.0.0.1 and what it answers."""

    def __init__(self, checker: HealthChecker) -> None:
        self.server = ObservabilityServer(checker, 0)

    def __enter__(self) -> Scraper:
        self.server.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def health(self) -> tuple[int, dict]:
        return await health_over_http(self.url)

    async def metrics(self) -> dict[tuple[str, frozenset], float]:
        return await metrics_over_http(self.url)


def checker(db: Database, schema: str | None, clock: Clock, platform: str, *, platform_connects: bool = False,
            max_outbox_delay: float = 900.0) -> HealthChecker:
    return HealthChecker(engine_of_its_own(db, schema), clock, platform, platform_connects=platform_connects,
                         max_outbox_delay=max_outbox_delay)


async def health_over_http(url: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/healthz") as response:
        return response.status, json.loads(await response.text())


async def metrics_over_http(url: str) -> dict[tuple[str, frozenset], float]:
    """Every sample /metrics shows: (name, its labels) → value."""
    async with aiohttp.ClientSession() as session, session.get(f"{url}/metrics") as response:
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples: dict[tuple[str, frozenset], float], name: str, **labels: str) -> float:
    """A sample's value; 0 when /metrics does not show it (a counter nobody has counted yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def rise(before: dict, after: dict, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)
