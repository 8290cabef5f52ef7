"""What `/report` reports, as plain data: a school's or a member's counts and quota shares over a period.

**Window.** A report covers one period of the school's calendar — this or the
previous week, month, quarter, term or year (:func:`report_window`) — counted up
to its *as-of* day: today for the running period, the last day for a past one.
"This term" during a vacation is the term that just ended.

**Counts** are entries per activity in the window. A member's counts include
the co-visits they came along on (as progress does); the school's totals count
each entry once.

**Share of quotas met.** Each rule that applies to the member is judged on every
one of its own periods that overlaps the window, up to the as-of day: the
weekly tutoring rule on each week of a term report, the monthly home visit on
the month containing a week report. Per rule, ``credited = Σ min(done, target)``
over those periods (targets prorated for members who joined mid-period, see
:mod:`bot.quotas.progress`); the member's share is the mean of ``credited ÷ target``
over the rules with a target. When every rule's period runs through the window
so far (the running week, unless a month began in it), that is what `/mine` shows.

**Ranking** (the same as the weekly leaderboard's): by share met, then by
entries; equal results share a place (1, 2, 2, 4); members no quota applies to
are not ranked, but their entries count in the totals. With an activity, by that
activity's count instead, everyone with at least one entry.

Queries are bounded and few, whatever the school's size or the window's length:
one scan of the window's entries computes every quota period of every rule and
the counts per activity with conditional aggregates, one more does the
per-paired-student rules; then the daily counts for the trend and the problem
counts (see :mod:`storage.reports`) — never one query per member or per week.
A school's report does that scan only for the members changed since it was last
stored, and reads everyone else's stored row (:mod:`bot.reporting.summaries`); when
none of what it is built from changed, it is the report built last time, kept in
memory with its ranking (:class:`KeptReports`).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from bot.logbook.entries import EntryView, view_of
from bot.logbook.problems import ProblemCounts, problem_counts_by_member, school_problem_counts
from bot.observability.metrics import timed_school_report
from bot.parts import in_parts
from bot.people.schools import policy_of
from bot.quotas.calendar import SchoolCalendar
from bot.quotas.periods import Period, current_period, previous_period
from bot.quotas.policy import Policy, Rule
from bot.quotas.progress import MemberFacts, counting_from, period_pace, period_progress, prorated_target
from bot.quotas.rule_windows import RunningPeriod, running_period
from bot.reporting import summaries
from storage import districts as district_queries
from storage import reports as queries
from storage import repository as repo
from storage.db import Database
from storage.models import Member, School
from storage.report_summaries import SummaryRow
from storage.reports import Tally

#: Report periods, in the order `/report` help lists them.
REPORT_PERIODS = ("week", "month", "quarter", "term", "year")
TREND_WEEKS = 10
ONE_DAY = dt.timedelta(days=1)


class NoSuchPeriod(LookupError):
    """The school's calendar has no such period (e.g. no terms set, or none before today)."""


@dataclass(frozen=True)
class ReportWindow:
    """The period a report covers, e.g. last week: 2026-11-09 to 2026-11-15, counted to the 15th."""

    kind: str
    previous: bool
    start: dt.date
    end: dt.date
    key: str
    as_of: dt.date
    year: int | None = None
    """Set when the report was asked for by its year (``/report 2025``)."""

    @property
    def running(self) -> bool:
        """The period is not over: the report counts up to today."""
        return self.as_of < self.end


def report_window(kind: str, previous: bool, today: dt.date, policy: Policy, *,
                  year: int | None = None) -> ReportWindow:
    """This (or the previous) `kind` of period around `today`; NoSuchPeriod when the calendar has none.

    With `year`, the year that begins in it (a school year from September ends the next summer);
    NoSuchPeriod when it has not begun yet.
    """
    if year is not None:
        period = current_period("year", dt.date(year, 12, 31), SchoolCalendar.of(policy))
        if period is None or period.start > today:
            raise NoSuchPeriod("year")
        return ReportWindow("year", False, period.start, period.end, period.key, min(today, period.end), year)
    if kind not in REPORT_PERIODS:
        raise ValueError(f"a report covers one of {', '.join(REPORT_PERIODS)}, not {kind!r}")
    calendar = SchoolCalendar.of(policy)
    period = previous_period(kind, today, calendar) if previous else current_period(kind, today, calendar)
    if period is None and kind == "term" and not previous:
        period = previous_period(kind, today, calendar)
    if period is None:
        raise NoSuchPeriod(kind)
    return ReportWindow(kind, previous, period.start, period.end, period.key, min(today, period.end))


@dataclass(frozen=True, slots=True)
class QuotaShare:
    """One rule over the window: raw `done`, `credited` (capped per period) and `target`, summed over periods."""

    rule_id: str
    done: int
    credited: int
    target: int
    students_missing: tuple[str, ...] = ()

    @property
    def share(self) -> float | None:
        return min(self.credited / self.target, 1.0) if self.target > 0 else None


class QuotaResults(tuple[QuotaShare, ...]):
    """A member's quota shares, as a school's report holds them: members with the same results (nothing yet,
    every target met) share one, so its mean share met is worked out once, not once per member."""

    @cached_property
    def share_met(self) -> float | None:
        """The mean share of each quota met; None when no quota with a target applies."""
        shares = [min(q.credited / q.target, 1.0) for q in self if q.target > 0]  # QuotaShare.share, inlined
        return sum(shares) / len(shares) if shares else None


@dataclass(frozen=True)
class MemberReport:
    member_id: int
    display_name: str
    role: str
    counts: Mapping[str, int]
    quotas: tuple[QuotaShare, ...]
    problems: ProblemCounts | None = None
    joined: bool = True
    """False for staff imported from a roster who have not opened their invite yet (they still count)."""

    # Plain properties: a school's report has thousands of members, and a cached_property takes a lock the first
    # time each member's is read; the sum is quick and the share is kept by the shared QuotaResults.
    @property
    def entries(self) -> int:
        return sum(self.counts.values())

    @property
    def share_met(self) -> float | None:
        """The mean share of each quota met; None when no quota with a target applies."""
        quotas = self.quotas
        return (quotas if isinstance(quotas, QuotaResults) else QuotaResults(quotas)).share_met


@dataclass(frozen=True)
class WeeklyTrend:
    """Entries per ISO week (given by its Monday) per activity code, oldest week first."""

    weeks: tuple[dt.date, ...]
    counts: Mapping[str, tuple[int, ...]]

    def only(self, activity: str) -> WeeklyTrend:
        return WeeklyTrend(self.weeks, {activity: self.counts.get(activity, (0,) * len(self.weeks))})


@dataclass(frozen=True)
class Placed:
    place: int
    member: MemberReport


@dataclass(frozen=True)
class SchoolReport:
    school_id: int
    school_name: str
    policy: Policy
    window: ReportWindow
    members: tuple[MemberReport, ...]
    totals: Mapping[str, int]
    trend: WeeklyTrend
    problems: ProblemCounts

    @cached_property
    def ranking(self) -> list[Placed]:
        """Members with a quota, best share first (see the module docstring)."""
        return _placed(self.with_quota, lambda m: (-(m.share_met or 0.0), -m.entries))

    def activity_ranking(self, activity: str) -> list[Placed]:
        """Members with at least one entry of `activity`, most first."""
        return _placed([m for m in self.members if m.counts.get(activity)], lambda m: (-m.counts[activity],))

    @property
    def not_joined(self) -> int:
        """Members on the roster who have not joined yet."""
        return sum(1 for member in self.members if not member.joined)

    @cached_property
    def with_quota(self) -> list[MemberReport]:
        return [m for m in self.members if m.share_met is not None]

    @cached_property
    def average_share(self) -> float | None:
        shares = [share for m in self.with_quota if (share := m.share_met) is not None]
        return sum(shares) / len(shares) if shares else None

    @cached_property
    def all_met(self) -> int:
        """How many members met every quota with a target."""
        return sum(1 for m in self.with_quota if (m.share_met or 0.0) >= 1.0)


@dataclass(frozen=True)
class PersonalReport:
    """One member's report: their counts and quotas, and their weekly trend."""

    school_id: int
    school_name: str
    policy: Policy
    window: ReportWindow
    member: MemberReport
    trend: WeeklyTrend

    def without_students(self) -> PersonalReport:
        """The same report with no student's name in it: what a group may be shown."""
        quotas = tuple(replace(q, students_missing=()) for q in self.member.quotas)
        return replace(self, member=replace(self.member, quotas=quotas))


@dataclass(frozen=True)
class EntryList:
    """A member's entries in the window, newest first (at most a limit), and how many there are in all."""

    entries: tuple[EntryView, ...]
    total: int


def _placed(members: list[MemberReport], key) -> list[Placed]:
    # Each member's key once (a school has thousands), sorted as plain tuples; member ids are unique, so the
    # member itself is never compared.
    ordered = sorted((key(m), m.display_name, m.member_id, m) for m in members)
    placed: list[Placed] = []
    last = None
    for index, (ranked_by, _, _, member) in enumerate(ordered):
        placed.append(Placed(placed[-1].place if placed and ranked_by == last else index + 1, member))
        last = ranked_by
    return placed


# --- computing -------------------------------------------------------------------------------

def rule_periods(rule: Rule, window: ReportWindow, calendar: SchoolCalendar) -> list[RunningPeriod]:
    """The periods of `rule` that overlap the window up to its as-of day, in order, cut to the rule's window."""
    periods, day = [], window.start
    while day <= window.as_of:
        found = running_period(rule, day, calendar)
        if found is None:
            day += ONE_DAY
            continue
        periods.append(found)
        day = found.period.end + ONE_DAY
    return periods


def trend_weeks(as_of: dt.date, weeks: int = TREND_WEEKS) -> tuple[dt.date, ...]:
    """The Mondays of the `weeks` ISO weeks ending with the week of `as_of`."""
    last_monday = as_of - dt.timedelta(days=as_of.weekday())
    return tuple(last_monday - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks))


def weekly_trend(daily: Mapping[tuple[dt.date, str], int], weeks: Sequence[dt.date],
                 activities: Iterable[str]) -> WeeklyTrend:
    """Daily (day, activity) counts summed into the given ISO weeks."""
    index = {monday: i for i, monday in enumerate(weeks)}
    counts = {code: [0] * len(weeks) for code in activities}
    for (day, code), count in daily.items():
        slot = index.get(day - dt.timedelta(days=day.weekday()))
        if slot is not None and code in counts:
            counts[code][slot] += count
    return WeeklyTrend(tuple(weeks), {code: tuple(values) for code, values in counts.items()})


@dataclass(frozen=True)
class _Counted:
    """What one scan of the window's entries found: each member's quota shares and counts, the school's totals."""

    shares: Mapping[int, QuotaResults]
    counts: Mapping[int, Mapping[str, int]]
    totals: dict[str, int]
    owned: Mapping[int, Mapping[str, int]]
    """Each member's own entries per activity (a co-visit counts for its logger only)."""


class _Tallies:
    """The tally columns of one scan, each asked for once, with their positions."""

    def __init__(self) -> None:
        self.columns: list[Tally] = []
        self._index: dict[Tally, int] = {}

    def add(self, tally: Tally) -> int:
        if tally not in self._index:
            self._index[tally] = len(self.columns)
            self.columns.append(tally)
        return self._index[tally]


def _quota_tally(rule: Rule, period: Period, window: ReportWindow) -> Tally:
    return Tally(tuple(sorted(rule.activities)), period.start, min(period.end, window.as_of),
                 "entries" if rule.per_student else rule.measure)


async def _count(session, school_id: repo.SchoolIds, policy: Policy, window: ReportWindow,
                 members: Sequence[Member], member_ids: Sequence[int] | None,
                 counts_from: Mapping[int, dt.date | None]) -> _Counted:
    """Quota shares, counts per activity and (for the whole school) totals, in two aggregate statements.

    `counts_from` is each school's (see :func:`bot.quotas.progress.counting_from`), by school id. Many schools on
    the same policy and window can be counted together (`school_id` a list, `member_ids` None: every member of
    them); their totals are then the schools' together.
    """
    calendar = SchoolCalendar.of(policy)
    roles = {m.role for m in members}
    # Per-place and record rules are left out of report shares (their counts are not entry tallies):
    # /mine, progress, reminders and the export's progress sheet show them.
    rules = [rule for rule in policy.rules
             if roles.intersection(rule.roles) and not rule.per_place and rule.measure != "records"]
    plain, per_student = _Tallies(), _Tallies()
    slots = {rule.id: [(found, (per_student if rule.per_student else plain).add(
                           _quota_tally(rule, found.period, window)))
                       for found in rule_periods(rule, window, calendar)]
             for rule in rules}
    codes = [activity.code for activity in policy.activities]
    counted = {code: plain.add(Tally((code,), window.start, window.as_of)) for code in codes}
    owned = {code: plain.add(Tally((code,), window.start, window.as_of, own_only=True)) for code in codes}
    values = await queries.tallies_by_member(session, school_id, plain.columns, member_ids)
    students = await queries.paired_tallies(session, school_id, per_student.columns, member_ids) \
        if per_student.columns else {}
    paired = await repo.pairings_by_member(session, school_id, member_ids) if per_student.columns else {}
    nothing = (0,) * len(plain.columns)
    shares, counts, own = {}, {}, {}
    # Most members share their results on a rule (nothing yet, or the target met): one object each, not one
    # per member (10,000 members × 8 rules).
    same: dict[QuotaShare, QuotaShare] = {}
    shared: dict[tuple, Any] = {}
    for member in members:
        found = values.get(member.id, nothing)
        school_from = counts_from[member.school_id]
        facts = MemberFacts(member.id, member.role, counting_from(member.joined_on, member.counts_from, school_from),
                            counts_from_set=(member.counts_from or school_from) is not None)
        shares[member.id] = QuotaResults(
            same.setdefault(share, share)
            for rule in rules if rule.applies_to(member.role)
            for share in (_quota_share(rule, slots[rule.id], window, calendar, facts, found,
                                       students.get(member.id, {}), paired.get(member.id, ()), shared),))
        counts[member.id] = {code: found[i] for code, i in counted.items() if found[i]}
        own[member.id] = {code: found[i] for code, i in owned.items() if found[i]}
    totals = {code: sum(row[i] for row in values.values()) for code, i in owned.items()}
    return _Counted(shares, counts, totals, own)


def _quota_share(rule: Rule, slots: Sequence[tuple[RunningPeriod, int]], window: ReportWindow,
                 calendar: SchoolCalendar,
                 facts: MemberFacts, found: Sequence[int], students: Mapping[str, Sequence[int]],
                 paired: Sequence[str], shared: dict[tuple, Any]) -> QuotaShare:
    """One rule summed over its periods in the window; `slots` are the periods with their tally columns.
    `shared` keeps what many members share, worked out once: each period's rule, and the prorated targets and
    paces of a joining day (most members share one)."""
    done = credited = target = 0
    missing: tuple[str, ...] = ()
    for running, column in slots:
        period = running.period
        if rule.per_student and not paired:
            continue  # no paired student: nothing is owed
        if rule.per_student:
            in_it = shared.get((rule.id, period.key))
            if in_it is None:
                in_it = shared[(rule.id, period.key)] = running.rule_in_it(rule)
            pace_key = (in_it.minimum, period.start, period.end, facts.joined_on, "pace")
            pace = shared.get(pace_key)
            if pace is None:
                pace = shared[pace_key] = period_pace(in_it.minimum, calendar, period.start, period.end,
                                                      facts.joined_on, window.as_of)
            # The tallies are keyed by student_key already, as period_progress would key them.
            progress = period_progress(in_it, calendar, facts, period.start, period.end, period.key, window.as_of,
                                       paired_students=paired, pace=pace,
                                       counts_by_key={key: row[column] for key, row in students.items()})
            done += progress.done
            target += progress.target
            credited += progress.done  # already capped student by student
            missing = progress.students_missing
        else:
            key = (running.minimum, period.start, period.end, facts.joined_on)
            owed = shared.get(key)
            if owed is None:
                owed = shared[key] = prorated_target(running.minimum, period.start, period.end, facts.joined_on,
                                                      calendar)
            done += found[column]
            target += owed
            credited += min(found[column], owed)
    return QuotaShare(rule.id, done, credited, target, missing)


def _slot(window: ReportWindow) -> tuple[str, str]:
    """The stored summaries' slot of a window (one per kind, this or last, and year asked for), and what
    its rows depend on besides the school."""
    slot = f"{window.kind}/{'previous' if window.previous else 'this'}/{window.year or ''}"
    return slot, f"{window.start}/{window.end}/{window.key}/{window.as_of}"


def _computer(school: School, policy: Policy, window: ReportWindow) -> summaries.Compute:
    """How the stored summaries compute a batch of the school's members for the window: the report's own scan."""
    async def compute(session, batch: Sequence[Member]) -> dict[int, SummaryRow]:
        counted = await _count(session, school.id, policy, window, batch, [m.id for m in batch],
                               {school.id: school.counts_from})
        return {member.id: _summary_row(counted, member.id) for member in batch}
    return compute


def _schools_computer(policy: Policy, window: ReportWindow) -> summaries.ComputeSchools:
    """The same for every member of many schools on this policy and window, counted together."""
    async def compute(session, schools: Sequence[School], members: Sequence[Member]) -> dict[int, SummaryRow]:
        counted = await _count(session, [school.id for school in schools], policy, window, members, None,
                               {school.id: school.counts_from for school in schools})
        return {member.id: _summary_row(counted, member.id) for member in members}
    return compute


def _counted_from_rows(rows: Mapping[int, SummaryRow], policy: Policy) -> _Counted:
    # Rows with the same results share one tuple (see storage.report_summaries.stored_rows), and members with
    # the same result on a rule share one QuotaShare: a district has far fewer of either than members. The
    # shared tuples are found by identity first (hashing one is a walk of all its numbers), by value after.
    same: dict[tuple, QuotaResults] = {}
    same_object: dict[int, QuotaResults] = {}
    share_of: dict[tuple[str, int, int, int], QuotaShare] = {}
    shares: dict[int, QuotaResults] = {}
    own_seen: dict[int, tuple[Mapping[str, int], int]] = {}  # id → (the member's own counts, rows holding them)
    for member_id, row in rows.items():
        results = same_object.get(id(row.quotas))
        if results is None:
            results = same.get(row.quotas)
            if results is None:
                results = same[row.quotas] = QuotaResults([
                    share_of.get(quota) or share_of.setdefault(quota, QuotaShare(*quota)) for quota in row.quotas])
            same_object[id(row.quotas)] = results
        shares[member_id] = results
        own, times = own_seen.get(id(row.own), (row.own, 0))
        own_seen[id(row.own)] = (own, times + 1)
    totals: dict[str, int] = {}
    for own, times in own_seen.values():
        for code, n in own.items():
            totals[code] = totals.get(code, 0) + n * times
    codes = [activity.code for activity in policy.activities]
    return _Counted(shares, {member_id: row.counts for member_id, row in rows.items()},
                    {code: totals.get(code, 0) for code in codes},
                    {member_id: row.own for member_id, row in rows.items()})


def _summary_row(counted: _Counted, member_id: int) -> SummaryRow:
    every, own = counted.counts[member_id], counted.owned[member_id]
    return SummaryRow({code: n for code, n in every.items() if n}, {code: n for code, n in own.items() if n},
                      tuple((q.rule_id, q.done, q.credited, q.target) for q in counted.shares[member_id]))


async def _load(db: Database, school_id: int, member_id: int):
    """The school, its policy and the one active member."""
    async with db.transaction() as session:
        school = await repo.get_school(session, school_id)
        if school is None:
            raise LookupError(f"no school with id {school_id}")
        member = await session.get(Member, member_id)
    if member is None or member.school_id != school_id or not member.active:
        raise LookupError(f"no active member {member_id} in school {school_id}")
    return school, policy_of(school), [member]


@dataclass(frozen=True)
class _Basis:
    """What a school's report is built from besides its members' stored rows: the school's name and policy, the
    window, the roster, the trend's daily counts and the problem counts."""

    school: tuple[str, str]
    window: ReportWindow
    standing_only: bool
    roster: list[repo.RosterLine]
    daily: Mapping[tuple[dt.date, str], int]
    problems: ProblemCounts


class KeptReports:
    """The last few school reports built, each with what it was built from.

    A report whose stored rows are the very objects of the one kept (its slot kept decoded and unchanged, see
    :class:`bot.reporting.summaries.KeptSlots`: a changed member's row is a new object) and whose basis is equal
    is the same report, so it is given again — with its ranking and quota summary worked out already, which
    for thousands of members is most of a group's `/report` after the reading."""

    def __init__(self, most: int) -> None:
        self.most = most
        self._kept: OrderedDict[tuple[int, str, bool], tuple[_Basis, Mapping[int, SummaryRow], SchoolReport]] = \
            OrderedDict()

    def get(self, school_id: int, basis: _Basis, rows: Mapping[int, SummaryRow]) -> SchoolReport | None:
        key = (school_id, basis.window.key, basis.standing_only)
        kept = self._kept.get(key)
        if kept is None:
            return None
        kept_basis, kept_rows, report = kept
        if list(rows) != list(kept_rows) or not all(map(operator.is_, rows.values(), kept_rows.values())) \
                or kept_basis != basis:
            return None
        self._kept.move_to_end(key)
        return report

    def put(self, school_id: int, basis: _Basis, rows: Mapping[int, SummaryRow], report: SchoolReport) -> None:
        key = (school_id, basis.window.key, basis.standing_only)
        self._kept[key] = (basis, rows, report)
        self._kept.move_to_end(key)
        while len(self._kept) > self.most:
            self._kept.popitem(last=False)


#: A school of 5,000 members' report takes a few MiB.
KEPT_REPORTS = 4
kept_reports = KeptReports(KEPT_REPORTS)


@timed_school_report
async def school_report(db: Database, school_id: int, window: ReportWindow, *,
                        standing_only: bool = False) -> SchoolReport:
    """Every active member's counts and quota shares in the window, the school's totals, trend and problems;
    with `standing_only` (a district's report of its schools) no trend and no problems. One transaction: a
    group's report waits for each of its statements in turn. The same report as the last one kept when
    nothing it is built from changed (:class:`KeptReports`)."""
    weeks = trend_weeks(window.as_of)
    async with db.transaction() as session:
        school = await repo.get_school(session, school_id)
        if school is None:
            raise LookupError(f"no school with id {school_id}")
        policy = policy_of(school)
        roster = await repo.school_roster(session, school_id)
        slot, window_basis = _slot(window)
        rows = await summaries.fresh_rows(session, school, slot, window_basis, [m.id for m in roster],
                                          _computer(school, policy, window))
        daily = {} if standing_only else \
            await queries.daily_activity_counts(session, school_id, weeks[0], window.as_of)
        problems = ProblemCounts() if standing_only else \
            await school_problem_counts(session, school, window.start, window.as_of)
    basis = _Basis((school.name, school.policy_text), window, standing_only, roster, daily, problems)
    kept = kept_reports.get(school_id, basis, rows)
    if kept is not None:
        return kept
    counted = _counted_from_rows(rows, policy)
    reports = tuple(MemberReport(m.id, m.display_name, m.role, counted.counts[m.id], counted.shares[m.id],
                                 joined=m.joined)
                    for m in roster)
    report = SchoolReport(school.id, school.name, policy, window, reports, counted.totals,
                          weekly_trend(daily, weeks, [a.code for a in policy.activities]), problems)
    kept_reports.put(school_id, basis, rows, report)
    return report


async def schools_not_stored(db: Database, wanted: Sequence[tuple[School, ReportWindow]]) -> int:
    """How many of these schools' windows have nothing stored yet (a report would compute them first)."""
    return len(await windows_not_stored(db, wanted))


async def windows_not_stored(db: Database,
                             wanted: Sequence[tuple[School, ReportWindow]]) -> list[tuple[School, ReportWindow]]:
    """Those of these schools' windows with nothing stored for them (after a policy change, an upgrade that
    changes the stored format, or a new day), in their order."""
    async with db.transaction() as session:
        stale = await summaries.which_stale(session, [(school, *_slot(window)) for school, window in wanted])
    return [pair for pair, cold in zip(wanted, stale, strict=True) if cold]


@dataclass(frozen=True)
class StoredStanding:
    """A school over a window as a district's report reads it (:func:`school_standings`): no member named and
    no per-member report built."""

    members: int
    """Active members."""
    joined: int
    totals: Mapping[str, int]
    """Entries per activity (each entry once), every activity of the school's policy, as :class:`SchoolReport`."""
    shares: tuple[float, ...]
    """Each active member's share of quotas met (what :attr:`MemberReport.share_met` gives), for the members a
    quota applies to, by member id."""


def quotas_share_met(quotas: Sequence[tuple[str, int, int, int]]) -> float | None:
    """:attr:`MemberReport.share_met` of a stored row's (rule id, done, credited, target) quotas, the same
    float: the mean over the quotas with a target of ``min(credited ÷ target, 1)``."""
    shares = [min(credited / target, 1.0) for _, _, credited, target in quotas if target > 0]
    return sum(shares) / len(shares) if shares else None


def _stored_standing(rows: Mapping[int, SummaryRow], roster: Sequence[tuple[int, bool]],
                     codes: Sequence[str]) -> StoredStanding:
    # Stored rows with the same results share one tuple and one dict (storage.report_summaries.stored_rows), so
    # each distinct one is worked out once: every member who logged nothing, every one who met everything.
    share_of: dict[int, float | None] = {}
    shares = []
    for member_id, _ in roster:
        quotas = rows[member_id].quotas
        if id(quotas) not in share_of:
            share_of[id(quotas)] = quotas_share_met(quotas)
        if (share := share_of[id(quotas)]) is not None:
            shares.append(share)
    same_own: dict[int, list] = {}
    for row in rows.values():
        same = same_own.get(id(row.own))
        if same is None:
            same_own[id(row.own)] = [row.own, 1]
        else:
            same[1] += 1
    totals = dict.fromkeys(codes, 0)
    for own, times in same_own.values():
        for code, count in own.items():
            totals[code] = totals.get(code, 0) + count * times
    return StoredStanding(len(roster), sum(1 for _, joined in roster if joined),
                          {code: totals[code] for code in codes}, tuple(shares))


async def school_standings(db: Database,
                           wanted: Sequence[tuple[School, ReportWindow]]) -> dict[int, StoredStanding]:
    """Many schools' standings (a district's), each over its own window: what :func:`school_report` gives of
    members, joined, totals and shares met, read together from the stored summaries in a few statements whatever
    the number of schools (:func:`bot.reporting.summaries.fresh_rows_of_schools`), with no per-member report."""
    async with db.transaction() as session:
        rosters = await district_queries.active_members(session, [school.id for school, _ in wanted])
        requests = _slot_requests(wanted, rosters)
        rows = await summaries.fresh_rows_of_schools(session, requests)
    return {school.id: _stored_standing(rows[school.id], rosters[school.id],
                                        [a.code for a in policy_of(school).activities]) for school, _ in wanted}


def _slot_requests(wanted: Sequence[tuple[School, ReportWindow]],
                   rosters: Mapping[int, Sequence[tuple[int, bool]]]) -> list[summaries.SlotRequest]:
    """What :func:`bot.reporting.summaries.fresh_rows_of_schools` takes for these schools' windows: schools on the
    same policy text and window are computed together when their slots are rebuilt."""
    requests = []
    for school, window in wanted:
        policy = policy_of(school)
        slot, basis = _slot(window)
        requests.append(summaries.SlotRequest(school, slot, basis, [m for m, _ in rosters[school.id]],
                                              _computer(school, policy, window),
                                              (school.policy_name, school.policy_text, basis),
                                              _schools_computer(policy, window)))
    return requests


async def store_summaries_of_schools(db: Database, wanted: Sequence[tuple[School, ReportWindow]]) -> None:
    """Bring these schools' stored summaries of their windows up to date, what a report would read (the warmer's
    work after a new day or a policy change): the schools on one policy and window computed together, about
    :data:`bot.reporting.summaries.TOGETHER` members in each transaction (short ones: on SQLite a transaction that
    has written holds the database's write lock)."""
    async with db.transaction() as session:
        rosters = await district_queries.active_members(session, sorted({school.id for school, _ in wanted}))
    groups: dict[object, list[tuple[School, ReportWindow]]] = {}
    for school, window in wanted:
        groups.setdefault((school.policy_name, school.policy_text, _slot(window)), []).append((school, window))
    for group in groups.values():
        # The parts fresh_rows_of_schools computes together, each in a transaction of its own.
        for part in in_parts(group, lambda pair: len(rosters[pair[0].id]), summaries.TOGETHER):
            async with db.transaction() as session:
                await summaries.fresh_rows_of_schools(session, _slot_requests(part, rosters))


async def personal_report(db: Database, school_id: int, member_id: int, window: ReportWindow) -> PersonalReport:
    """One active member's counts, quota shares, problems and weekly trend in the window."""
    school, policy, members = await _load(db, school_id, member_id)
    member = members[0]
    weeks = trend_weeks(window.as_of)
    async with db.transaction() as session:
        counted = await _count(session, school_id, policy, window, members, [member_id],
                               {school_id: school.counts_from})
        daily = await queries.daily_activity_counts(session, school_id, weeks[0], window.as_of, member_id)
    problems = (await problem_counts_by_member(db, school_id, window.start, window.as_of)).get(member_id)
    report = MemberReport(member.id, member.display_name, member.role, counted.counts[member.id],
                          counted.shares[member.id], problems or ProblemCounts())
    return PersonalReport(school.id, school.name, policy, window, report,
                          weekly_trend(daily, weeks, [a.code for a in policy.activities]))


async def member_entries(db: Database, school_id: int, member_id: int, window: ReportWindow,
                         limit: int) -> EntryList:
    """The member's entries (own and co-visits) in the window, newest first: for direct messages only."""
    async with db.transaction() as session:
        rows, total = await queries.member_entries(session, school_id, member_id, window.start, window.as_of, limit)
    return EntryList(tuple(view_of(entry, member_id) for entry in rows), total)
