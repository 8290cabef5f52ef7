"""Progress against quota rules: plain arithmetic over plain data (storage supplies the counts).

Decisions, in one place:

**Working days** are the unit (see :mod:`bot.quotas.calendar`): weekends, blackout
dates and — when the school opts in — Chinese public holidays do not count;
make-up workdays do.

**Target.** Targets count from :func:`counting_from` — the member's or the
school's ``counts_from`` when set, else the day the member joined ("joining"
below). A member who was a member for the whole period owes the rule's
``min``. One who joined during the period owes
``ceil(min × working days from joining (inclusive) to period end ÷ working days in the period)``:
rounding up, so anyone with at least one working day left owes at least one.
A period with no working days at all for the member (a week inside a vacation
blackout, or joining after its last working day) asks for nothing: target 0.

**Pace.** ``expected_by_now = floor(target × elapsed ÷ available)`` where
*available* counts the member's working days in the period (from the later of
period start and joining day) and *elapsed* counts those strictly before
``today``: today is not over yet, so a 16:30 reminder does not ask for
today's visit. Rounding down means nobody is "behind" for a fraction.
``behind_by = max(expected_by_now − done, 0)``; ``on_pace = done ≥ expected_by_now``.

**Days left** are the working days from today (inclusive) to the period end;
``calendar_days_left`` counts all days, for activities people also do at weekends.

**Per paired student** (``scope: paired_student``, e.g. one phone call a month
to each paired student): each student owes the (prorated) ``min``;
``target = students × min``, ``done = Σ min(entries for that student, min)`` —
extra calls to one student do not make up for another — and
``students_missing`` lists the students with fewer than ``min`` entries.
With ``min: 1`` (the plans' case) ``done`` is simply the number of students reached.

**Per assigned place** (``scope: assigned_place``, e.g. plan 001's two classes per leader) is the
same arithmetic over the member's assigned places instead of students: ``students_missing`` then
lists the places not visited yet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.people.students import student_key
from bot.quotas.calendar import SchoolCalendar
from bot.quotas.policy.model import Policy, Rule
from bot.quotas.rule_windows import running_period


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """What progress needs to know about a member."""

    member_id: int
    role: str
    joined_on: date
    """The day targets count from: the joining day, or the member's or school's ``counts_from``."""
    counts_from_set: bool = False
    """``joined_on`` is a ``counts_from`` date rather than the joining day (see :func:`counting_from`)."""


ProratedBy = Literal["joined", "counts_from", "window"]


@dataclass(frozen=True, slots=True)
class RuleProgress:
    """Where one member stands on one rule in one period (see the module docstring for the math).

    It names no member (a :class:`bot.quotas.standing.MemberStanding` holds it), so members with the same
    result share one: a district's standing has far fewer distinct results than members × rules."""

    rule_id: str
    period_key: str
    period_start: date
    period_end: date
    done: int
    target: int
    expected_by_now: int
    remaining: int
    days_left: int
    calendar_days_left: int
    behind_by: int
    on_pace: bool
    maximum: int | None = None
    students_missing: tuple[str, ...] = ()
    prorated_by: ProratedBy | None = None
    """Why the target is less than the rule's minimum: the member joined (or counts from) mid-period, or
    the rule's phase or dates cover part of the period."""

    @property
    def complete(self) -> bool:
        """The target is met for this period."""
        return self.done >= self.target

    @property
    def over_maximum(self) -> bool:
        """More than the rule's maximum (e.g. plan 001: pair with 1–2 students, not 3)."""
        return self.maximum is not None and self.done > self.maximum


def counting_from(joined_on: date, member_counts_from: date | None, school_counts_from: date | None) -> date:
    """The day a member's targets count from: their own ``counts_from``, else the school's, else joining day.

    Pass the result as :attr:`MemberFacts.joined_on`: targets are prorated from it, so a school
    that starts mid-term with ``counts_from`` at the start of term asks for whole targets.
    """
    return member_counts_from or school_counts_from or joined_on


def applicable_rules(policy: Policy, role: str) -> list[Rule]:
    """The rules that apply to a member holding ``role``, in policy order."""
    return policy.rules_for_role(role)


def prorated_target(
    minimum: int, period_start: date, period_end: date, joined_on: date, calendar: SchoolCalendar
) -> int:
    """What a member owes for the period, prorated if they joined during it (rounded up)."""
    in_period = calendar.working_days(period_start, period_end)
    available = calendar.working_days(max(period_start, joined_on), period_end)
    if in_period == 0 or available == 0:
        return 0
    if joined_on <= period_start:
        return minimum
    return -(-minimum * available // in_period)


def expected_by_now(
    target: int, period_start: date, period_end: date, today: date, calendar: SchoolCalendar, joined_on: date
) -> int:
    """How much of ``target`` an even pace would have done before ``today`` (rounded down)."""
    first_day = max(period_start, joined_on)
    available = calendar.working_days(first_day, period_end)
    if available == 0:
        return target if today > period_end else 0
    elapsed = calendar.working_days(first_day, min(today - timedelta(days=1), period_end))
    return target * elapsed // available


def rule_progress(
    rule: Rule,
    calendar: SchoolCalendar,
    member: MemberFacts,
    today: date,
    *,
    done: int = 0,
    paired_students: Iterable[str] = (),
    student_counts: Mapping[str, int] | Iterable[str] = (),
) -> RuleProgress | None:
    """Progress on ``rule`` in its period containing ``today``.

    None when the rule does not apply to the member's role or no period of the
    rule runs today (a vacation for ``term``, outside the dates of a ``phase:``, outside
    the window of a rule bound to a phase or dates, see :mod:`bot.quotas.rule_windows`).
    ``done`` is the member's count for the period in the rule's measure.
    For per-student rules pass ``paired_students`` and ``student_counts``
    (student → entries in the period, or simply the student of every entry,
    repeats included) instead; names match as :func:`bot.people.students.student_key` compares them.
    """
    if not rule.applies_to(member.role):
        return None
    running = running_period(rule, today, calendar)  # a phase-bound rule's period is cut to its window
    if running is None:
        return None
    period = running.period
    return period_progress(
        running.rule_in_it(rule),
        calendar,
        member,
        period.start,
        period.end,
        period.key,
        today,
        done=done,
        paired_students=paired_students,
        student_counts=student_counts,
        whole_minimum=rule.minimum,
    )


@dataclass(frozen=True, slots=True)
class PeriodPace:
    """The calendar side of one member's progress in one period: the (prorated) minimum, and the working days
    behind the pace and the days left.

    It depends only on the rule's minimum, the period, the day targets count from and today, so members who
    share those share one (see :func:`period_pace`); a school's standing computes each once.
    """

    minimum: int
    """The rule's minimum, prorated from the day targets count from (per student for per-student rules)."""
    available: int
    elapsed: int
    days_left: int
    calendar_days_left: int
    closed: bool
    """Today is after the period."""

    def expected(self, target: int) -> int:
        """How much of ``target`` an even pace would have done before today (rounded down)."""
        if self.available == 0:
            return target if self.closed else 0
        return target * self.elapsed // self.available


def period_pace(minimum: int, calendar: SchoolCalendar, period_start: date, period_end: date, joined_on: date,
                today: date) -> PeriodPace:
    """:class:`PeriodPace` for a member counting from ``joined_on``; the same arithmetic as
    :func:`prorated_target` and :func:`expected_by_now`."""
    first_day = max(period_start, joined_on)
    available = calendar.working_days(first_day, period_end)
    elapsed = calendar.working_days(first_day, min(today - timedelta(days=1), period_end)) if available else 0
    from_day = max(today, period_start)
    return PeriodPace(
        minimum=prorated_target(minimum, period_start, period_end, joined_on, calendar),
        available=available,
        elapsed=elapsed,
        days_left=calendar.working_days(from_day, period_end),
        calendar_days_left=max((period_end - from_day).days + 1, 0),
        closed=today > period_end,
    )


def period_progress(
    rule: Rule,
    calendar: SchoolCalendar,
    member: MemberFacts,
    period_start: date,
    period_end: date,
    period_key: str,
    today: date,
    *,
    done: int = 0,
    paired_students: Iterable[str] = (),
    student_counts: Mapping[str, int] | Iterable[str] = (),
    whole_minimum: int | None = None,
    pace: PeriodPace | None = None,
    counts_by_key: Mapping[str, int] | None = None,
    student_keys: Sequence[tuple[str, str]] | None = None,
) -> RuleProgress:
    """Progress on ``rule`` for an explicit period; ``today`` may be after it (a closed period).

    ``whole_minimum`` is the rule's own minimum when ``rule`` carries the smaller one of a period cut by
    its phase or dates (:meth:`bot.quotas.rule_windows.RunningPeriod.rule_in_it`). ``pace`` is
    ``period_pace(rule.minimum, calendar, period_start, period_end, member.joined_on, today)`` when the
    caller already has it (shared among members). ``counts_by_key`` is ``student_counts`` already keyed by
    :func:`bot.people.students.student_key` (as storage counts them), which then is not normalised again.
    ``student_keys`` is ``paired_students`` already cleaned (:func:`student_keys`), each with its key: a member's
    per-student rules share it.
    """
    if pace is None:
        pace = period_pace(rule.minimum, calendar, period_start, period_end, member.joined_on, today)
    per_student_min = pace.minimum
    prorated_by: ProratedBy | None = None
    if per_student_min < rule.minimum:
        prorated_by = "counts_from" if member.counts_from_set else "joined"
    elif whole_minimum is not None and rule.minimum < whole_minimum:
        prorated_by = "window"
    missing: tuple[str, ...] = ()
    if rule.per_student or rule.per_place:  # a place is met like a student: assigned places are passed as students
        pairs = student_keys if student_keys is not None else student_keys_of(paired_students)
        counts = counts_by_key if counts_by_key is not None else _normalised_counts(student_counts)
        done = 0
        short: list[str] = []
        for name, key in pairs:
            count = counts.get(key, 0)
            if count < per_student_min:
                short.append(name)
                done += count
            else:
                done += per_student_min
        target = per_student_min * len(pairs)
        missing = tuple(short)
    else:
        target = per_student_min
    expected = pace.expected(target)
    return RuleProgress(
        rule_id=rule.id,
        period_key=period_key,
        period_start=period_start,
        period_end=period_end,
        done=done,
        target=target,
        expected_by_now=expected,
        remaining=max(target - done, 0),
        days_left=pace.days_left,
        calendar_days_left=pace.calendar_days_left,
        behind_by=max(expected - done, 0),
        on_pace=done >= expected,
        maximum=rule.maximum,
        students_missing=missing,
        prorated_by=prorated_by,
    )


def student_keys_of(paired_students: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The paired students as :func:`period_progress` counts them — stripped, blanks and repeats dropped, in
    order — each with its :func:`bot.people.students.student_key`."""
    return tuple([(name, student_key(name)) for name in dict.fromkeys([name.strip() for name in paired_students])
                  if name])


def _norm(name: str) -> str:
    return student_key(name)


def _normalised_counts(student_counts: Mapping[str, int] | Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    if isinstance(student_counts, Mapping):
        for name, count in student_counts.items():
            counts[_norm(name)] += count
    else:
        counts.update(_norm(name) for name in student_counts)
    return counts
