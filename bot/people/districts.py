"""Districts (a county education bureau, 教育局): creating one with its bureau office, putting schools in it,
and handing its policy to the schools that follow it.

The bureau is a school row marked `is_bureau`: the bureau's own staff join and log there like any school's,
and its leaders see every school of the district. A school of a district follows the district's policy,
adds its own rules to it (a file saying ``extends: district``) or replaces it with its own
(:mod:`bot.quotas.policy.inheritance`); its stored policy is always the one in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bot.people.schools import (
    CreatedSchool,
    SchoolError,
    activity_rows,
    add_leader_invite,
    check_language,
    checked_name,
    validate_timezone,
)
from bot.people.students import student_key
from bot.quotas.policy import preset_names, preset_text
from bot.quotas.policy.inheritance import extends_district, school_policy_text
from bot.quotas.policy.sources import PolicySourceError, load_policy_source, policy_from_text
from storage import districts as queries
from storage import repository as repo
from storage.db import Database, Transaction
from storage.models import District, School

FOLLOWS, EXTENDS = "district", "extends"


@dataclass(frozen=True)
class CreatedDistrict:
    district_id: int
    bureau_school_id: int
    leader_invite: str


async def create_district(db: Database, name: str, *, timezone: str, language: str, policy: str,
                          now: dt.datetime) -> CreatedDistrict:
    """A district with its policy, its bureau office (a school of the same name following that policy) and a
    one-use leader invite for the bureau."""
    name = checked_name(name, "district", language, timezone)
    policy_name, policy_text, _ = load_policy_source(policy)
    if extends_district(policy_text):
        raise SchoolError(f"policy {policy!r} extends a district's: a district's own policy must be complete")
    async with db.transaction() as session:
        district = await repo.add(session, District(name=name, timezone=timezone, language=language,
                                                    policy_name=policy_name, policy_text=policy_text))
        bureau = School(name=name, timezone=timezone, language=language, district_id=district.id, is_bureau=True,
                        policy_follows=FOLLOWS)
        await repo.add(session, bureau)
        await _apply_district_policy(session, bureau, district)
        return CreatedDistrict(district.id, bureau.id, await add_leader_invite(session, bureau.id, now))


async def create_district_school(db: Database, name: str, district_id: int, *, zone: str | None,
                                 timezone: str | None, language: str | None, policy: str | None,
                                 now: dt.datetime) -> CreatedSchool:
    """A school of the district, with the district's time zone, language and policy unless given (a policy
    given extends the district's when its file says ``extends: district``, else replaces it), and a one-use
    leader invite."""
    name = name.strip()
    if not name:
        raise SchoolError("the school needs a name")
    async with db.transaction() as session:
        district = await require_district(session, district_id)
        await _refuse_a_second(session, district, name)
        school = await repo.add(session, School(
            name=name, timezone=validate_timezone(timezone or district.timezone),
            language=check_language(language or district.language), policy_name=district.policy_name))
        await place_school(session, school, district, zone, policy)
        return CreatedSchool(school.id, school.name, await add_leader_invite(session, school.id, now))


async def _refuse_a_second(session: Transaction, district: District, name: str, school_id: int | None = None) -> None:
    """SchoolError when another school of the district has this name: a district's schools are named in its
    report, in `/report school NAME` and as contact points, so two of one name could not be told apart."""
    for other in await queries.district_schools(session, district.id):
        if other.id != school_id and student_key(other.name) == student_key(name):
            raise SchoolError(f"district {district.id} already has a school called {other.name} (school {other.id}):"
                              " give this one a name of its own")


async def require_district(session: Transaction, district_id: int) -> District:
    district = await queries.get_district(session, district_id)
    if district is None:
        raise SchoolError(f"no district with id {district_id}")
    return district


async def _apply_district_policy(session: Transaction, school: School, district: District) -> None:
    """Store the policy in force at a school that follows or extends the district's, and its activity types."""
    text = school_policy_text(district.policy_text, school.policy_follows, school.own_policy_text,
                              bureau=school.is_bureau)
    if text is None:
        return
    try:
        parsed = policy_from_text(text)
    except ValueError as invalid:
        raise PolicySourceError(f"{school.name}'s own rules do not fit district {district.id}'s policy: "
                                f"{str(invalid).splitlines()[-1].strip()}") from None
    school.policy_name = (district.policy_name if school.policy_follows == FOLLOWS
                          else f"{district.policy_name}+{school.policy_name.split('+')[-1]}")
    school.policy_text = text
    await repo.replace_activity_types(session, school.id, activity_rows(parsed))


async def place_school(session: Transaction, school: School, district: District, zone: str | None,
                       own_policy: str | None) -> None:
    """Put a school in a district (in a zone): it follows the district's policy, or with `own_policy` (a preset
    or file) extends it (a file saying ``extends: district``) or replaces it."""
    school.district_id, school.zone = district.id, (zone or "").strip() or None
    if own_policy is None:
        school.policy_follows, school.own_policy_text = FOLLOWS, None
    else:
        await set_own_policy(session, school, own_policy)
        return
    await _apply_district_policy(session, school, district)


async def set_own_policy(session: Transaction, school: School, source: str) -> str:
    """A school's own policy: added to its district's when the file says ``extends: district``, else replacing
    whatever it followed. Returns the policy's name."""
    name, text = _source_text(source)
    if extends_district(text):
        if school.district_id is None:
            raise SchoolError(f"policy {source!r} extends a district's, but school {school.id} is in no district")
        district = await require_district(session, school.district_id)
        school.policy_follows, school.own_policy_text, school.policy_name = EXTENDS, text, name
        await _apply_district_policy(session, school, district)
        return school.policy_name
    _, _, parsed = load_policy_source(source)
    school.policy_follows, school.own_policy_text = None, None
    school.policy_name, school.policy_text = name, text
    await repo.replace_activity_types(session, school.id, activity_rows(parsed))
    return name


def _source_text(source: str) -> tuple[str, str]:
    """A preset's or file's name and text, not parsed: a file that extends a district is only a part."""
    if source in preset_names():
        return source, preset_text(source)
    path = Path(source)
    if not path.is_file():
        raise PolicySourceError(f"{source!r} is neither a preset ({', '.join(preset_names())}) nor a readable file")
    return path.stem, path.read_text(encoding="utf-8")


async def follow_district(session: Transaction, school: School) -> None:
    """The school drops its own policy and follows its district's again."""
    if school.district_id is None:
        raise SchoolError(f"school {school.id} is in no district")
    district = await require_district(session, school.district_id)
    school.policy_follows, school.own_policy_text = FOLLOWS, None
    await _apply_district_policy(session, school, district)


async def set_district_policy(db: Database, district_id: int, source: str) -> tuple[str, list[int]]:
    """Give the district a new policy and store it in force at every school following or extending it;
    returns its name and those schools' ids (whose stored report windows are now stale)."""
    policy_name, policy_text, _ = load_policy_source(source)
    if extends_district(policy_text):
        raise SchoolError(f"policy {source!r} extends a district's: a district's own policy must be complete")
    async with db.transaction() as session:
        district = await require_district(session, district_id)
        district.policy_name, district.policy_text = policy_name, policy_text
        following = await queries.following_schools(session, district_id)
        for school in following:
            await _apply_district_policy(session, school, district)
        return policy_name, [school.id for school in following]


async def move_school(db: Database, school_id: int, district_id: int | None, zone: str | None, *,
                      keep_policy: bool = False) -> School:
    """Put a school in a district (it then follows the district's policy unless `keep_policy`), or with
    `district_id` None take it out (it keeps the policy in force as its own)."""
    async with db.transaction() as session:
        school = await repo.get_school(session, school_id)
        if school is None:
            raise SchoolError(f"no school with id {school_id}")
        if school.is_bureau:
            raise SchoolError(f"school {school_id} is the bureau of district {school.district_id}: it stays there")
        if district_id is None:
            school.district_id, school.zone, school.policy_follows, school.own_policy_text = None, None, None, None
            return school
        district = await require_district(session, district_id)
        await _refuse_a_second(session, district, school.name, school.id)
        if keep_policy:
            school.district_id, school.zone = district.id, (zone or "").strip() or None
            school.policy_follows, school.own_policy_text = None, None
        else:
            await place_school(session, school, district, zone, None)
        return school


async def set_zone(db: Database, school_id: int, zone: str | None) -> None:
    async with db.transaction() as session:
        school = await repo.get_school(session, school_id)
        if school is None:
            raise SchoolError(f"no school with id {school_id}")
        if school.district_id is None:
            raise SchoolError(f"school {school_id} is in no district: give --district too")
        school.zone = (zone or "").strip() or None


@dataclass(frozen=True)
class SchoolLine:
    school_id: int
    name: str
    zone: str | None
    bureau: bool
    policy: str
    own_policy: bool
    members: int
    joined: int


@dataclass(frozen=True)
class DistrictLine:
    district_id: int
    name: str
    policy: str
    schools: tuple[SchoolLine, ...]


async def district_lines(db: Database) -> list[DistrictLine]:
    """Every district with its schools (bureau first) and their member counts."""
    async with db.transaction() as session:
        found = []
        for district in await queries.all_districts(session):
            schools = await queries.district_schools(session, district.id)
            counts = await queries.headcounts(session, [school.id for school in schools])
            found.append(DistrictLine(district.id, district.name, district.policy_name, tuple(
                SchoolLine(school.id, school.name, school.zone, school.is_bureau, school.policy_name,
                           school.policy_follows != FOLLOWS,
                           counts[school.id].members if school.id in counts else 0,
                           counts[school.id].joined if school.id in counts else 0)
                for school in schools)))
        return found
