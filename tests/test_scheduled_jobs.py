"""The runtime's recurring jobs: a round in flight at a stop ends quietly before the stop returns."""

from __future__ import annotations

import asyncio
import logging

from bot.chat.scheduled_jobs import ScheduledJobs


async def test_a_job_in_the_middle_of_a_round_at_stop_ends_before_stop_returns_and_logs_no_error(caplog):
    started, ended = asyncio.Event(), asyncio.Event()

    async def long_round() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        finally:
            ended.set()

    jobs = ScheduledJobs()
    jobs.start([(long_round, 60, 0)])
    await asyncio.wait_for(started.wait(), 5)
    with caplog.at_level(logging.DEBUG):
        await jobs.stop()
        await asyncio.sleep(0)

    assert ended.is_set()
    assert not jobs.started
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_job_that_fails_is_logged_and_runs_again_at_its_next_round(caplog):
    rounds = 0
    second = asyncio.Event()

    async def failing_round() -> None:
        nonlocal rounds
        rounds += 1
        if rounds >= 2:
            second.set()
        raise RuntimeError("the database is gone")

    jobs = ScheduledJobs()
    with caplog.at_level(logging.ERROR):
        jobs.start([(failing_round, 0.05, 0)])
        await asyncio.wait_for(second.wait(), 5)
        await jobs.stop()

    assert any("the database is gone" in r.getMessage() or (r.exc_info and "the database is gone" in str(r.exc_info[1]))
               for r in caplog.records)
