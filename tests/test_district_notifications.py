"""A bureau's weekly messages: on Monday the district leaderboard of schools to each group linked to the bureau,
on Friday the district digest to each bureau leader — once each (dedupe), and nothing of the district's to a
school's own leaders or groups."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.i18n import translator
from bot.logbook.drafts import EntryDraft
from bot.logbook.entries import save_entry
from bot.notifications.digest import DigestFacts, EntryChange, digest_text
from bot.notifications.planning import Planner
from bot.notifications.weekly_facts import database_standing, digest_facts
from bot.people.assignments import add_assignment
from bot.people.districts import create_district, create_district_school
from bot.people.groups import LinkOptions, link_group
from bot.people.membership import profile_of
from bot.people.schools import policy_of
from bot.people.students import student_key
from bot.platform_names import TELEGRAM
from bot.quotas.policy.loader import preset_text
from bot.quotas.policy.sources import policy_from_text
from storage import daily_counts
from storage.models import Entry, EntryAudit, Member, OutboxMessage, School
from tests.support.accounts import give_account
from tests.support.notifications import BEHIND_RULE, local, progress

SETUP = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.timezone.utc)
MONDAY, FRIDAY = local("2026-11-16", "08:30"), local("2026-11-20", "17:30")
DISTRICT_KINDS = {"district_leaderboard", "district_leaderboard_chart", "district_digest"}
#: school → (member, [(activity, day)]): 城关中学 met every quota last week, 东山中学 half and catches up this week,
#: 西山小学's staff never logged.
STAFF = {
    "城关中学": [("王芳", [("tutoring", 10), ("tutoring", 11), ("home_visit", 10), ("tutoring", 17)]),
               ("李雷", [("tutoring", 10), ("tutoring", 12), ("home_visit", 11), ("tutoring", 17)])],
    "东山中学": [("张伟", [("tutoring", 10), ("tutoring", 12), ("home_visit", 12), ("tutoring", 16),
                        ("tutoring", 17)]),
               ("赵敏", [("tutoring", 16), ("tutoring", 17), ("home_visit", 16)])],
    "西山小学": [("陈静", []), ("周杰", []), ("孙丽", [])],
}
STUDENT = "小明"


async def add_member(db, school_id: int, name: str, role: str, account: int | None = None) -> Member:
    async with db.transaction() as session:
        member = Member(school_id=school_id, role=role, display_name=name, joined_on=dt.date(2026, 9, 1))
        session.add(member)
        await session.flush()
        if account is not None:
            await give_account(session, member, account)
        return member


async def add_entry(db, school_id: int, member_id: int, activity: str, day: dt.date, place: str | None = None):
    async with db.transaction() as session:
        session.add(Entry(school_id=school_id, member_id=member_id, activity_code=activity, occurred_on=day,
                          student_name=STUDENT, student_key=STUDENT, notes="家里情况", place_name=place,
                          place_key=student_key(place) if place else None, source="test",
                          logged_at=dt.datetime.combine(day, dt.time(10), dt.UTC)))


@pytest.fixture
async def county(db):
    """华容县: the bureau (刘局长, a leader, with a linked group and two contact points) and three schools on the
    default plan; 城关中学 has a leader of its own and a linked group too."""
    district = await create_district(db, "华容县教育局", timezone="Asia/Shanghai", language="zh", policy="seed-003",
                                     now=SETUP)
    bureau = district.bureau_school_id
    schools = {name: (await create_district_school(db, name, district.district_id, zone=None, timezone=None,
                                                   language=None, policy="default", now=SETUP)).school_id
               for name in STAFF}
    chief = await add_member(db, bureau, "刘局长", "leader", account=900)
    principal = await add_member(db, schools["城关中学"], "黄校长", "leader", account=901)
    for number, (school, staff) in enumerate(STAFF.items()):
        for index, (name, entries) in enumerate(staff):
            member = await add_member(db, schools[school], name, "teacher", account=1000 + 10 * number + index)
            for activity, day in entries:
                await add_entry(db, schools[school], member.id, activity, dt.date(2026, 11, day))
    await add_assignment(db, bureau, "刘局长", "contact_point", "城关中学")
    await add_assignment(db, bureau, "刘局长", "contact_point", "东山中学")
    await add_entry(db, bureau, chief.id, "contact_visit", dt.date(2026, 11, 3), place="城关中学")
    await add_entry(db, bureau, chief.id, "contact_visit", dt.date(2026, 10, 20), place="东山中学")
    async with db.transaction() as session:
        await daily_counts.rebuild(session)
    await link_group(db, TELEGRAM, "900", "-100", LinkOptions(), SETUP)
    await link_group(db, TELEGRAM, "901", "-200", LinkOptions(), SETUP)
    return {"bureau": bureau, "chief": chief.id, "principal": principal.id, **schools}


async def planned_rows(db) -> list[OutboxMessage]:
    async with db.transaction() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def plan_at(db, clock, moment: dt.datetime) -> list[OutboxMessage]:
    clock.set(moment)
    await Planner(db, database_standing(db)).plan(clock.now())
    return [row for row in await planned_rows(db) if row.kind in DISTRICT_KINDS]


async def test_monday_sends_each_bureau_group_the_schools_ranked_once(db, clock, county):
    rows = await plan_at(db, clock, MONDAY)
    assert sorted((row.kind, row.chat_id) for row in rows) == [
        ("district_leaderboard", "-100"), ("district_leaderboard_chart", "-100")]
    [board] = [row for row in rows if row.kind == "district_leaderboard"]
    text = board.payload["reply"]["text"]
    assert text.index("1. 城关中学") < text.index("2. 东山中学") < text.index("3. 西山小学")
    assert "华容县教育局" in text and "11月9日" in text
    for private in ("王芳", "张伟", "陈静", STUDENT, "家里情况", "刘局长"):
        assert private not in text
    [chart] = [row for row in rows if row.kind == "district_leaderboard_chart"]
    assert chart.attachment is not None and chart.attachment.startswith(b"\x89PNG")
    assert len(await plan_at(db, clock, MONDAY + dt.timedelta(minutes=30))) == 2


async def test_friday_sends_each_bureau_leader_the_district_digest_once(db, clock, county):
    rows = [row for row in await plan_at(db, clock, FRIDAY) if row.kind == "district_digest"]
    assert [(row.kind, row.member_id, row.chat_id) for row in rows] == [("district_digest", county["chief"], "900")]
    text = rows[0].payload["reply"]["text"]
    behind = text.split("本学期落后最多的学校：")[1].split("\n\n")[0]
    assert behind.index("西山小学") < behind.index("东山中学")
    idle = text.split("本学期多数教职工从未记录的学校：")[1].split("\n\n")[0]
    assert "西山小学：3人中3人" in idle and "城关中学" not in idle and "东山中学" not in idle
    improved = text.split("本周进步最大：")[1].split("\n\n")[0]
    assert "东山中学" in improved and "西山小学" not in improved
    unvisited = text.split("本月未到的联系点：")[1]
    assert "刘局长：东山中学" in unvisited and "城关中学" not in unvisited
    again = await plan_at(db, clock, FRIDAY + dt.timedelta(minutes=20))
    assert [row.id for row in again if row.kind == "district_digest"] == [rows[0].id]


async def test_a_schools_own_leaders_and_groups_get_nothing_of_the_districts(db, clock, county):
    rows = await plan_at(db, clock, MONDAY) + await plan_at(db, clock, FRIDAY)
    assert {row.chat_id for row in rows} == {"-100", "900"}
    school_rows = [row for row in await planned_rows(db) if row.chat_id in {"-200", "901"}]
    assert {row.kind for row in school_rows} >= {"leaderboard", "digest"}
    assert all("华容县教育局" not in (row.payload["reply"]["text"] or "") for row in school_rows)


async def test_nothing_of_the_districts_before_its_time_or_in_quiet_hours(db, clock, county):
    assert await plan_at(db, clock, local("2026-11-16", "07:30")) == []
    assert await plan_at(db, clock, local("2026-11-16", "22:00")) == []
    assert [row.kind for row in await plan_at(db, clock, local("2026-11-20", "16:30"))] == [
        "district_leaderboard", "district_leaderboard_chart"]  # Monday's, caught up; the digest waits for 17:00


async def test_a_bureau_leader_reading_english_gets_the_digest_in_english(db, clock, county):
    async with db.transaction() as session:
        (await session.get(Member, county["chief"])).language = "en"
    [digest] = [row for row in await plan_at(db, clock, FRIDAY) if row.kind == "district_digest"]
    text = digest.payload["reply"]["text"]
    assert text.startswith("🏛 华容县教育局: weekly district digest")
    assert "Schools where most staff never logged this term:\n• 西山小学: 3 of 3 members" in text
    assert "Contact points not visited this month:\n• 刘局长: 东山中学" in text


async def test_each_schools_digest_planned_with_the_district_says_what_it_says_planned_alone(db, clock, county):
    """A county's Friday gathers every school's digest together; each says word for word what that school's digest
    says when it is worked out on its own."""
    leaders = {name: await add_member(db, county[name], f"{name}校长", "leader", account=2000 + n)
               for n, name in enumerate(("东山中学", "西山小学"))}
    async with db.transaction() as session:  # a teacher of 东山中学 blocked the bot
        blocked = await session.scalar(select(Member).where(Member.display_name == "赵敏"))
        blocked.blocked_at = SETUP

    rows = [row for row in await plan_at_all(db, clock, FRIDAY) if row.kind == "digest"]

    recipients = {county["chief"]: "bureau", county["principal"]: "城关中学",
                  **{leader.id: name for name, leader in leaders.items()}}
    assert {row.member_id for row in rows} == set(recipients)
    today = FRIDAY.date()
    for row in rows:
        async with db.transaction() as session:
            school = await session.get(School, county[recipients[row.member_id]])
        alone = await digest_facts(db, database_standing(db), school, today)
        assert row.payload["reply"]["text"] == digest_text(alone, policy_of(school), translator("zh"))
    texts = {recipients[row.member_id]: row.payload["reply"]["text"] for row in rows}
    assert "赵敏" in texts["东山中学"] and "陈静" in texts["西山小学"]  # blocked; never logged
    assert "陈静" not in texts["东山中学"]


async def plan_at_all(db, clock, moment: dt.datetime) -> list[OutboxMessage]:
    clock.set(moment)
    await Planner(db, database_standing(db)).plan(clock.now())
    return await planned_rows(db)


async def test_the_friday_round_asks_the_outbox_once_for_every_school_and_plans_each_digest_once(db, clock, county):
    """Whether each school's digests are planned already is one look at the outbox for all the schools; a digest
    planned before is not planned again, and the others are, each in its leader's language."""
    second = await add_member(db, county["城关中学"], "Vice Principal", "leader", account=2100)
    async with db.transaction() as session:
        (await session.get(Member, second.id)).language = "en"
    week = "2026-W47"
    async with db.transaction() as session:  # the chief's own digest went out in an earlier round
        session.add(OutboxMessage(dedupe_key=f"digest:{county['chief']}:{week}", school_id=county["bureau"],
                                  member_id=county["chief"], platform=TELEGRAM, chat_id="900", kind="digest",
                                  payload={"reply": {"text": "earlier"}}, not_before=SETUP, status="sent",
                                  attempts=1, created_at=SETUP))
    clock.set(FRIDAY)
    with db.recording_statements() as statements:
        await Planner(db, database_standing(db)).plan(clock.now())
    lookups = [s for s in statements if "outbox" in s and s.lstrip().upper().startswith("SELECT")]
    assert len(lookups) == 1 and "dedupe_key IN" in lookups[0]

    digests = [row for row in await planned_rows(db) if row.kind == "digest"]
    assert sorted((row.member_id, row.dedupe_key) for row in digests) == sorted([
        (county["chief"], f"digest:{county['chief']}:{week}"),
        (county["principal"], f"digest:{county['principal']}:{week}"),
        (second.id, f"digest:{second.id}:{week}")])
    texts = {row.member_id: row.payload["reply"]["text"] for row in digests}
    assert texts[county["chief"]] == "earlier"
    assert texts[county["principal"]].startswith("📋 每周简报") and "大家都跟上了进度" in texts[county["principal"]]
    assert texts[second.id].startswith("📋 Weekly digest") and "Everyone is on pace" in texts[second.id]
    again = await plan_at_all(db, clock, FRIDAY + dt.timedelta(minutes=20))
    assert [row.id for row in again if row.kind == "digest"] == [row.id for row in digests]


async def test_the_digest_lists_this_weeks_edits_and_deletions_and_sums_each_schools_week(db, clock, county):
    """Changed entries are this week's edits and deletions of the school's own entries (not creations, not last
    week's); the week's totals per activity are the school's, against the same days of last week."""
    async with db.transaction() as session:
        entries = {(member, entry.occurred_on.day): entry for entry, member in await session.execute(
            select(Entry, Member.display_name).join(Member, Member.id == Entry.member_id))}
        wang_17, zhang_16, li_10 = entries[("王芳", 17)], entries[("张伟", 16)], entries[("李雷", 10)]
        this_week, last_week = dt.datetime(2026, 11, 18, 2, tzinfo=dt.UTC), dt.datetime(2026, 11, 12, 2, tzinfo=dt.UTC)
        for entry, action, at in ((wang_17, "delete", this_week), (wang_17, "create", this_week),
                                  (li_10, "edit", last_week), (zhang_16, "edit", this_week)):
            session.add(EntryAudit(entry_id=entry.id, action=action, at=at))
    async with db.transaction() as session:
        school = await session.get(School, county["城关中学"])
    facts = await digest_facts(db, database_standing(db), school, FRIDAY.date())

    assert facts.changes == [EntryChange("王芳", "delete", "tutoring", dt.date(2026, 11, 17))]
    assert facts.totals["tutoring"] == 2 and facts.totals["home_visit"] == 0
    assert facts.totals_last_week["tutoring"] == 4 and facts.totals_last_week["home_visit"] == 2


def test_a_digest_shows_fifteen_of_a_long_list_and_counts_the_rest():
    policy = policy_from_text(preset_text("default"))
    behind = [(f"老师{n:02d}", [progress(BEHIND_RULE, done=0, target=2, expected=1)]) for n in range(18)]
    changes = [EntryChange(f"老师{n:02d}", "delete", "tutoring", dt.date(2026, 11, 17)) for n in range(16)]
    facts = DigestFacts("2026-W47", behind, {}, {}, changes, [], [], [("小明", "王芳")] * 17)

    lines = digest_text(facts, policy, translator("zh")).split("\n")

    def section(title: str) -> list[str]:
        start = lines.index(title) + 1
        return lines[start:lines.index("", start) if "" in lines[start:] else len(lines)]
    assert [line[:6] for line in section("落后于进度：")[:15]] == [f"• 老师{n:02d}" for n in range(15)]
    assert section("落后于进度：")[15:] == ["……还有 3 项"]
    assert section("本周被修改或删除的记录：")[15:] == ["……还有 1 项"]
    assert len(section("本周被修改或删除的记录：")) == 16
    unreached = [line for line in lines if line.startswith("……")]
    assert unreached == ["……还有 3 项", "……还有 2 项", "……还有 1 项"]


async def digest_texts(planner: Planner, moment: dt.datetime) -> dict[int | None, str]:
    """The leaders' digests `planner` finds due at `moment` (a dry run), by leader."""
    found = await planner.due(moment)
    return {m.member_id: m.reply.text for m in found.messages if m.kind == "digest"}


async def test_a_digest_planned_after_the_reminder_round_counts_what_was_logged_in_between(db, clock, county):
    newcomer = await add_member(db, county["城关中学"], "吴老师", "teacher")  # no tutoring this week yet
    planner = Planner(db, database_standing(db))
    clock.set(local("2026-11-20", "16:45"))
    await planner.plan(clock.now())  # the reminder round: every school's standing computed, and kept
    before = await digest_texts(planner, FRIDAY)
    assert "落后于进度：\n• 吴老师：教师每周作业辅导至少2次 0/2" in before[county["principal"]]
    async with db.transaction() as session:
        profile = profile_of(newcomer, await session.get(School, newcomer.school_id))
    for day in (19, 20):
        await save_entry(db, profile, EntryDraft(activity="tutoring", student=STUDENT, day=dt.date(2026, 11, day),
                                                 duration_minutes=30), source="test", now=clock.now())
    after = await digest_texts(planner, FRIDAY)
    assert after == await digest_texts(Planner(db, database_standing(db)), FRIDAY)
    assert "落后于进度" not in after[county["principal"]] and "大家都跟上了进度" in after[county["principal"]]
