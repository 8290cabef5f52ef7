"""Contact points are schools: a bureau leader's contact point names a school of the district (a unique part of
its name is enough), and visits logged at it count for the leader's contact-point rules."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.logbook.drafts import EntryDraft
from bot.logbook.entries import save_entry
from bot.people.assignments import add_assignment
from bot.people.districts import create_district, create_district_school
from bot.people.membership import profile_of
from bot.people.pairings import PairingError
from bot.quotas.standing import school_standing
from storage.db import Database
from storage.models import Member, School
from tests.support.cli import invoke

TODAY = dt.date(2026, 11, 18)
NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)


async def county(db) -> tuple[int, int, list[int]]:
    """华容县 (seed-003): the bureau with 刘局长, a leader, and three schools; its ids, his, the schools'."""
    district = await create_district(db, "华容县教育局", timezone="Asia/Shanghai", language="zh", policy="seed-003",
                                     now=NOW)
    schools = [(await create_district_school(db, name, district.district_id, zone=None, timezone=None,
                                             language=None, policy=None, now=NOW)).school_id
               for name in ("城关中学", "东山中学", "城关小学")]
    async with db.transaction() as session:
        leader = Member(school_id=district.bureau_school_id, role="leader", display_name="刘局长",
                        joined_on=dt.date(2026, 9, 1))
        session.add(leader)
        await session.flush()
    return district.bureau_school_id, leader.id, schools


async def test_a_contact_point_is_the_districts_school_and_visits_at_it_count(db, clock):
    bureau, leader, (chengguan, dongshan, _) = await county(db)
    placed = await add_assignment(db, bureau, "刘局长", "contact_point", "东山", head="周校长")
    assert (placed.assignment.place, placed.assignment.school_id, placed.created) == ("东山中学", dongshan, True)
    await add_assignment(db, bureau, "刘局长", "contact_point", "城关中学")
    async with db.transaction() as session:
        profile = profile_of(await session.get(Member, leader), await session.get(School, bureau))
    for day in (dt.date(2026, 10, 20), dt.date(2026, 11, 3)):
        draft = EntryDraft(activity="contact_visit", place="东山中学", day=day, notes_asked=True, covisitor_asked=True,
                           problems_asked=True)
        await save_entry(db, profile, draft, source="telegram", now=clock.now())
    [member] = (await school_standing(db, bureau, TODAY)).members
    progress = {p.rule_id: p for p in member.rules}
    each = progress["leader-each-contact-point-visited"]
    assert (each.done, each.target, each.students_missing) == (1, 2, ("城关中学",))
    assert progress["leader-contact-visits"].done == 2


async def test_a_name_that_fits_several_schools_is_refused_and_an_office_stays_a_place(db, clock):
    bureau, _, _ = await county(db)
    with pytest.raises(PairingError, match="fits several schools of the district: 城关中学, 城关小学"):
        await add_assignment(db, bureau, "刘局长", "contact_point", "城关")
    office = await add_assignment(db, bureau, "刘局长", "contact_point", "人事股")
    assert (office.assignment.place, office.assignment.school_id) == ("人事股", None)


def test_pair_add_names_the_school_a_contact_point_is(cli_database):
    async def setup() -> None:
        db = Database(cli_database)
        from storage.migrate import upgrade
        await upgrade(db)
        await county(db)
        await db.dispose()

    asyncio.run(setup())
    result = invoke("pair", "add", "--school", "1", "--member", "刘局长", "--place", "东山", "--kind", "contact_point",
                    "--head", "周校长")
    assert (result.exit_code, result.output) == (
        0, "assigned 刘局长 (#1) to contact_point 东山中学 (in charge: 周校长), school 3 of the district\n")


def county_in_the_cli_database(cli_database, *, second_liu: bool = False) -> None:
    """The county of :func:`county`; with `second_liu`, 苍南县 too, whose bureau also has a 刘局长."""
    async def setup() -> None:
        db = Database(cli_database)
        from storage.migrate import upgrade
        await upgrade(db)
        await county(db)
        if second_liu:
            cangnan = await create_district(db, "苍南县教育局", timezone="Asia/Shanghai", language="zh",
                                            policy="seed-004", now=NOW)
            async with db.transaction() as session:
                session.add(Member(school_id=cangnan.bureau_school_id, role="leader", display_name="刘局长",
                                   joined_on=dt.date(2026, 9, 1)))
        await db.dispose()

    asyncio.run(setup())


def test_pair_add_finds_a_bureau_leaders_bureau_for_a_contact_point_without_school(cli_database):
    county_in_the_cli_database(cli_database)
    result = invoke("pair", "add", "--member", "刘局长", "--place", "东山", "--kind", "contact_point")
    assert (result.exit_code, result.output) == (
        0, "assigned 刘局长 (#1) to contact_point 东山中学, school 3 of the district\n")
    listed = invoke("pair", "list", "--school", "1")
    assert listed.output.splitlines() == ["刘局长 (#1) contact_point: 东山中学"]


def test_pair_add_without_school_names_the_bureaus_of_an_ambiguous_member_and_adds_nothing(cli_database):
    county_in_the_cli_database(cli_database, second_liu=True)
    result = invoke("pair", "add", "--member", "刘局长", "--place", "东山", "--kind", "contact_point")
    assert (result.exit_code, result.output) == (
        1, "teachlog: '刘局长' is a member of several bureaus: 刘局长 (#1) of 华容县教育局 (school 1), 刘局长 (#2) of "
           "苍南县教育局 (school 5); give --school N or the member's id\n")
    assert invoke("pair", "list", "--school", "1").output == "no pairings in school 1\n"
    by_id = invoke("pair", "add", "--member", "2", "--place", "灵溪一小", "--kind", "contact_point")
    assert (by_id.exit_code, by_id.output) == (0, "assigned 刘局长 (#2) to contact_point 灵溪一小\n")


@pytest.mark.parametrize(("args", "message"), [
    (["--member", "王局长", "--place", "东山", "--kind", "contact_point"],
     "teachlog: no bureau has a member called '王局长'; give --school N\n"),
    (["--member", "刘局长", "--student", "王小明"],
     "teachlog: give --school N (only a contact point, --kind contact_point, finds a bureau member's school)\n"),
])
def test_pair_add_without_school_says_what_is_missing(cli_database, args, message):
    county_in_the_cli_database(cli_database)
    result = invoke("pair", "add", *args)
    assert (result.exit_code, result.output) == (1, message)
