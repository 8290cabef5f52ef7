"""Members assigned to places (plan 001's classes, branch and prep group; plan 003's contact points):
the CLI, per-place coverage in progress, the place an entry records, and the contact-point export."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.database import app_database
from bot.logbook.drafts import EntryDraft
from bot.logbook.entries import save_entry
from bot.people.assignments import add_assignment, list_assignments
from bot.people.membership import Profile
from bot.people.pairings import PairingError
from bot.people.schools import create_school
from bot.quotas.calendar import SchoolCalendar
from bot.quotas.policy import check_policy_text, load_preset
from bot.quotas.progress import MemberFacts, period_progress
from bot.quotas.standing import school_standing
from storage.models import Entry, Member
from tests.support.cli import invoke
from tests.test_exports import values, workbook

TODAY = dt.date(2026, 11, 18)  # the fixed clock's day, inside both plans' campaigns


async def school_with_leader(db, clock, policy: str) -> tuple[int, int]:
    school = (await create_school(db, "华容一中", policy=policy, now=clock.now())).school_id
    async with db.transaction() as session:
        leader = Member(school_id=school, role="leader", display_name="刘校长", joined_on=dt.date(2026, 1, 1))
        session.add(leader)
        await session.flush()
        return school, leader.id


async def visit(db, school, member_id, activity, day, place) -> None:
    async with db.transaction() as session:
        session.add(Entry(school_id=school, member_id=member_id, activity_code=activity, occurred_on=day,
                          place_name=place, place_key=place.replace(" ", "").lower(),
                          logged_at=dt.datetime(2026, 11, 18, tzinfo=dt.UTC)))


def progress_of(standing, rule_id):
    (member,) = standing.members
    return next(p for p in member.rules if p.rule_id == rule_id)


async def test_plan_001_lists_the_assigned_places_a_leader_has_not_visited(db, clock):
    school, leader = await school_with_leader(db, clock, "seed-001")
    for kind, place in [("class", "初二(3)班"), ("class", "初三(1)班"), ("branch", "第一党支部"),
                        ("prep_group", "数学备课组")]:
        await add_assignment(db, school, "刘校长", kind, place)
    await visit(db, school, leader, "grassroots_visit", dt.date(2026, 6, 3), "初二 (3)班")
    await visit(db, school, leader, "grassroots_visit", dt.date(2026, 11, 2), "数学备课组")
    await visit(db, school, leader, "grassroots_visit", dt.date(2026, 11, 9), "数学备课组")  # counts once
    await visit(db, school, leader, "grassroots_visit", dt.date(2026, 11, 10), "葛洲坝社区")  # not an assigned place
    progress = progress_of(await school_standing(db, school, TODAY), "leader-assigned-places-visited")
    assert (progress.done, progress.target, progress.remaining) == (2, 4, 2)
    assert progress.students_missing == ("初三(1)班", "第一党支部")


async def test_a_leader_with_no_assigned_place_owes_nothing_per_place(db, clock):
    school, _ = await school_with_leader(db, clock, "seed-001")
    progress = progress_of(await school_standing(db, school, TODAY), "leader-assigned-places-visited")
    assert (progress.target, progress.complete) == (0, True)


def test_a_per_place_rule_counts_each_place_once_up_to_its_minimum():
    policy = load_preset("seed-003")
    rule = policy.rule("leader-each-contact-point-visited")
    leader = MemberFacts(member_id=1, role="leader", joined_on=dt.date(2026, 1, 1))
    progress = period_progress(rule, SchoolCalendar.of(policy), leader, dt.date(2026, 9, 24), dt.date(2026, 12, 10),
                               "phase:campaign", TODAY, paired_students=["城关中学", "实验小学"],
                               student_counts={"城关中学": 3})
    assert (progress.done, progress.target, progress.students_missing) == (1, 2, ("实验小学",))


async def test_a_logged_entry_stores_the_place_it_was_at(db, clock):
    school, leader = await school_with_leader(db, clock, "seed-003")
    await add_assignment(db, school, "刘校长", "contact_point", "城关中学", head="张主任")
    profile = Profile(member_id=leader, school_id=school, school_name="华容一中", role="leader", display_name="刘校长",
                      language="zh", school_language="zh", timezone="Asia/Shanghai", joined_on=dt.date(2026, 1, 1),
                      policy=load_preset("seed-003"))
    draft = EntryDraft(activity="contact_visit", place="城关中学", day=dt.date(2026, 11, 17), notes_asked=True,
                       covisitor_asked=True, problems_asked=True)
    assert draft.next_missing(profile.policy.activity("contact_visit").fields) is None
    assert EntryDraft(activity="contact_visit").next_missing(["place", "notes"]) == "place"
    await save_entry(db, profile, draft, source="telegram", now=clock.now())
    progress = progress_of(await school_standing(db, school, TODAY), "leader-each-contact-point-visited")
    assert (progress.done, progress.target, progress.students_missing) == (1, 1, ())


async def test_the_contact_point_sheet_fills_the_point_and_its_head_from_the_assignments(db, clock):
    school, leader = await school_with_leader(db, clock, "seed-003")
    await add_assignment(db, school, "刘校长", "contact_point", "城关中学", head="张主任")
    await visit(db, school, leader, "contact_visit", dt.date(2026, 11, 3), "城关中学")
    _, book = await workbook(db, school)
    assert values(book["领导联系点登记表"])[1][:5] == ["刘校长", "党员领导干部", "城关中学", "张主任", 1]


async def test_assigning_the_same_place_again_only_updates_its_head(db, clock):
    school, _ = await school_with_leader(db, clock, "seed-003")
    first = await add_assignment(db, school, "刘校长", "contact_point", "城关中学")
    again = await add_assignment(db, school, "刘校长", "contact_point", " 城关 中学", head="张主任")
    assert (first.created, again.created) == (True, False)
    assert [(a.place, a.head) for a in await list_assignments(db, school)] == [("城关中学", "张主任")]
    with pytest.raises(PairingError, match="unknown place kind 'school'"):
        await add_assignment(db, school, "刘校长", "school", "城关中学")


@pytest.fixture
def cli_school(cli_database):
    assert invoke("school", "create", "华容一中", "--policy", "seed-003").exit_code == 0

    async def members() -> None:
        db = app_database(cli_database)
        async with db.transaction() as session:
            session.add(Member(school_id=1, role="leader", display_name="刘校长", joined_on=dt.date(2026, 9, 1)))
        await db.dispose()

    asyncio.run(members())
    return cli_database


def test_pair_add_place_list_and_remove_from_the_cli(cli_school):
    added = invoke("pair", "add", "--school", "1", "--member", "刘校长", "--place", "城关中学",
                   "--kind", "contact_point", "--head", "张主任")
    assert (added.exit_code, added.output) == (
        0, "assigned 刘校长 (#1) to contact_point 城关中学 (in charge: 张主任)\n")
    assert invoke("pair", "add", "--school", "1", "--member", "1", "--student", "王小明").exit_code == 0
    listed = invoke("pair", "list", "--school", "1")
    assert listed.output.splitlines() == ["刘校长 (#1): 王小明", "1 member, 1 pairing",
                                          "刘校长 (#1) contact_point: 城关中学 (in charge: 张主任)"]
    removed = invoke("pair", "remove", "--school", "1", "--member", "刘校长", "--place", "城关中学",
                     "--kind", "contact_point")
    assert (removed.exit_code, removed.output) == (
        0, "removed: 刘校长 (#1) is no longer assigned to contact_point 城关中学\n")
    assert invoke("pair", "list", "--school", "1").output.splitlines()[-1] == "1 member, 1 pairing"


@pytest.mark.parametrize(("args", "message"), [
    (("--student", "王小明", "--place", "城关中学", "--kind", "class"), "give either --student NAME or --place NAME"),
    ((), "give either --student NAME or --place NAME"),
    (("--place", "城关中学"), "--place needs --kind"),
    (("--place", "城关中学", "--kind", "school"), "unknown place kind 'school'"),
])
def test_pair_add_refuses_an_unclear_request_in_one_line(cli_school, args, message):
    result = invoke("pair", "add", "--school", "1", "--member", "刘校长", *args)
    assert result.exit_code != 0 and message in result.output
    assert invoke("pair", "list", "--school", "1").output == "no pairings in school 1\n"


def test_policy_check_refuses_a_per_place_rule_on_an_activity_without_a_place():
    text = (
        "roles: [{code: leader}]\n"
        "activities: [{code: talk, fields: [notes]}]\n"
        "rules:\n"
        "  - {id: r, roles: [leader], activities: [talk], min: 1, period: month, scope: assigned_place}\n"
        "  - {id: s, roles: [leader], activities: [talk], min: 1, period: month, place_kind: village}\n"
    )
    assert [(p.line, p.message) for p in check_policy_text(text)] == [
        (4, "rules[0].activities[0]: the rule counts places, but activity 'talk' does not ask for a place"),
        (5, "rules[1].place_kind: place_kind is for rules with scope assigned_place"),
    ]
