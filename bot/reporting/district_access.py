"""Who sees a district's reports, and which school a bureau leader names: the privacy rules above the school.

* A bureau leader (a leader of the district's bureau office) sees the district report and any school of
  their district, in a private chat; a group linked to the bureau gets them too, asked by the bureau's
  members. Nothing of another district: a school is looked up among their district's schools only.
* A school's own members and leaders see only their school (see :mod:`bot.reporting.report_access`).
* What a group gets is counts and rankings: the district report names no member, and a school's overview
  is the one its own linked group gets (no student's name, note or problem text).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.people.students import named
from storage import districts as queries
from storage import repository as repo
from storage.db import Database
from storage.models import School

#: The words after /report that ask for the district (全县 a county's, 全区 a district's).
DISTRICT_WORDS = frozenset({"district", "全县", "全区"})


@dataclass(frozen=True)
class Bureau:
    """The district a bureau office belongs to."""

    district_id: int
    school_id: int


async def bureau_of_school(db: Database, school_id: int) -> Bureau | None:
    """The district whose bureau the school is; None for any other school."""
    async with db.transaction() as session:
        school = await repo.get_school(session, school_id)
    if school is None or not school.is_bureau or school.district_id is None:
        return None
    return Bureau(school.district_id, school.id)


def asks_for_district(words: str) -> tuple[bool, str]:
    """Whether the words after /report ask for the district, and the words after that one."""
    first, _, rest = words.strip().partition(" ")
    return first.casefold() in DISTRICT_WORDS, rest.strip()


@dataclass(frozen=True)
class SchoolLookup:
    """The district's school a name means, or the candidates when it fits several (or none)."""

    school: School | None
    candidates: tuple[str, ...] = ()


async def find_district_school(db: Database, district_id: int, name: str) -> SchoolLookup:
    """The school of the district called `name` (spaces and case ignored), else the only one whose name holds it;
    schools of other districts are never found."""
    async with db.transaction() as session:
        schools = await queries.district_schools(session, district_id)
    found = named(schools, name, lambda school: school.name)
    if len(found) == 1:
        return SchoolLookup(found[0])
    return SchoolLookup(None, tuple(sorted(s.name for s in found)))


async def school_in_district(db: Database, district_id: int, school_id: int) -> School | None:
    """The school when it is one of the district's; None otherwise (a forged or stale button)."""
    async with db.transaction() as session:
        school = await repo.get_school(session, school_id)
    return school if school is not None and school.district_id == district_id else None
