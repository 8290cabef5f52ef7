"""A school of a district follows the district's policy, adds its own rules to it (`extends: district`) or
replaces it; `policy set --district` reaches every school following it, and their stored report windows go stale
for the running bot's warmer to recompute."""

from __future__ import annotations

import asyncio
import datetime as dt
import textwrap

import pytest
from sqlalchemy import select

import bot.cli.policy as policy_cli
from bot.clock import FixedClock
from bot.people.districts import create_district, create_district_school, set_district_policy, set_own_policy
from bot.people.schools import SchoolError, policy_of
from bot.quotas.policy.sources import PolicySourceError
from bot.reporting.summaries import fingerprint
from bot.reporting.warm import ReportWarmer
from storage import repository as repo
from storage.db import Database
from storage.models import ReportSlot, School
from tests.support.cli import invoke

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)
WEEK_BASIS = "2026-11-16/2026-11-22/2026-W47/2026-11-18"

EXTRA_RULES = textwrap.dedent("""\
    extends: district
    # 各单位…结合本单位实际: this school also asks each teacher for a home visit a month.
    rules:
      - id: teacher-monthly-home-visit
        roles: [teacher]
        activities: [home_visit]
        min: 1
        period: month
    """)

NO_SUCH_ROLE = textwrap.dedent("""\
    extends: district
    rules:
      - {id: janitor-visits, roles: [janitor], activities: [home_visit], min: 1, period: month}
    """)


@pytest.fixture
def files(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(EXTRA_RULES, encoding="utf-8")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(NO_SUCH_ROLE, encoding="utf-8")
    return {"extra": str(extra), "wrong": str(wrong)}


async def district_of_three(db):
    """A seed-003 district: a school following it, one adding its own rules, one on its own plan (seed-000)."""
    district = await create_district(db, "华容县教育局", timezone="Asia/Shanghai", language="zh", policy="seed-003",
                                     now=NOW)
    ids = []
    for name in ("城关中学", "东山中学", "合川中学"):
        ids.append((await create_district_school(db, name, district.district_id, zone=None, timezone=None,
                                                 language=None, policy=None, now=NOW)).school_id)
    return district, ids


async def policies(db, school_ids):
    async with db.transaction() as session:
        schools = [await session.get(School, school_id) for school_id in school_ids]
        return [(policy_of(school), school.policy_name) for school in schools]


async def test_follow_extend_and_replace(db, files):
    district, (follows, extends, replaces) = await district_of_three(db)
    async with db.transaction() as session:
        await set_own_policy(session, await session.get(School, extends), files["extra"])
        await set_own_policy(session, await session.get(School, replaces), "seed-000")
    (following, name_f), (extending, name_e), (own, name_o) = await policies(db, [follows, extends, replaces])
    seed_003_rules = [rule.id for rule in following.rules]
    assert "teacher-pairing" in seed_003_rules and name_f == "seed-003"
    assert [rule.id for rule in extending.rules] == [*seed_003_rules, "teacher-monthly-home-visit"]
    assert name_e == "seed-003+extra"
    assert name_o == "seed-000" and "teacher-pairing" not in [rule.id for rule in own.rules]

    await set_district_policy(db, district.district_id, "seed-004")
    (following, name_f), (extending, name_e), (own, name_o) = await policies(db, [follows, extends, replaces])
    seed_004_rules = [rule.id for rule in following.rules]
    assert name_f == "seed-004" and "teacher-pairing" not in seed_004_rules
    assert [rule.id for rule in extending.rules] == [*seed_004_rules, "teacher-monthly-home-visit"]
    assert name_e == "seed-004+extra"
    assert name_o == "seed-000"
    async with db.transaction() as session:
        bureau = await session.get(School, district.bureau_school_id)
        codes = [a.code for a in await repo.activity_types(session, follows)]
    assert bureau.policy_name == "seed-004"
    assert codes == [activity.code for activity in following.activities]


async def test_a_school_outside_a_district_cannot_extend_one(db, files):
    from bot.people.schools import create_school
    school = await create_school(db, "合川中学", now=NOW)
    async with db.transaction() as session:
        with pytest.raises(SchoolError, match="is in no district"):
            await set_own_policy(session, await session.get(School, school.school_id), files["extra"])


async def test_rules_that_do_not_fit_the_districts_policy_are_refused_and_nothing_changes(db, files):
    _, (school, *_) = await district_of_three(db)
    with pytest.raises(PolicySourceError, match="janitor"):
        async with db.transaction() as session:
            await set_own_policy(session, await session.get(School, school), files["wrong"])
    [(_, name)] = await policies(db, [school])
    assert name == "seed-003"


def test_policy_set_district_leaves_the_following_schools_windows_to_the_warmer_which_recomputes_them(
        cli_database, files, monkeypatch):
    monkeypatch.setattr(policy_cli, "CLOCK", FixedClock(NOW))
    assert invoke("district", "create", "华容县教育局", "--policy", "seed-003").exit_code == 0
    assert invoke("school", "create", "城关中学", "--district", "1").exit_code == 0
    assert invoke("school", "create", "东山中学", "--district", "1", "--policy", files["extra"]).exit_code == 0
    assert invoke("school", "create", "合川中学", "--district", "1", "--policy", "seed-000").exit_code == 0

    async def warmed() -> tuple[set[int], int]:
        """The schools of the stale windows the running bot's warmer found, and the windows left after its round."""
        db = Database(cli_database)
        warmer = ReportWarmer(db)
        found = {school.id for school, _ in await warmer.stale(NOW)}
        await warmer.warm(NOW)
        left = len(await warmer.stale(NOW))
        await db.dispose()
        return found, left

    async def read_every_report() -> None:
        db = Database(cli_database)
        await ReportWarmer(db).warm(NOW, every_school=True)
        await db.dispose()

    asyncio.run(read_every_report())  # the four schools' reports were read: their windows are stored
    result = invoke("policy", "set", "--district", "1", "seed-004")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("district 1 now follows policy seed-004: ")
    assert lines[1] == ("3 schools of the district follow it: their stored report windows are recomputed in the "
                        "background by `teachlog run` or `teachlog worker`")

    async def stored():
        db = Database(cli_database)
        async with db.transaction() as session:
            schools = {school.id: school for school in (await session.scalars(select(School))).all()}
            slots = (await session.scalars(select(ReportSlot))).all()
        await db.dispose()
        return schools, slots

    schools, slots = asyncio.run(stored())
    stale = {slot.school_id for slot in slots if slot.slot == "week/this/"
             and slot.fingerprint != fingerprint(schools[slot.school_id], WEEK_BASIS)}
    assert stale == {1, 2, 3}  # not 4: it is on its own plan
    assert asyncio.run(warmed()) == ({1, 2, 3}, 0)
    schools, slots = asyncio.run(stored())
    week = next(slot for slot in slots if slot.school_id == 2 and slot.slot == "week/this/")
    assert week.fingerprint == fingerprint(schools[2], WEEK_BASIS)
    assert "teacher-monthly-home-visit" in schools[3].policy_text and schools[4].policy_name == "seed-000"


def test_policy_set_names_a_school_or_a_district(cli_database):
    result = invoke("policy", "set", "seed-000")
    assert (result.exit_code, result.output) == (1, "teachlog: give one of --school N or --district N\n")
    assert invoke("district", "create", "华容县教育局", "--policy", "seed-003").exit_code == 0
    assert invoke("school", "create", "城关中学", "--district", "1", "--policy", "seed-000").exit_code == 0
    result = invoke("policy", "set", "--school", "2", "district")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("school 2 now follows policy seed-003: ")


@pytest.mark.parametrize(("preset", "bureau_only", "schools_only", "both"), [
    ("seed-003", {"leader-contact-visits", "leader-each-contact-point-visited", "leader-reviews",
                  "leader-problems-solved"}, {"teacher-pairing"}, {"leader-window-service"}),
    ("seed-004", {"leader-field-research-days", "leader-forum", "leader-lecture-yearly", "leader-work-report-monthly",
                  "leader-npc-suggestion-yearly", "leader-cppcc-proposal-yearly", "leader-proposal"}, set(),
     {"everyone-study-monthly"}),
])
async def test_a_district_preset_gives_the_bureau_its_duties_and_the_schools_theirs(db, preset, bureau_only,
                                                                                    schools_only, both):
    district = await create_district(db, "县教育局", timezone="Asia/Shanghai", language="zh", policy=preset, now=NOW)
    school = await create_district_school(db, "城关中学", district.district_id, zone=None, timezone=None,
                                          language=None, policy=None, now=NOW)
    (bureau_policy, _), (school_policy, _) = await policies(db, [district.bureau_school_id, school.school_id])
    assert {rule.id for rule in bureau_policy.rules} == bureau_only | both
    assert {rule.id for rule in school_policy.rules} == schools_only | both
    assert bureau_policy.activities == school_policy.activities  # everyone can log everything the plan names
