"""Where every member of a school stands on every rule today, computed with a bounded number of queries.

The queries are one for the members, one for the pairings (one for place assignments
when a rule counts assigned places), one for the co-visits of the whole window, and one
aggregate per distinct (period, activities, measure, scope) among the school's rules — never
one per member. Many schools (:func:`school_standings`, a district's) share those queries: each runs once over the
schools whose rules need it (on PostgreSQL, once for each part of a county, :func:`computed_standings`: a part is
computed while the next is read). The arithmetic is `bot.quotas.progress`; members who count from the same day share
each rule's target and pace, computed once, and those with the same count on a counted rule share its
result (see :class:`_Arithmetic`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from bot.parts import in_parts
from bot.people.membership import Profile
from bot.people.schools import policy_of
from bot.quotas.calendar import SchoolCalendar
from bot.quotas.policy import Policy, Rule
from bot.quotas.progress import (
    MemberFacts,
    PeriodPace,
    RuleProgress,
    counting_from,
    period_pace,
    period_progress,
    student_keys_of,
)
from bot.quotas.rule_windows import running_period
from storage import assignments as assignment_queries
from storage import records as record_queries
from storage import repository as repo
from storage.db import Database, Transaction, engine_of
from storage.models import School


@dataclass(frozen=True, slots=True)
class MemberStanding:
    member_id: int
    display_name: str
    role: str
    joined_on: dt.date
    rules: tuple[RuleProgress, ...]

    @property
    def share_met(self) -> float | None:
        """The mean share of each quota met (capped at 1 per rule); None when no quota applies."""
        shares = [min(p.done / p.target, 1.0) for p in self.rules if p.target > 0]
        return sum(shares) / len(shares) if shares else None

    @property
    def behind(self) -> tuple[RuleProgress, ...]:
        return tuple(p for p in self.rules if not p.on_pace)


@dataclass(frozen=True)
class SchoolStanding:
    school_id: int
    school_name: str
    today: dt.date
    policy: Policy
    members: tuple[MemberStanding, ...]


@dataclass(frozen=True)
class _RulePeriod:
    rule: Rule
    start: dt.date
    end: dt.date
    key: str

    @property
    def aggregate(self) -> tuple:
        """Rules that share this tuple share one query."""
        return (self.start, self.end, tuple(sorted(self.rule.activities)), self.rule.measure, self.rule.scope,
                self.rule.record)


def running_rules(policy: Policy, calendar: SchoolCalendar, today: dt.date) -> list[_RulePeriod]:
    """The rules with a period running today, with that period (cut to a phase-bound rule's window)."""
    running = []
    for rule in policy.rules:
        found = running_period(rule, today, calendar)
        if found is not None:
            period = found.period
            running.append(_RulePeriod(found.rule_in_it(rule), period.start, period.end, period.key))
    return running


async def _standings(db: Database, school_ids: Sequence[int], today: dt.date,
                     member_ids: Sequence[int] | None) -> dict[int, SchoolStanding]:
    """The standings of one school (`member_ids` of it when given) or of many (a district's): each query runs once
    for all of them, over the schools whose rules need it (member ids are unique across schools)."""
    async with db.transaction() as session:
        schools = await schools_to_stand(session, school_ids)
        if member_ids is None:
            lines = await repo.member_lines_of_schools(session, school_ids)
        else:
            lines = {school_id: await repo.school_member_lines(session, school_id, member_ids)
                     for school_id in school_ids}
        return await computed_standings(session, schools, lines, today, member_ids)


async def schools_to_stand(session: Transaction, school_ids: Sequence[int]) -> dict[int, School]:
    """The schools whose standings are asked for, by id; LookupError for an unknown one."""
    schools = await repo.schools_by_id(session, school_ids)
    unknown = [school_id for school_id in school_ids if school_id not in schools]
    if unknown:
        raise LookupError(f"no school with id {unknown[0]}")
    return schools


@dataclass(frozen=True)
class StandingInputs:
    """What the standings of some members of some schools are computed from, read in one transaction."""

    schools: Mapping[int, School]
    lines: Mapping[int, Sequence[repo.MemberLine]]
    today: dt.date
    setups: dict[int, _Setup]
    paired: dict[int, list[str]]
    places: dict[int, list[tuple[str, str]]]
    aggregates: dict[tuple, dict]

    async def standings(self) -> dict[int, SchoolStanding]:
        """Each school's standing of its members in :attr:`lines` (the arithmetic, no query), letting other
        coroutines run every :data:`MEMBERS_A_TURN` members: the reading of the next part (:func:`computed_standings`),
        whose every step waits for a turn."""
        arithmetic = _Arithmetic(self.today)
        found = {}
        turn = 0
        for school_id, school_lines in self.lines.items():
            school, setup = self.schools[school_id], self.setups[school_id]
            members = []
            for member in arithmetic.school(school, setup, school_lines, self.paired, self.places, self.aggregates):
                members.append(member)
                turn += 1
                if turn == MEMBERS_A_TURN:
                    turn = 0
                    await asyncio.sleep(0)
            found[school_id] = SchoolStanding(school.id, school.name, self.today, setup.policy, tuple(members))
        return found


#: Members whose standings' inputs are read together when more are computed (a county's), by backend: a part's
#: statements run while the part before is computed. Fewer members are one part, read with the statements of one.
#: None reads every member in one part: SQLite's statements run in aiosqlite's thread, which needs the GIL for every
#: row it returns, so Python computing meanwhile slows them as much as it gains (measured: bench/README.md).
MEMBERS_A_PART: dict[str, int | None] = {"postgresql": 6_000, "sqlite": None}
#: Members computed between two turns of the other coroutines (about a millisecond).
MEMBERS_A_TURN = 16


async def computed_standings(session: Transaction, schools: Mapping[int, School],
                             lines: Mapping[int, Sequence[repo.MemberLine]], today: dt.date,
                             member_ids: Sequence[int] | None) -> dict[int, SchoolStanding]:
    """The standings of the members in `lines` (school id → its members; with `member_ids`, only those members
    are counted), read by :func:`read_standing_inputs` and computed, in parts of whole schools of about
    :data:`MEMBERS_A_PART` members on a database server: while a part is computed the next one is read. Only the
    reading uses `session` (one statement at a time); the computation lets it run between its steps."""
    parts = [dict(part) for part in in_parts(lines.items(), lambda school: len(school[1]),
                                             MEMBERS_A_PART.get(engine_of(session).dialect.name))]

    def reading_of(part: Mapping[int, Sequence[repo.MemberLine]]) -> asyncio.Future[StandingInputs]:
        ids = member_ids if member_ids is None or len(parts) == 1 \
            else [line.id for school_lines in part.values() for line in school_lines]
        return asyncio.ensure_future(read_standing_inputs(session, schools, part, today, ids))

    found: dict[int, SchoolStanding] = {}
    reading = reading_of(parts[0])
    try:
        for index in range(len(parts)):
            inputs = await reading
            if index + 1 < len(parts):
                reading = reading_of(parts[index + 1])
            found.update(await inputs.standings())
    except BaseException:
        await asyncio.gather(reading, return_exceptions=True)  # the session is free again before it unwinds
        raise
    return found


async def read_standing_inputs(session: Transaction, schools: Mapping[int, School],
                               lines: Mapping[int, Sequence[repo.MemberLine]], today: dt.date,
                               member_ids: Sequence[int] | None) -> StandingInputs:
    """The inputs of the standings of the members in `lines` (school id → its members), each query once for all
    the schools whose rules need it. With `member_ids` the queries count only those members: then `lines` holds
    only them, not every active member of its schools."""
    setups = {school_id: _setup(schools[school_id], school_lines, today) for school_id, school_lines in lines.items()}
    needing = _needing(setups)
    paired = await repo.pairings_by_member(session, _ids(needing["per_student"]), member_ids) \
        if needing["per_student"] else {}
    places = await assigned_places(session, _ids(needing["per_place"]), member_ids) \
        if needing["per_place"] else {}
    aggregates = await _aggregates(session, {school_id: setup.rules for school_id, setup in setups.items()},
                                   member_ids)
    return StandingInputs(schools, lines, today, setups, paired, places, aggregates)


@dataclass(frozen=True)
class _Setup:
    """A school's policy, calendar and the rules running today that apply to one of its members' roles."""

    policy: Policy
    calendar: SchoolCalendar
    rules: list[_RulePeriod]


_RUNNING: dict[tuple[int, dt.date], tuple[Policy, list[_RulePeriod]]] = {}


def _setup(school: School, members: Sequence[repo.MemberLine], today: dt.date) -> _Setup:
    policy = policy_of(school)
    calendar = SchoolCalendar.of(policy)
    remembered = _RUNNING.get((id(policy), today))
    if remembered is None or remembered[0] is not policy:  # schools on one policy text share its parsed policy
        if len(_RUNNING) >= 64:
            _RUNNING.clear()
        remembered = _RUNNING[(id(policy), today)] = (policy, running_rules(policy, calendar, today))
    roles = {m.role for m in members}
    return _Setup(policy, calendar, [r for r in remembered[1] if roles.intersection(r.rule.roles)])


def _needing(setups: dict[int, _Setup]) -> dict[str, list[int]]:
    """The schools with a per-student rule running, and those with a per-place one."""
    return {"per_student": [school_id for school_id, setup in setups.items()
                            if any(r.rule.per_student for r in setup.rules)],
            "per_place": [school_id for school_id, setup in setups.items()
                          if any(r.rule.per_place for r in setup.rules)]}


def _ids(school_ids: Sequence[int]) -> repo.SchoolIds:
    """One school's id as itself (its statements stay those of one school), several as a list."""
    return school_ids[0] if len(school_ids) == 1 else list(school_ids)


class _Arithmetic:
    """The arithmetic of the standings of the schools of one reading on one day (no query): members who count from
    the same day share each rule's target and pace, computed once; on a counted rule members who share its count
    share its result, and so do members with as many paired students, each of them met, on a per-student rule.
    Schools on one parsed policy share these (their rule periods are the same objects, see :func:`_setup`)."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self._paces: dict[tuple[int, dt.date], PeriodPace] = {}
        # A shared result depends on the member only through (rule period, counting from, counts_from set, and the
        # count on a counted rule or, on a per-student rule whose every student is met, the number of students).
        self._results: dict[tuple[int, dt.date, bool, int], RuleProgress] = {}

    def school(self, school: School, setup: _Setup, members: Sequence[repo.MemberLine],
               paired: dict[int, list[str]], places: dict[int, list[tuple[str, str]]],
               aggregates: dict[tuple, dict]) -> Iterator[MemberStanding]:
        """Each member's standing, in the order of `members`."""
        policy, calendar, today = setup.policy, setup.calendar, self.today
        whole_minimums = {r.rule.id: policy.rule(r.rule.id).minimum for r in setup.rules}
        # Per role, each applying rule with what it needs: whether it counts per place or per student, its counts.
        plans: dict[str, list[tuple[int, _RulePeriod, Rule, int, bool, bool, dict]]] = {}
        paces, results = self._paces, self._results
        for member in members:
            plan = plans.get(member.role)
            if plan is None:
                plan = plans[member.role] = [
                    (id(r), r, r.rule, whole_minimums[r.rule.id], r.rule.per_place, r.rule.per_student,
                     aggregates[r.aggregate])
                    for r in setup.rules if r.rule.applies_to(member.role)]
            joined_on = counting_from(member.joined_on, member.counts_from, school.counts_from)
            counts_from_set = (member.counts_from or school.counts_from) is not None
            facts = MemberFacts(member.id, member.role, joined_on, counts_from_set=counts_from_set)
            students: tuple[tuple[str, str], ...] | None = None  # the member's paired students, for each such rule
            progress = []
            for rule_key, rule_period, rule, whole_minimum, per_place, per_student, counts in plan:
                pace = paces.get((rule_key, joined_on))
                if pace is None:
                    pace = paces[(rule_key, joined_on)] = period_pace(
                        rule.minimum, calendar, rule_period.start, rule_period.end, joined_on, today)
                found = counts.get(member.id)
                by_student: dict[str, int] | None = None
                if per_place:
                    mine = places.get(member.id, [])
                    progress.append(period_progress(
                        rule, calendar, facts, rule_period.start, rule_period.end, rule_period.key, today,
                        paired_students=[name for kind, name in mine if rule.place_kind in (None, kind)],
                        student_counts=found or {}, whole_minimum=whole_minimum, pace=pace))
                    continue
                if per_student:
                    if students is None:
                        students = student_keys_of(paired.get(member.id, ()))
                    by_student = found or {}
                    if any(by_student.get(student, 0) < pace.minimum for _, student in students):
                        progress.append(period_progress(
                            rule, calendar, facts, rule_period.start, rule_period.end, rule_period.key, today,
                            counts_by_key=by_student, whole_minimum=whole_minimum, pace=pace,
                            student_keys=students))
                        continue
                    # Every paired student met (or none paired): the result depends on how many there are.
                    key = (rule_key, joined_on, counts_from_set, len(students))
                else:
                    key = (rule_key, joined_on, counts_from_set, found or 0)
                result = results.get(key)
                if result is None:
                    result = results[key] = period_progress(
                        rule, calendar, facts, rule_period.start, rule_period.end, rule_period.key, today,
                        done=found or 0, whole_minimum=whole_minimum, pace=pace,
                        counts_by_key=by_student,
                        student_keys=students if per_student else None)
                progress.append(result)
            yield MemberStanding(member.id, member.display_name, member.role, member.joined_on, tuple(progress))


def _counts_entries(rule: Rule) -> bool:
    return not rule.per_place and not (rule.measure == "records" and rule.record is not None)


async def _aggregates(session: Transaction, rules_by_school: dict[int, list[_RulePeriod]],
                      member_ids: Sequence[int] | None) -> dict[tuple, dict]:
    """Each distinct aggregate of the schools' rules, per member, over the schools with a rule needing it.

    The co-visits of the whole window are read once; each entry aggregate then counts the entries members
    logged themselves and adds the co-visits in its activities and period. Distinct days or students cannot
    be added up, so such an aggregate with co-visits in its period counts both in one query instead.
    """
    schools_of: dict[tuple, list[int]] = {}
    first_of: dict[tuple, _RulePeriod] = {}
    for school_id, rules in rules_by_school.items():
        for rule_period in rules:
            first_of.setdefault(rule_period.aggregate, rule_period)
            found = schools_of.setdefault(rule_period.aggregate, [])
            if not found or found[-1] != school_id:
                found.append(school_id)
    entry_rules = [r for r in first_of.values() if _counts_entries(r.rule)]
    counting = sorted({school_id for r in entry_rules for school_id in schools_of[r.aggregate]})
    shared_covisits = await repo.covisits(session, _ids(counting), min(r.start for r in entry_rules),
                                          max(r.end for r in entry_rules), member_ids) if entry_rules else []
    covisits_of: dict[str, list[tuple[int, dt.date, str | None]]] = {}  # by activity
    for member_id, code, day, student in shared_covisits:
        covisits_of.setdefault(code, []).append((member_id, day, student))
    aggregates: dict[tuple, dict] = {}
    for key, rule_period in first_of.items():
        rule, start, end, schools = rule_period.rule, rule_period.start, rule_period.end, _ids(schools_of[key])
        if rule.measure == "records" and rule.record is not None:
            aggregates[key] = await record_queries.record_counts_by_member(
                session, schools, start, end, rule.record, member_ids)
            continue
        if rule.per_place:
            aggregates[key] = await assignment_queries.assigned_place_counts(
                session, schools, start, end, rule.activities, member_ids)
            continue
        mine = [(member_id, student) for code in dict.fromkeys(rule.activities)
                for member_id, day, student in covisits_of.get(code, ()) if start <= day <= end]
        if rule.per_student:
            per_student = await repo.paired_student_counts(session, schools, start, end, rule.activities,
                                                           member_ids, with_covisits=False)
            for member_id, student in mine:
                if student is not None:
                    counts = per_student.setdefault(member_id, {})
                    counts[student] = counts.get(student, 0) + 1
            aggregates[key] = per_student
        elif rule.measure == "entries" or not mine:
            counted = await repo.measure_by_member(session, schools, start, end, rule.activities, rule.measure,
                                                   member_ids, with_covisits=False)
            if rule.measure == "entries":
                for member_id, _ in mine:
                    counted[member_id] = counted.get(member_id, 0) + 1
            aggregates[key] = counted
        else:
            aggregates[key] = await repo.measure_by_member(session, schools, start, end, rule.activities,
                                                           rule.measure, member_ids)
    return aggregates


async def assigned_places(session: Transaction, school_id: repo.SchoolIds,
                          member_ids: Sequence[int] | None) -> dict[int, list[tuple[str, str]]]:
    """Each member's assigned places as ``(kind, name)``, in the order they were assigned."""
    places: dict[int, list[tuple[str, str]]] = {}
    for row in await assignment_queries.school_assignments(session, school_id, member_ids):
        places.setdefault(row.member_id, []).append((row.kind, row.place_name))
    return places


async def school_standing(db: Database, school_id: int, today: dt.date,
                          member_ids: Sequence[int] | None = None) -> SchoolStanding:
    """Every active member of the school (only those in `member_ids` when given) on every rule running `today`
    (the school's local date)."""
    return (await _standings(db, [school_id], today, member_ids))[school_id]


async def school_standings(db: Database, school_ids: Sequence[int], today: dt.date) -> dict[int, SchoolStanding]:
    """:func:`school_standing` of each school (a district's, on the same local date), by school id: each of the
    standing's queries runs once for all of them."""
    return await _standings(db, list(dict.fromkeys(school_ids)), today, None) if school_ids else {}


async def member_standing(db: Database, profile: Profile, today: dt.date) -> MemberStanding:
    """One member's progress on each rule that applies to them."""
    standing = await school_standing(db, profile.school_id, today, [profile.member_id])
    return standing.members[0]
