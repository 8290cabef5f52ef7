"""The runtime's recurring jobs on APScheduler, with a stop that waits for a job in flight to end quietly.

APScheduler's asyncio executor cancels a running job on `shutdown(wait=False)` and logs the cancellation as the
job's error, with a traceback, while the job may still be unwinding when the database is closed. Here a job
cancelled by `stop` ends without an error, and `stop` returns only once every cancelled job has ended.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

Job = Callable[[], Awaitable[object]]


class ScheduledJobs:
    """Jobs run every so many seconds on the running event loop, one instance of each at a time."""

    def __init__(self) -> None:
        self._scheduler: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[object]] = set()
        self._stopping = False

    @property
    def started(self) -> bool:
        return self._scheduler is not None

    def start(self, jobs: list[tuple[Job, float, float]]) -> None:
        """Run each `(job, every_seconds, first_after_seconds)`; a round that falls late is run once, not caught up."""
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop())
        now = dt.datetime.now(dt.UTC)
        for job, every, first in jobs:
            scheduler.add_job(self._tracked(job), "interval", seconds=every,
                              next_run_time=now + dt.timedelta(seconds=first),
                              max_instances=1, coalesce=True, misfire_grace_time=None)
        self._stopping = False
        scheduler.start()
        self._scheduler = scheduler

    async def stop(self) -> None:
        """No more rounds; a job in the middle of one is cancelled and has ended when this returns."""
        scheduler, self._scheduler = self._scheduler, None
        self._stopping = True
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
        for task in list(self._running):
            task.cancel()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def _tracked(self, job: Job) -> Callable[[], Awaitable[None]]:
        @functools.wraps(job)
        async def run() -> None:
            task = asyncio.current_task()
            assert task is not None
            self._running.add(task)
            try:
                await job()
            except asyncio.CancelledError:
                if not self._stopping:
                    raise
            finally:
                self._running.discard(task)

        return run
