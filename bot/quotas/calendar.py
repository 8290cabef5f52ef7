"""The school calendar: which days are working days, which term a day is in, the campaign phases.

A working day is a day on which the school expects people to be able to do
their outreach, and the unit of pace and proration:

* Monday to Friday are working days, Saturday and Sunday are not;
* when the policy opts in (``calendar.chinese_holidays: true``), Chinese public
  holidays are not working days and make-up workdays (调休, e.g. a Saturday
  before National Day) are — as published in the ``chinese-calendar`` package;
  for years that package does not know yet, plain weekends apply, and
  :meth:`SchoolCalendar.years_without_holidays` names them so that people are told;
* holidays and make-up workdays the policy lists itself (``calendar.holidays``
  and ``calendar.workdays``, per year) override the package, opted in or not;
* blackout dates (vacations, exam weeks) are never working days, even a
  make-up Saturday inside the winter vacation.

Days outside every term are *not* automatically off: put vacations in the
blackouts if the school expects nothing then.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from bot.quotas.policy.model import ListedDays, Phase, Policy, Term

#: The years chinese-calendar publishes public holidays and make-up workdays for.
CHINESE_CALENDAR_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


@lru_cache(maxsize=4096)
def _chinese_day(day: date) -> tuple[bool, bool, str | None] | None:
    """``(is_workday, is_public_holiday, holiday_name)`` from chinese-calendar, or None for unknown years."""
    try:
        workday = chinese_calendar.is_workday(day)
        _, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return workday, day in chinese_calendar.holidays, name


@dataclass(frozen=True)
class SchoolCalendar:
    """Working days, terms and phases of one school (see the module docstring for the rules)."""

    terms: tuple[Term, ...] = ()
    phases: tuple[Phase, ...] = ()
    blackout_days: frozenset[date] = frozenset()
    chinese_holidays: bool = False
    school_year_start: tuple[int, int] | None = None
    listed_holidays: Mapping[date, str] = field(default_factory=dict, hash=False)
    listed_workdays: Mapping[date, str] = field(default_factory=dict, hash=False)
    listed_years: frozenset[int] = frozenset()
    _cache: dict[tuple[date, date], int] = field(default_factory=dict, init=False, compare=False, repr=False)

    @classmethod
    def from_policy(cls, policy: Policy) -> SchoolCalendar:
        """The calendar a policy describes (terms, blackouts, holidays opt-in, school year, phases)."""
        config = policy.calendar
        days: set[date] = set()
        for blackout in config.blackouts:
            days.update(_days(blackout.start, blackout.last_day))
        return cls(
            terms=tuple(sorted(config.terms, key=lambda t: t.start)),
            phases=policy.phases,
            blackout_days=frozenset(days),
            chinese_holidays=config.chinese_holidays,
            school_year_start=config.school_year_start_month_day,
            listed_holidays=_listed(config.holidays),
            listed_workdays=_listed(config.workdays),
            listed_years=config.listed_years,
        )

    @classmethod
    def of(cls, policy: Policy) -> SchoolCalendar:
        """:meth:`from_policy`, remembered per policy object (so its working-day counts are reused)."""
        remembered = _BY_POLICY.get(id(policy))
        if remembered is None or remembered[0] is not policy:
            if len(_BY_POLICY) >= 64:
                _BY_POLICY.clear()
            remembered = _BY_POLICY[id(policy)] = (policy, cls.from_policy(policy))
        return remembered[1]

    def is_blackout(self, day: date) -> bool:
        return day in self.blackout_days

    def _library_day(self, day: date) -> tuple[bool, bool, str | None] | None:
        """chinese-calendar's word on ``day``, unless the school opted out or lists the day itself."""
        if not self.chinese_holidays or day in self.listed_holidays or day in self.listed_workdays:
            return None
        return _chinese_day(day)

    def is_public_holiday(self, day: date) -> bool:
        """A public holiday the policy lists, or a Chinese one (when the school opted in and the year is known)."""
        if day in self.listed_holidays:
            return True
        known = self._library_day(day)
        return known is not None and known[1]

    def holiday_name(self, day: date) -> str | None:
        """The name of a public holiday or make-up workday (e.g. "National Day"), from the policy or the library."""
        listed = self.listed_holidays.get(day, self.listed_workdays.get(day))
        if listed is not None:
            return listed or None
        known = self._library_day(day)
        return known[2] if known is not None else None

    def years_without_holidays(self, start: date, end: date) -> tuple[int, ...]:
        """Years from ``start`` to ``end`` in which holidays count as working days because nobody knows them.

        That is: the school opted in to public holidays, chinese-calendar does
        not cover the year, and the policy lists no holidays of its own for it.
        """
        if not self.chinese_holidays:
            return ()
        return tuple(year for year in range(start.year, end.year + 1)
                     if year not in CHINESE_CALENDAR_YEARS and year not in self.listed_years)

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day of this school."""
        if day in self.blackout_days or day in self.listed_holidays:
            return False
        if day in self.listed_workdays:
            return True
        known = self._library_day(day)
        if known is not None:
            return known[0]
        return day.weekday() < 5

    def working_days(self, start: date, end: date) -> int:
        """How many working days from ``start`` to ``end``, both included (0 if end < start)."""
        if end < start:
            return 0
        key = (start, end)
        if key not in self._cache:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = sum(1 for day in _days(start, end) if self.is_workday(day))
        return self._cache[key]

    def iter_working_days(self, start: date, end: date) -> Iterator[date]:
        """The working days from ``start`` to ``end``, both included, in order."""
        return (day for day in _days(start, end) if self.is_workday(day))

    def term_for(self, day: date) -> Term | None:
        """The term containing ``day``, or None in a vacation."""
        for term in self.terms:
            if term.contains(day):
                return term
        return None

    def term(self, term_id: str) -> Term | None:
        return next((term for term in self.terms if term.id == term_id), None)

    def phase(self, name: str) -> Phase | None:
        return next((phase for phase in self.phases if phase.name == name), None)

    def phases_on(self, day: date) -> tuple[Phase, ...]:
        """The campaign phases running on ``day`` (phases may overlap, e.g. a whole-campaign phase)."""
        return tuple(phase for phase in self.phases if phase.contains(day))


#: Calendars of recently used policies, by id; the policy is kept alongside so its id cannot be reused.
_BY_POLICY: dict[int, tuple[Policy, SchoolCalendar]] = {}


def _listed(per_year: Mapping[int, tuple[ListedDays, ...]]) -> dict[date, str]:
    """Every day the policy lists under ``calendar.holidays`` or ``calendar.workdays``, with its name."""
    return {day: days.name for items in per_year.values() for days in items
            for day in _days(days.start, days.last_day)}


def _days(start: date, end: date) -> Iterator[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)
