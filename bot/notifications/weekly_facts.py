"""Gathering what the leaderboard and the digest say about a school's week, from standings and storage.

The standings come from a :data:`StandingSource` (``bot.quotas.standing.school_standing``
in production, a fake in tests); the counts per activity — per member and for
the school, this week and the one before — are one scan of the entries
(:func:`storage.reports.tallies_by_member`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Awaitable, Callable, Mapping, Sequence

from bot.notifications.digest import DigestFacts, EntryChange, QuotaOutage
from bot.notifications.leaderboard import Contender, WeekResults
from bot.notifications.reminder_text import needs_reminder
from bot.notifications.schedule import iso_week_key
from bot.quotas.holiday_horizon import years_without_holidays_now
from bot.quotas.standing import SchoolStanding, school_standing, school_standings
from storage import delivery_holds, reports, weekly
from storage import repository as repo
from storage.db import Database
from storage.models import School

#: Where every active member of a school stands on each rule on a (local) day.
StandingSource = Callable[[int, dt.date], Awaitable[SchoolStanding]]


class DatabaseStanding:
    """The production source: :func:`bot.quotas.standing.school_standing` over `db`, and :meth:`many` schools'
    at once (:func:`bot.quotas.standing.school_standings`)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def __call__(self, school_id: int, today: dt.date) -> SchoolStanding:
        return await school_standing(self.db, school_id, today)

    async def many(self, school_ids: Sequence[int], today: dt.date) -> dict[int, SchoolStanding]:
        return await school_standings(self.db, school_ids, today)


def database_standing(db: Database) -> DatabaseStanding:
    return DatabaseStanding(db)


async def standings_of(source: StandingSource, school_ids: Sequence[int],
                       today: dt.date) -> dict[int, SchoolStanding]:
    """Many schools' standings from `source`: together when it can (:class:`DatabaseStanding`), else one by one."""
    if isinstance(source, DatabaseStanding):
        return await source.many(school_ids, today)
    return {school_id: await source(school_id, today) for school_id in school_ids}


def kept_standing(kept: Mapping[int, SchoolStanding], today: dt.date, source: StandingSource) -> StandingSource:
    """`source`, answering from the standings already computed for `today` when it can."""
    async def standing(school_id: int, day: dt.date) -> SchoolStanding:
        found = kept.get(school_id) if day == today else None
        return found if found is not None else await source(school_id, day)
    return standing


def _per_activity(codes: list[str], start: dt.date, end: dt.date, *, own_only: bool = False) -> list[reports.Tally]:
    return [reports.Tally((code,), start, end, own_only=own_only) for code in codes]


async def week_results(db: Database, standing_source: StandingSource, school_id: int,
                       monday: dt.date) -> WeekResults:
    """The ranked week from `monday` to Sunday, with the week before it for comparison."""
    sunday = monday + dt.timedelta(days=6)
    standing = await standing_source(school_id, sunday)
    codes = [activity.code for activity in standing.policy.activities]
    before, before_end = monday - dt.timedelta(days=7), sunday - dt.timedelta(days=7)
    tallies = (_per_activity(codes, monday, sunday) + _per_activity(codes, before, before_end)
               + _per_activity(codes, monday, sunday, own_only=True)
               + _per_activity(codes, before, before_end, own_only=True))
    async with db.transaction() as session:
        by_member = await reports.tallies_by_member(session, school_id, tallies)
    # Four blocks of one column per activity: this week, the week before, and both again counting
    # each entry once (own_only), whose sums over everyone are the school's totals.
    blocks = {member_id: _blocks(values, len(codes)) for member_id, values in by_member.items()}
    nothing = _blocks((0,) * len(tallies), len(codes))
    contenders = tuple(
        Contender(member.member_id, member.display_name, member.share_met,
                  {code: n for code, n in zip(codes, blocks.get(member.member_id, nothing)[0], strict=True) if n},
                  sum(blocks.get(member.member_id, nothing)[1]))
        for member in standing.members)
    totals, totals_before = (_school_sums(blocks.values(), block, codes) for block in (2, 3))
    return WeekResults(iso_week_key(monday), contenders, totals, totals_before)


def _blocks(values: tuple[int, ...], width: int) -> list[tuple[int, ...]]:
    return [values[start:start + width] for start in range(0, len(values), width)]


def _school_sums(member_blocks, block: int, codes: list[str]) -> dict[str, int]:
    return {code: sum(blocks[block][i] for blocks in member_blocks) for i, code in enumerate(codes)}


async def digest_facts(db: Database, standing_source: StandingSource, school: School, today: dt.date) -> DigestFacts:
    """This week from Monday to `today`, against the same days of last week."""
    standing = await standing_source(school.id, today)
    codes = [activity.code for activity in standing.policy.activities]
    monday = today - dt.timedelta(days=today.weekday())
    week_began = dt.datetime.combine(monday, dt.time(0), zoneinfo.ZoneInfo(school.timezone))
    last_week = dt.timedelta(days=7)
    tallies = (_per_activity(codes, monday, today, own_only=True)
               + _per_activity(codes, monday - last_week, today - last_week, own_only=True))
    async with db.transaction() as session:
        by_member = await reports.tallies_by_member(session, school.id, tallies)
        changes = await weekly.entry_changes(session, school.id, week_began)
        idle = await weekly.members_never_logged(session, school.id)
        joined = await repo.members_with_accounts(session, [m.id for m in idle])
        not_joined = [m.display_name for m in idle if m.id not in joined]
        never_logged = [m.display_name for m in idle if m.display_name not in not_joined]
        blocked = [m.display_name for m in await weekly.blocked_members(session, school.id)]
        zone = zoneinfo.ZoneInfo(school.timezone)
        outages = [QuotaOutage(hold.platform, hold.since.astimezone(zone).date(), unsent)
                   for hold, unsent in await delivery_holds.reminders_kept_back_by_hold(session, school.id, week_began)]
    blocks = [_blocks(values, len(codes)) for values in by_member.values()]
    behind = [(member.display_name, [p for p in member.rules if needs_reminder(p)]) for member in standing.members]
    unreached = [(student, member.display_name)
                 for member in standing.members for p in member.rules
                 if standing.policy.rule(p.rule_id).per_student for student in p.students_missing]
    return DigestFacts(iso_week_key(today), [(name, rules) for name, rules in behind if rules],
                       _school_sums(blocks, 0, codes), _school_sums(blocks, 1, codes),
                       [EntryChange(*change) for change in changes], never_logged, blocked, unreached,
                       not_joined, years_without_holidays_now(standing.policy, today), outages)

