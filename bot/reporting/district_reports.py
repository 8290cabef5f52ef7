"""What a district's report reports, as plain data: each school's standing over a period, read from the
schools' stored report summaries (:func:`bot.reporting.reports.school_report`), never from the entries.

**Schools** are ranked by share of quotas met — the mean over the school's members with a quota of each
member's share, what the school's own report calls "met on average" — equal results sharing a place
(1, 2, 2, 4). A school where no quota applies to anyone is listed but not ranked. The bureau's office is
reported on its own line: it is no school the bureau ranks.

**Zones** (学区) are ranked the same way, over all the members of their schools; schools with no zone are
in none.

All the schools are read together, in a few statements whatever their number
(:func:`bot.reporting.reports.school_standings`).

**Totals** are the sum of the schools' totals (the bureau's included), entries per activity, so they equal
the sum of each school's `teachlog report --school S` for the same period.

Each school's window is its own calendar's period around the same day; a school whose calendar has no such
period (say, no terms set) is listed with nothing counted.

Nothing here names a member or a student: a district report may go to a group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from bot.people.districts import FOLLOWS
from bot.people.schools import SchoolError, policy_of
from bot.quotas.policy import ActivityType, Policy
from bot.quotas.policy.sources import policy_from_text
from bot.reporting.reports import (
    NoSuchPeriod,
    ReportWindow,
    StoredStanding,
    report_window,
    school_standings,
    schools_not_stored,
)
from storage import districts as queries
from storage.db import Database
from storage.models import School

#: How many of the schools furthest behind a district report names.
BEHIND = 5
#: Shares equal to this many decimals share a place (float sums of different members differ in the last bit).
SHARE_DIGITS = 9


@dataclass(frozen=True)
class SchoolStanding:
    """One school over the window: members, who joined, entries per activity and its members' shares met."""

    school_id: int
    name: str
    zone: str | None
    bureau: bool
    own_plan: bool
    """The school replaced the district's policy or added its own rules to it."""
    window: ReportWindow | None
    members: int
    joined: int
    totals: Mapping[str, int]
    shares: tuple[float, ...]
    """Each member's share of quotas met, for the members a quota applies to."""

    @property
    def average_share(self) -> float | None:
        return sum(self.shares) / len(self.shares) if self.shares else None

    @property
    def all_met(self) -> int:
        return sum(1 for share in self.shares if share >= 1.0)

    @property
    def entries(self) -> int:
        return sum(self.totals.values())


@dataclass(frozen=True)
class ZoneStanding:
    name: str
    schools: tuple[SchoolStanding, ...]

    @cached_property
    def shares(self) -> tuple[float, ...]:
        return tuple(share for school in self.schools for share in school.shares)

    @property
    def average_share(self) -> float | None:
        return sum(self.shares) / len(self.shares) if self.shares else None

    @property
    def members(self) -> int:
        return sum(school.members for school in self.schools)


@dataclass(frozen=True)
class Ranked:
    place: int
    share: float
    item: SchoolStanding | ZoneStanding


def ranked(items: Iterable[SchoolStanding | ZoneStanding]) -> list[Ranked]:
    """Items with a share, best first, equal shares (to :data:`SHARE_DIGITS` decimals) sharing a place."""
    scored = sorted(((round(item.average_share, SHARE_DIGITS), item) for item in items
                     if item.average_share is not None), key=lambda pair: (-pair[0], pair[1].name))
    placed: list[Ranked] = []
    for index, (share, item) in enumerate(scored):
        tied = placed and placed[-1].share == share
        placed.append(Ranked(placed[-1].place if tied else index + 1, share, item))
    return placed


@dataclass(frozen=True)
class DistrictReport:
    district_id: int
    name: str
    policy: Policy
    window: ReportWindow
    """The district's own calendar's window, for the title."""
    bureau: SchoolStanding | None
    schools: tuple[SchoolStanding, ...]
    """The district's schools, the bureau left out."""
    activities: tuple[ActivityType, ...]
    """Every activity counted anywhere in the district, the district policy's first."""
    zone: str | None = None
    """Set when the report is one zone's."""

    @property
    def every_unit(self) -> tuple[SchoolStanding, ...]:
        return ((self.bureau,) if self.bureau is not None else ()) + self.schools

    @cached_property
    def ranking(self) -> list[Ranked]:
        return ranked(self.schools)

    @cached_property
    def furthest_behind(self) -> list[Ranked]:
        """The :data:`BEHIND` lowest-ranked schools that have not met every quota, the furthest behind first."""
        behind = [placed for placed in self.ranking if placed.share < 1.0]
        return list(reversed(behind[-BEHIND:]))

    @cached_property
    def zones(self) -> list[ZoneStanding]:
        names = sorted({school.zone for school in self.schools if school.zone})
        return [ZoneStanding(name, tuple(s for s in self.schools if s.zone == name)) for name in names]

    @cached_property
    def zone_ranking(self) -> list[Ranked]:
        return ranked(self.zones)

    @cached_property
    def totals(self) -> dict[str, int]:
        """Entries per activity over the whole district, the bureau's included."""
        totals: dict[str, int] = {}
        for unit in self.every_unit:
            for code, count in unit.totals.items():
                totals[code] = totals.get(code, 0) + count
        return totals

    @property
    def members(self) -> int:
        return sum(unit.members for unit in self.every_unit)

    @property
    def joined(self) -> int:
        return sum(unit.joined for unit in self.every_unit)

    @property
    def average_share(self) -> float | None:
        shares = [share for school in self.schools for share in school.shares]
        return sum(shares) / len(shares) if shares else None

    @property
    def unranked(self) -> list[SchoolStanding]:
        """Schools no quota applies to in the window (or whose calendar has no such period)."""
        return [school for school in self.schools if school.average_share is None]


class NoSuchZone(LookupError):
    """No school of the district is in the zone named; `.zones` lists the district's zones."""

    def __init__(self, zones: Sequence[str]) -> None:
        super().__init__("no such zone")
        self.zones = tuple(zones)


async def district_schools(db: Database, district_id: int) -> tuple[str, Policy, list[School]]:
    """The district's name and policy and its schools (the bureau first); SchoolError for an unknown district."""
    async with db.transaction() as session:
        district = await queries.get_district(session, district_id)
        if district is None:
            raise SchoolError(f"no district with id {district_id}")
        return district.name, policy_from_text(district.policy_text), \
            await queries.district_schools(session, district_id)


def _standing(school: School, window: ReportWindow | None, stored: StoredStanding | None,
              counts: Mapping[int, queries.Headcount]) -> SchoolStanding:
    own_plan = school.policy_follows != FOLLOWS
    if stored is None:  # the school's calendar has no such period
        found = counts.get(school.id, queries.Headcount(0, 0))
        return SchoolStanding(school.id, school.name, school.zone, school.is_bureau, own_plan, None,
                              found.members, found.joined, {}, ())
    return SchoolStanding(school.id, school.name, school.zone, school.is_bureau, own_plan, window,
                          stored.members, stored.joined, {code: n for code, n in stored.totals.items() if n},
                          stored.shares)


def _window(school: School, kind: str, previous: bool, day: dt.date, year: int | None) -> ReportWindow | None:
    try:
        return report_window(kind, previous, day, policy_of(school), year=year)
    except NoSuchPeriod:
        return None


async def schools_to_compute(db: Database, district_id: int, kind: str, previous: bool, day: dt.date, *,
                             year: int | None = None) -> int:
    """How many of the district's schools have nothing stored for the period: a report now would first compute
    them from the entries (seconds each for a large school)."""
    _, _, schools = await district_schools(db, district_id)
    return await schools_not_stored(db, [(school, own) for school in schools
                                         if (own := _window(school, kind, previous, day, year)) is not None])


async def district_report(db: Database, district_id: int, kind: str, previous: bool, day: dt.date, *,
                          year: int | None = None, zone: str | None = None) -> DistrictReport:
    """Every school's standing over the period (one zone's, with `zone`); NoSuchPeriod when the district's own
    calendar has no such period, NoSuchZone for a zone none of its schools is in."""
    name, policy, schools = await district_schools(db, district_id)
    window = report_window(kind, previous, day, policy, year=year)
    if zone is not None:
        zones = sorted({school.zone for school in schools if school.zone})
        if zone not in zones:
            raise NoSuchZone(zones)
        schools = [school for school in schools if school.zone == zone]
    windows = {school.id: _window(school, kind, previous, day, year) for school in schools}
    without = [school.id for school in schools if windows[school.id] is None]
    counts: Mapping[int, queries.Headcount] = {}
    if without:
        async with db.transaction() as session:
            counts = await queries.headcounts(session, without)
    stored = await school_standings(db, [(school, own) for school in schools
                                          if (own := windows[school.id]) is not None])
    standings = [_standing(school, windows[school.id], stored.get(school.id), counts) for school in schools]
    bureau = next((standing for standing in standings if standing.bureau), None)
    activities: dict[str, ActivityType] = {a.code: a for a in policy.activities}
    for school in schools:
        for activity in policy_of(school).activities:
            activities.setdefault(activity.code, activity)
    return DistrictReport(district_id, name, policy, window, bureau,
                          tuple(standing for standing in standings if not standing.bureau),
                          tuple(activities.values()), zone)
