"""Gathering what the leaderboard and the digest say about a school's week, from standings and storage.

The standings come from a :data:`StandingSource` (:class:`bot.quotas.kept_standings.KeptStandings`
in production, a fake in tests); the counts per activity — per member and for
the school, this week and the one before — come from the daily count table
(:func:`storage.reports.tallies_by_member`; the digests of many schools, :func:`digest_facts_of_schools`, read
their sums with :func:`storage.reports.school_entry_sums` and every other fact once for all of them).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Awaitable, Callable, Sequence

from bot.notifications.digest import DigestFacts, EntryChange, QuotaOutage
from bot.notifications.leaderboard import Contender, WeekResults
from bot.notifications.reminder_text import needs_reminder
from bot.notifications.schedule import iso_week_key
from bot.quotas.holiday_horizon import years_without_holidays_now
from bot.quotas.kept_standings import KeptStandings
from bot.quotas.policy import Policy
from bot.quotas.standing import SchoolStanding
from storage import delivery_holds, reports, weekly
from storage import repository as repo
from storage.db import Database
from storage.models import School

#: Where every active member of a school stands on each rule on a (local) day.
StandingSource = Callable[[int, dt.date], Awaitable[SchoolStanding]]


def database_standing(db: Database) -> KeptStandings:
    """The production source: the standings over `db`, one school's or many at once, what was computed kept for
    the next round."""
    return KeptStandings(db)


async def standings_of(source: StandingSource, school_ids: Sequence[int],
                       today: dt.date) -> dict[int, SchoolStanding]:
    """Many schools' standings from `source`: together when it can (:class:`KeptStandings`), else one by one."""
    if isinstance(source, KeptStandings):
        return await source.many(school_ids, today)
    return {school_id: await source(school_id, today) for school_id in school_ids}


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
    return (await digest_facts_of_schools(db, [(school, standing)], today))[school.id]


async def digest_facts_of_schools(db: Database, schools: Sequence[tuple[School, SchoolStanding]],
                                  today: dt.date) -> dict[int, DigestFacts]:
    """:func:`digest_facts` of many schools (a district's, with their standings on the same local day), each of its
    queries run once for all of them."""
    ids = [school.id for school, _ in schools]
    monday = today - dt.timedelta(days=today.weekday())
    last_week = dt.timedelta(days=7)
    codes = sorted({activity.code for _, standing in schools for activity in standing.policy.activities})
    weeks_began = {school.id: dt.datetime.combine(monday, dt.time(0), zoneinfo.ZoneInfo(school.timezone))
                   for school, _ in schools}
    async with db.transaction() as session:
        sums = await reports.school_entry_sums(session, ids, codes,
                                               [(monday, today), (monday - last_week, today - last_week)])
        changes: dict[int, list] = {}
        for began in set(weeks_began.values()):
            changed = await weekly.entry_changes_of_schools(
                session, [school_id for school_id in ids if weeks_began[school_id] == began], began)
            changes.update(changed)
        idle = await weekly.members_never_logged_of_schools(session, ids)
        joined = await repo.members_with_accounts(session, [m.id for members in idle.values() for m in members])
        blocked = await weekly.blocked_members_of_schools(session, ids)
        holds = await delivery_holds.all_holds(session)
        outages = {}
        for school, _ in schools:
            zone = zoneinfo.ZoneInfo(school.timezone)
            outages[school.id] = [
                QuotaOutage(hold.platform, hold.since.astimezone(zone).date(), unsent)
                for hold, unsent in await delivery_holds.kept_back_by_holds(session, school.id, holds,
                                                                            weeks_began[school.id])]
    found = {}
    unknown_holidays: dict[int, tuple[int, ...]] = {}  # schools on one policy share its parsed policy
    for school, standing in schools:
        school_codes = [activity.code for activity in standing.policy.activities]
        school_sums = sums.get(school.id, {})
        not_joined = [m.display_name for m in idle[school.id] if m.id not in joined]
        never_logged = [m.display_name for m in idle[school.id] if m.display_name not in not_joined]
        behind = [(member.display_name, [p for p in member.rules if needs_reminder(p)])
                  for member in standing.members]
        per_student = {rule.id for rule in standing.policy.rules if rule.per_student}
        unreached = [(student, member.display_name)
                     for member in standing.members for p in member.rules
                     if p.students_missing and p.rule_id in per_student for student in p.students_missing]
        found[school.id] = DigestFacts(
            iso_week_key(today), [(name, rules) for name, rules in behind if rules],
            {code: school_sums.get(code, (0, 0))[0] for code in school_codes},
            {code: school_sums.get(code, (0, 0))[1] for code in school_codes},
            [EntryChange(*change) for change in changes[school.id]], never_logged,
            [m.display_name for m in blocked[school.id]], unreached, not_joined,
            _unknown_holidays(unknown_holidays, standing.policy, today), outages[school.id])
    return found


def _unknown_holidays(known: dict[int, tuple[int, ...]], policy: Policy, today: dt.date) -> tuple[int, ...]:
    """:func:`years_without_holidays_now`, once per policy object among many schools' digests."""
    found = known.get(id(policy))
    if found is None:
        found = known[id(policy)] = years_without_holidays_now(policy, today)
    return found
