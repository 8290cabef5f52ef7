"""Quota periods: the dates a period covers around a day, and a stable key naming it.

Periods (all bounds inclusive, in the school's local dates):

* ``week`` — ISO week, Monday to Sunday; key ``2026-W53`` (ISO year, so
  2026-12-31 and 2027-01-03 both fall in ``2026-W53``);
* ``month`` — key ``2026-11``;
* ``quarter`` — calendar quarters; key ``2026-Q4``;
* ``term`` — the school term containing the day, None in a vacation; key ``term:2026-autumn``;
* ``year`` — the calendar year (key ``2026``), or the school year when the
  policy sets ``calendar.school_year_start`` (key ``2026-2027`` for the year
  starting in 2026);
* ``phase:<name>`` — the campaign phase, None outside its dates; key ``phase:<name>``.

Keys are stable: they go into reminder dedupe keys and stored reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.quotas.calendar import SchoolCalendar
from bot.quotas.policy.model import Policy, parse_period

PeriodSource = Policy | SchoolCalendar


@dataclass(frozen=True)
class Period:
    """One concrete period: e.g. ``week`` from 2026-11-16 to 2026-11-22, key ``2026-W47``."""

    period: str
    start: date
    end: date
    key: str

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def as_calendar(source: PeriodSource) -> SchoolCalendar:
    """The school calendar of a policy (or the calendar itself)."""
    return source if isinstance(source, SchoolCalendar) else SchoolCalendar.of(source)


def period_bounds(period: str, day: date, source: PeriodSource) -> tuple[date, date] | None:
    """First and last day of the ``period`` containing ``day``; None when no such period runs then."""
    kind, phase_name = parse_period(period)
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == "month":
        return day.replace(day=1), _month_end(day.year, day.month)
    if kind == "quarter":
        first_month = 3 * ((day.month - 1) // 3) + 1
        return date(day.year, first_month, 1), _month_end(day.year, first_month + 2)
    calendar = as_calendar(source)
    if kind == "year":
        return _year_bounds(day, calendar.school_year_start)
    if kind == "term":
        term = calendar.term_for(day)
        return None if term is None else (term.start, term.end)
    phase = calendar.phase(phase_name or "")
    if phase is None or not phase.contains(day):
        return None
    return phase.start, phase.end


def period_key(period: str, start: date, source: PeriodSource | None = None) -> str:
    """The stable key of the ``period`` starting on ``start`` (see the module docstring).

    ``source`` is needed for ``term`` (the key names the term) and for a school
    year; a term key without it raises ValueError rather than guess.
    """
    kind, phase_name = parse_period(period)
    if kind == "week":
        iso_year, iso_week, _ = start.isocalendar()
        return f"{iso_year}-W{iso_week:02d}"
    if kind == "month":
        return f"{start.year}-{start.month:02d}"
    if kind == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if kind == "phase":
        return f"phase:{phase_name}"
    if kind == "year":
        school_year = source is not None and as_calendar(source).school_year_start is not None
        return f"{start.year}-{start.year + 1}" if school_year else str(start.year)
    if source is None:
        raise ValueError("a term's key names the term: pass the policy or calendar")
    term = as_calendar(source).term_for(start)
    if term is None:
        raise ValueError(f"no term contains {start}")
    return f"term:{term.id}"


def current_period(period: str, day: date, source: PeriodSource) -> Period | None:
    """The :class:`Period` of kind ``period`` containing ``day``, or None when none runs then."""
    calendar = as_calendar(source)
    bounds = period_bounds(period, day, calendar)
    if bounds is None:
        return None
    start, end = bounds
    return Period(period=period, start=start, end=end, key=period_key(period, start, calendar))


def previous_period(period: str, day: date, source: PeriodSource) -> Period | None:
    """The period before the one containing ``day`` (e.g. last week, for a Monday leaderboard).

    For terms: the latest term ending before ``day``. For phases: None (a phase happens once).
    """
    calendar = as_calendar(source)
    kind, _ = parse_period(period)
    if kind == "phase":
        return None
    if kind == "term":
        earlier = [term for term in calendar.terms if term.end < day]
        return current_period(period, earlier[-1].start, calendar) if earlier else None
    bounds = period_bounds(period, day, calendar)
    assert bounds is not None  # week, month, quarter and year always have bounds
    return current_period(period, bounds[0] - timedelta(days=1), calendar)


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _year_bounds(day: date, school_year_start: tuple[int, int] | None) -> tuple[date, date]:
    if school_year_start is None:
        return date(day.year, 1, 1), date(day.year, 12, 31)
    month, month_day = school_year_start
    start_year = day.year if (day.month, day.day) >= (month, month_day) else day.year - 1
    start = date(start_year, month, month_day)
    return start, date(start_year + 1, month, month_day) - timedelta(days=1)
