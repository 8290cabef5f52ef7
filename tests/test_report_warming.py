"""The warmer finds the stored report windows gone stale — a new stored format, a policy change — and only those
of schools someone reads reports of, and recomputes them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

import bot.cli.notify as notify_cli
from bot.app_context import AppContext
from bot.cli import policy as policy_cli
from bot.database import app_database
from bot.people.schools import create_school, policy_of
from bot.platform_names import TELEGRAM
from bot.reporting import summaries
from bot.reporting.reports import report_window, school_report
from bot.reporting.warm import ReportWarmer
from bot.settings import Settings
from storage import repository as repo
from storage.migrate import upgrade
from storage.models import GroupLink, Member, ReportSlot
from tests.support.fake_telegram import FakeTelegram
from tests.test_notify_cli import FakePlatform


async def school_with_a_leader(db, clock, name: str) -> tuple[int, int]:
    school = (await create_school(db, name, policy="seed-000", now=clock.now())).school_id
    async with db.transaction() as session:
        leader = Member(school_id=school, role="leader", display_name="陈校长", joined_on=dt.date(2026, 9, 1))
        session.add(leader)
    return school, leader.id


async def test_an_upgrade_that_changes_the_stored_format_makes_every_window_stale_for_the_warmer(db, clock,
                                                                                                 monkeypatch):
    school, leader = await school_with_a_leader(db, clock, "合川中学")
    async with db.transaction() as session:
        session.add(GroupLink(platform=TELEGRAM, chat_id="-1001", school_id=school, linked_by_member_id=leader,
                              linked_at=clock.now()))
    warmer = ReportWarmer(db)
    stored = await warmer.warm(clock.now())
    assert stored == 10 and await warmer.stale(clock.now()) == []
    monkeypatch.setattr(summaries, "FORMAT", summaries.FORMAT + "-next")
    assert len(await warmer.stale(clock.now())) == stored
    async with db.transaction() as session:
        before = set(await session.scalars(select(ReportSlot.fingerprint)))
    assert await warmer.warm(clock.now()) == stored
    assert await warmer.stale(clock.now()) == []
    async with db.transaction() as session:
        after = set(await session.scalars(select(ReportSlot.fingerprint)))
    assert len(after) == stored and not after & before  # every window stored anew in the new format


async def test_the_warmer_keeps_the_schools_with_a_report_read_warm_and_leaves_the_others(db, clock):
    read, _ = await school_with_a_leader(db, clock, "合川中学")
    never_read, _ = await school_with_a_leader(db, clock, "东山中学")
    async with db.transaction() as session:
        policy = policy_of(await repo.get_school(session, read))
    await school_report(db, read, report_window("month", False, clock.now().date(), policy))  # a leader's /report
    warmer = ReportWarmer(db)
    stale = await warmer.stale(clock.now())
    assert {school.id for school, _ in stale} == {read} and len(stale) == 9  # the month it read is stored
    await warmer.warm(clock.now())
    assert await warmer.stale(clock.now()) == []
    assert {school.id for school, _ in await warmer.stale(clock.now(), every_school=True)} == {never_read}


async def test_after_policy_set_the_workers_round_recomputes_the_schools_stored_windows(tmp_path, clock):
    db = app_database(f"sqlite+aiosqlite:///{tmp_path / 'worker.db'}")
    await upgrade(db)
    school, leader = await school_with_a_leader(db, clock, "合川中学")
    async with db.transaction() as session:
        session.add(GroupLink(platform=TELEGRAM, chat_id="-1001", school_id=school, linked_by_member_id=leader,
                              linked_at=clock.now()))
    warmer = ReportWarmer(db)
    assert await warmer.warm(clock.now()) == 10
    await policy_cli._set_school_policy(db, school, "seed-002")  # what `teachlog policy set --school` does
    assert len(await warmer.stale(clock.now())) == 10
    core = AppContext(db=db, settings=Settings(_env_file=None), clock=clock)
    await notify_cli.run_worker(core, FakePlatform(FakeTelegram()), interval=0, once=True)  # `teachlog worker`
    assert await warmer.stale(clock.now()) == []
    await db.dispose()
