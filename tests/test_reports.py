"""/report end to end, in both languages: linked groups see counts and rankings, direct messages the details.

The privacy test at the heart of it: every call the bot made to a group chat —
texts, captions, edits — is scanned for the students' names and the notes used
here, and none may appear (:func:`assert_nothing_private_reached_a_group`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import subprocess
import sys

import pytest
from PIL import Image

from bot.i18n import translator
from bot.people.schools import create_school
from bot.people.students import student_key
from bot.platform_names import TELEGRAM
from bot.quotas.policy.sources import load_policy_source
from bot.quotas.standing import school_standing
from bot.reporting.report_request import PERIOD_WORDS, ReportRequestError, parse_report_request
from bot.reporting.reports import QuotaShare, personal_report, report_window, school_report
from storage import daily_counts
from storage.models import Entry, Member, Pairing, Problem
from storage.problems import OPEN

GROUP = -1001234567
OTHER_GROUP = -1007654321
TODAY = dt.date(2026, 11, 18)
LOGGED_AT = dt.datetime(2026, 11, 18, 8, tzinfo=dt.UTC)

# What must never reach a group: students' names (logged, and paired but not yet called) and notes.
STUDENTS = ("王小明", "Zhao Liuliu", "孙秘密", "钱多多")
NOTES = ("孩子最近情绪低落", "Father works away from home", "奶奶身体不好")
PROBLEM = "家里没有书桌"
PRIVATE_WORDS = (*STUDENTS, *NOTES, PROBLEM)


def policy():
    return load_policy_source("default")[2]


@pytest.fixture
async def people(bot):
    """A leader, two teachers (one writes English) and a stranger; the group linked by the leader."""
    users = {
        "leader": bot.fake.user(3001, "陈校长", language_code="zh"),
        "wang": bot.fake.user(3002, "王芳", username="wangfang_t", language_code="zh"),
        "li": bot.fake.user(3003, "Li", "Lei", language_code="en"),
        "stranger": bot.fake.user(3009, "Zhou", "Stranger", language_code="en"),
    }
    await bot.join(users["leader"], "leader")
    await bot.join(users["wang"], "head_teacher")
    await bot.join(users["li"], "teacher")
    await in_group(bot, users["leader"], "/link")
    return users


async def in_group(bot, user, text: str, chat_id: int = GROUP):
    """Say `text` in a group; the messages the bot sent there in answer."""
    before = len(bot.fake.messages_to(chat_id))
    await bot.fake.send(bot.app, bot.fake.group_text(user, chat_id, text))
    return bot.fake.messages_to(chat_id)[before:]


async def member_id(bot, telegram_user_id: int) -> int:
    async with bot.db.transaction() as session:
        from storage import repository as repo
        return (await repo.member_by_account(session, TELEGRAM, str(telegram_user_id))).id


async def add_entry(bot, member, activity, day, student=None, notes=None, covisitor=None) -> int:
    async with bot.db.transaction() as session:
        entry = Entry(school_id=bot.school.school_id, member_id=member, activity_code=activity, occurred_on=day,
                      student_name=student, student_key=student_key(student) if student else None, notes=notes,
                      covisitor_member_id=covisitor, logged_at=LOGGED_AT)
        session.add(entry)
        await session.flush()
        await daily_counts.count_entries(session, [daily_counts.columns_of(entry)])
        return entry.id


@pytest.fixture
async def logged(bot, people):
    """This week: 王芳 2 home visits (one with 李磊 along, where the family raised a problem) and 2 tutoring
    sessions; 李磊 1 tutoring; last week: 李磊 calls.

    李磊 is paired with 孙秘密 (not called this month) and 钱多多 (called): the monthly call rule names
    the one still waiting — in a direct message only.
    """
    wang, li = await member_id(bot, people["wang"].id), await member_id(bot, people["li"].id)
    visit = await add_entry(bot, wang, "home_visit", dt.date(2026, 11, 16), "王小明", "孩子最近情绪低落", covisitor=li)
    await add_entry(bot, wang, "home_visit", dt.date(2026, 11, 17), "Zhao Liuliu", "Father works away from home")
    await add_entry(bot, wang, "tutoring", dt.date(2026, 11, 16), "王小明")
    await add_entry(bot, wang, "tutoring", dt.date(2026, 11, 18), "Zhao Liuliu")
    await add_entry(bot, li, "tutoring", dt.date(2026, 11, 17), "钱多多", "奶奶身体不好")
    await add_entry(bot, li, "phone_call", dt.date(2026, 11, 10), "钱多多")
    await add_entry(bot, li, "phone_call", dt.date(2026, 11, 11), "钱多多")
    async with bot.db.transaction() as session:
        session.add_all([Pairing(school_id=bot.school.school_id, member_id=li, student_name=name,
                                 student_key=student_key(name)) for name in ("孙秘密", "钱多多")])
        session.add(Problem(school_id=bot.school.school_id, entry_id=visit, raised_by_member_id=wang, text=PROBLEM,
                            student_name="王小明", student_key=student_key("王小明"), status=OPEN,
                            raised_at=dt.datetime(2026, 11, 16, 9, tzinfo=dt.UTC)))
    return {"wang": wang, "li": li}


def assert_nothing_private_reached_a_group(fake) -> None:
    """Every call the bot made to a group chat (negative ids) — texts, captions, album captions, edits,
    buttons — is free of students' names, notes and problems."""
    group_calls = [call for call in fake.calls
                   if call.params.get("chat_id") is not None and int(call.params["chat_id"]) < 0]
    assert any(call.method.lower().startswith("send") for call in group_calls), "the bot said nothing in a group"
    for call in group_calls:
        said = json.dumps(call.params, ensure_ascii=False, default=str)
        for word in PRIVATE_WORDS:
            assert word not in said, f"{word!r} reached group {call.params['chat_id']} in {call.method}: {said}"


def shown_text(messages) -> str:
    """Everything a person reads in these messages: texts and captions."""
    return "\n".join(m.content or "" for m in messages)


def photos(messages) -> list[bytes]:
    return [m.photo for m in messages if m.photo]


# --- in a linked group ----------------------------------------------------------------------

async def test_group_report_ranks_members_by_share_met_with_totals_and_a_chart(bot, people, logged):
    bot.fake.clear()
    sent = await in_group(bot, people["wang"], "/report")
    text = shown_text(sent)
    assert "📊 合川中学 · 本周" in text and "11月16日 – 11月22日" in text and "计至11月18日" in text
    assert "合计：家访 2 · 作业辅导 3\n" in text  # a co-visit is one visit in the school's totals
    assert "问题：新提出 1 · 未解决 1 · 已解决 0" in text
    ranking = text.split("按任务完成度排名：")[1].strip().splitlines()
    assert ranking == ["1. 王芳 — 80% · 家访 2 · 作业辅导 2",
                       "2. Li Lei — 67% · 家访 1 · 作业辅导 1",  # he came along on a visit: it counts for him
                       "3. 陈校长 — 0%"]
    assert "任务：平均完成 49%，3 人中 0 人完成全部任务。" in text
    assert len(photos(sent)) == 2 and all(Image.open(io.BytesIO(p)).size[0] == 1080 for p in photos(sent))
    assert_nothing_private_reached_a_group(bot.fake)


async def test_group_report_speaks_the_asker_language(bot, people, logged):
    sent = await in_group(bot, people["li"], "/report last week")
    text = shown_text(sent)
    assert "📊 合川中学 · Last week" in text and "9 Nov – 15 Nov" in text and "counted to" not in text
    assert "Totals: Phone call 2\n" in text  # activities nobody logged are left out
    assert "Ranked by share of quotas met:" in text
    assert_nothing_private_reached_a_group(bot.fake)


PERIODS_ASKED_FOR = [
    ("上周", "上周"), ("本月", "本月"), ("month", "本月"), ("上个月", "上月"), ("本季度", "本季度"),
    ("本学期", "2026年秋季学期"), ("上学期", "2026年春季学期"), ("今年", "今年"), ("去年", "去年"),
]


async def test_group_report_covers_the_period_asked_for(bot, people, logged):
    for words, title in PERIODS_ASKED_FOR:  # asked in turn in one group
        text = shown_text(await in_group(bot, people["wang"], f"/report {words}"))
        assert f"📊 合川中学 · {title}" in text, words


async def test_a_member_report_in_a_group_has_counts_and_quotas_but_no_student(bot, people, logged):
    bot.fake.clear()
    text = shown_text(await in_group(bot, people["leader"], "/report @Li Lei"))
    assert "📊 Li Lei · 本周" in text
    assert "每月给每名结对学生打电话至少1次：1/2" in text and "教师每周作业辅导至少2次：1/2" in text
    assert "记录：家访 1 · 作业辅导 1" in text
    assert "还在等" not in text and "孙秘密" not in text
    assert_nothing_private_reached_a_group(bot.fake)


async def test_a_member_is_found_by_part_of_the_name_by_username_and_beyond_the_ranking(bot, people, logged):
    text = shown_text(await in_group(bot, people["li"], "/report 王"))
    assert "📊 王芳 · This week" in text
    text = shown_text(await in_group(bot, people["li"], "/report @wangfang_t last week"))
    assert "📊 王芳 · Last week" in text  # the bot noted 王芳's @username when she joined
    text = shown_text(await in_group(bot, people["li"], "/report @nobody"))
    assert "I found no member of your school called “@nobody”" in text
    assert_nothing_private_reached_a_group(bot.fake)


async def test_a_member_tapped_as_a_mention_is_found_whatever_the_text_says(bot, people, logged):
    update = bot.fake.group_text(people["leader"], GROUP, "/report Mr Li")
    update["message"]["entities"].append({"type": "text_mention", "offset": 8, "length": 5,
                                          "user": people["li"].to_dict()})
    before = len(bot.fake.messages_to(GROUP))
    await bot.fake.send(bot.app, update)
    text = shown_text(bot.fake.messages_to(GROUP)[before:])
    assert "📊 Li Lei · 本周" in text and "孙秘密" not in text
    assert_nothing_private_reached_a_group(bot.fake)


async def test_an_activity_report_ranks_by_that_activity(bot, people, logged):
    text = shown_text(await in_group(bot, people["li"], "/report visit"))
    assert "📊 合川中学 · This week · Home visit" in text
    assert "Totals: Home visit 2\n" in text and "Tutoring" not in text
    assert "1. 王芳 — 2" in text and "2. Li Lei — 1" in text and "1 member has none yet." in text
    assert "At least 1 home visit a month: met by 2 of 3" in text
    text = shown_text(await in_group(bot, people["wang"], "/report 上周家访"))
    assert "📊 合川中学 · 上周 · 家访" in text and "这段时间还没有人记录" in text
    assert_nothing_private_reached_a_group(bot.fake)


async def test_a_ranking_is_capped_but_any_member_can_be_asked_for(bot, people, logged):
    async with bot.db.transaction() as session:
        session.add_all([Member(school_id=bot.school.school_id, role="teacher", display_name=f"老师{i:02d}",
                                joined_on=dt.date(2026, 9, 1)) for i in range(30)])
    text = shown_text(await in_group(bot, people["wang"], "/report"))
    ranking = text.split("按任务完成度排名：")[1].strip().splitlines()
    assert len(ranking) == 21 and "还有 13 人" in ranking[-1]
    assert "/report @姓名" in ranking[-1]
    text = shown_text(await in_group(bot, people["wang"], "/report @老师29"))
    assert "📊 老师29 · 本周" in text and "这段时间没有记录。" in text  # the 30th, far below the top 20


async def test_group_options_of_the_link_apply_to_reports(bot, people, logged):
    await in_group(bot, people["leader"], "/link totals")
    bot.fake.clear()
    sent = await in_group(bot, people["wang"], "/report")
    text = shown_text(sent)
    assert "合计" in text and "王芳 —" not in text and "排名" not in text
    assert len(photos(sent)) == 1  # the trend only: no names
    text = shown_text(await in_group(bot, people["wang"], "/report @Li Lei"))
    assert "只显示全校合计" in text and "Li Lei ·" not in text
    await in_group(bot, people["leader"], "/link top 1")
    text = shown_text(await in_group(bot, people["wang"], "/report"))
    assert "1. 王芳" in text and "2. " not in text and "还有 2 人" in text


async def test_strangers_and_unlinked_groups_get_nothing_private(bot, people, logged, db, clock):
    bot.fake.clear()
    text = shown_text(await in_group(bot, people["stranger"], "/report"))
    assert "only members of the school this group is linked to" in text and "合川中学" not in text
    other = await create_school(db, "Other School", language="en", now=clock.now())
    outsider = bot.fake.user(3010, "Ann", "Other", language_code="en")
    await bot.say(outsider, f"/start {other.leader_invite}")
    text = shown_text(await in_group(bot, outsider, "/report @Li Lei"))
    assert "only members of the school" in text and "Li Lei ·" not in text
    await in_group(bot, outsider, "/link", chat_id=OTHER_GROUP)
    text = shown_text(await in_group(bot, outsider, "/report @Li Lei", chat_id=OTHER_GROUP))
    assert "I found no member of your school called “@Li Lei”" in text  # nobody sees another school's
    text = shown_text(await in_group(bot, people["wang"], "/report", chat_id=-100999))
    assert "没有关联学校" in text and "/link" in text
    assert_nothing_private_reached_a_group(bot.fake)


async def test_a_long_report_sends_the_title_as_caption_and_the_text_after(bot, people, logged):
    async with bot.db.transaction() as session:
        session.add_all([Member(school_id=bot.school.school_id, role="teacher",
                                display_name=f"Teacher With A Really Long Name {i:02d}", joined_on=dt.date(2026, 9, 1))
                         for i in range(25)])
    bot.fake.clear()
    sent = await in_group(bot, people["li"], "/report")
    captions = [m.caption for m in sent if m.photo and m.caption]
    assert captions == ["📊 合川中学 · This week\n16 Nov – 22 Nov, counted to 18 Nov"]
    assert sent[-1].text and "Ranked by share of quotas met:" in sent[-1].text
    assert all(len(m.caption or "") <= 1024 for m in sent)


async def test_the_privacy_check_catches_a_leak(bot, people):
    await bot.app.bot.send_photo(GROUP, b"\x89PNG", caption=f"家访 {STUDENTS[2]}")
    with pytest.raises(AssertionError, match=STUDENTS[2]):
        assert_nothing_private_reached_a_group(bot.fake)


# --- in a private chat ----------------------------------------------------------------------

async def test_my_own_report_in_a_private_chat_has_my_entries_with_names_and_notes(bot, people, logged):
    sent = await bot.say(people["li"], "/report")
    text = shown_text(sent)
    assert "📊 Li Lei · This week" in text
    assert "Entries in this period (2):" in text and "奶奶身体不好" in text and "王小明" in text
    assert "(co-visit)" in text
    text = shown_text(await bot.say(people["li"], "/report month"))
    assert "A call a month to each paired student: 1 of 2" in text and "Still waiting: 孙秘密" in text


async def test_a_leader_sees_any_member_in_detail_and_a_teacher_only_themselves(bot, people, logged):
    text = shown_text(await bot.say(people["leader"], "/report @王芳"))
    assert "📊 王芳 · 本周" in text and "孩子最近情绪低落" in text and "Zhao Liuliu" in text
    await bot.say(people["li"], "/report @王芳")
    assert "Only school leaders can see a colleague's report" in bot.last_text(people["li"])
    assert "Entries in this period" in shown_text(await bot.say(people["li"], "/report @Li Lei"))


async def test_school_overview_and_strangers_in_a_private_chat(bot, people, logged):
    text = shown_text(await bot.say(people["li"], "/report school"))
    assert "📊 合川中学 · This week" in text and "1. 王芳 — 80%" in text and "王小明" not in text
    await bot.say(people["stranger"], "/report")
    assert "not a member of a school" in bot.last_text(people["stranger"])


async def test_words_that_make_no_report_get_the_usage(bot, people, logged):
    await bot.say(people["li"], "/report @Li Lei visit")
    assert "one member or one activity, not both" in bot.last_text(people["li"])


# --- pieces ---------------------------------------------------------------------------------

@pytest.mark.parametrize("words, expected", [
    ("", ("week", False, None, None)),
    ("last week", ("week", True, None, None)),
    ("上周", ("week", True, None, None)),
    ("Last Month", ("month", True, None, None)),
    ("本学期 家访", ("term", False, "home_visit", None)),
    ("上周家访", ("week", True, "home_visit", None)),
    ("homework help quarter", ("quarter", False, "tutoring", None)),
    ("@王芳 今年", ("year", False, None, "@王芳")),
    ("Li Lei last term", ("term", True, None, "Li Lei")),
])
def test_report_words_are_understood(words, expected):
    request = parse_report_request(words, policy())
    assert (request.kind, request.previous, request.activity, request.member) == expected


def test_every_period_word_names_a_period_and_both_at_once_is_refused():
    assert {kind for kind, _ in PERIOD_WORDS.values()} == {"week", "month", "quarter", "term", "year"}
    with pytest.raises(ReportRequestError):
        parse_report_request("@王芳 家访", policy())


def test_windows_count_to_today_and_a_vacation_term_is_the_last_one():
    week = report_window("week", False, TODAY, policy())
    assert (week.start, week.end, week.as_of, week.running) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22),
                                                                 TODAY, True)
    last = report_window("month", True, TODAY, policy())
    assert (last.start, last.end, last.as_of, last.running) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31),
                                                                dt.date(2026, 10, 31), False)
    year = report_window("year", False, TODAY, policy())
    assert (year.start, year.end) == (dt.date(2026, 9, 1), dt.date(2027, 8, 31))  # the school year
    summer = report_window("term", False, dt.date(2026, 8, 1), policy())
    assert summer.key == "term:2026-spring" and not summer.running


def test_matplotlib_is_not_imported_when_the_bot_starts():
    code = ("import sys, handlers.telegram.platform, bot.cli, bot.reporting.reports, bot.reporting.report_charts; "
            "print('matplotlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_period_names_are_translated():
    t = translator("zh")
    assert t("Last week") == "上周" and t("This term") == "本学期"


# --- the computation, against both backends -------------------------------------------------

async def school_with(db, clock, policy_name: str = "default"):
    return (await create_school(db, "合川中学", policy=policy_name, now=clock.now())).school_id


async def add_member(db, school_id, name, role, joined_on=dt.date(2026, 9, 1)) -> int:
    async with db.transaction() as session:
        member = Member(school_id=school_id, role=role, display_name=name, joined_on=joined_on)
        session.add(member)
        await session.flush()
        return member.id


async def add_rows(db, school_id, rows) -> None:
    async with db.transaction() as session:
        added = [Entry(school_id=school_id, member_id=member, activity_code=activity, occurred_on=day,
                       student_name=student, student_key=student_key(student) if student else None,
                       covisitor_member_id=covisitor, logged_at=LOGGED_AT)
                 for member, activity, day, student, covisitor in rows]
        session.add_all(added)
        await daily_counts.count_entries(session, [daily_counts.columns_of(entry) for entry in added])


async def test_a_month_report_sums_every_week_of_a_weekly_quota_worked_out_by_hand(db, clock):
    school = await school_with(db, clock)
    teacher = await add_member(db, school, "李老师", "teacher")
    tutoring = [dt.date(2026, 10, 27), *[dt.date(2026, 11, 3)] * 3, *[dt.date(2026, 11, 10)] * 2]
    await add_rows(db, school, [(teacher, "tutoring", day, "王小明", None) for day in tutoring] +
                   [(teacher, "home_visit", dt.date(2026, 11, 12), "王小明", None)])
    window = report_window("month", False, TODAY, policy())
    report = await personal_report(db, school, teacher, window)
    quotas = {q.rule_id: q for q in report.member.quotas}
    # Weeks of Oct 26, Nov 2, 9 and 16 overlap November: 1 + 3 + 2 + 0 done, 1 + 2 + 2 + 0 credited, 4 × 2 owed.
    assert quotas["teacher-tutoring-weekly"] == QuotaShare("teacher-tutoring-weekly", 6, 5, 8)
    assert quotas["everyone-home-visit-monthly"] == QuotaShare("everyone-home-visit-monthly", 1, 1, 1)
    assert quotas["paired-call-monthly"].target == 0  # paired with nobody: asks nothing, not counted
    assert report.member.share_met == pytest.approx((5 / 8 + 1) / 2)
    assert report.member.counts == {"tutoring": 5, "home_visit": 1}  # October's session is outside the month


async def test_for_the_running_week_shares_match_the_standing_of_today(db, clock):
    """On a policy with every measure and scope (seed-000), per member and rule: done and target as /mine."""
    school = await school_with(db, clock, "seed-000")
    rng = random.Random(7)
    roles = ("leader", "head_teacher", "teacher", "staff")
    members = [await add_member(db, school, f"老师{i}", roles[i % 4],
                                joined_on=dt.date(2026, 11, 10) if i == 5 else dt.date(2026, 9, 1)) for i in range(12)]
    async with db.transaction() as session:
        session.add_all([Pairing(school_id=school, member_id=m, student_name=f"学生{m}", student_key=f"学生{m}")
                         for m in members[::2]])
    codes = [activity.code for activity in load_policy_source("seed-000")[2].activities]
    days = [dt.date(2026, 9, 1) + dt.timedelta(days=n) for n in range((TODAY - dt.date(2026, 9, 1)).days + 1)]
    await add_rows(db, school, [
        (m, rng.choice(codes), rng.choice(days), rng.choice([f"学生{m}", f"学生{rng.randrange(9)}", None]),
         rng.choice(members) if rng.random() < 0.1 else None)
        for m in rng.choices(members, k=600)])
    standing = await school_standing(db, school, TODAY)
    report = await school_report(db, school, report_window("week", False, TODAY, load_policy_source("seed-000")[2]))
    counted_in_reports = {r.id for r in standing.policy.rules if r.measure != "records"}  # records are not entries
    expected = {(m.member_id, p.rule_id): (p.done, p.target) for m in standing.members for p in m.rules
                if p.rule_id in counted_in_reports}
    found = {(m.member_id, q.rule_id): (q.done, q.target) for m in report.members for q in m.quotas}
    assert found == expected and len(found) > 40


async def statements_of(db, run) -> int:
    with db.recording_statements() as statements:
        await run()
    return len(statements)


async def test_the_number_of_statements_does_not_grow_with_members_or_weeks(db, clock):
    school = await school_with(db, clock)
    teachers = [await add_member(db, school, f"老师{i}", "teacher") for i in range(3)]
    week, term = (report_window(kind, False, TODAY, policy()) for kind in ("week", "term"))
    # The first report of a window computes every member; then only the changed ones; unchanged, none.
    first = [await statements_of(db, lambda w=w: school_report(db, school, w)) for w in (week, term)]
    unchanged = [await statements_of(db, lambda w=w: school_report(db, school, w)) for w in (week, term)]
    one = await statements_of(db, lambda: personal_report(db, school, teachers[0], term))
    for i in range(60):
        await add_member(db, school, f"新老师{i}", "teacher")
    await add_rows(db, school, [(teachers[1], "tutoring", TODAY, "王小明", None)])
    changed = await statements_of(db, lambda: school_report(db, school, term))
    unchanged_again = await statements_of(db, lambda: school_report(db, school, term))
    one_of_many = await statements_of(db, lambda: personal_report(db, school, teachers[0], term))
    # (PostgreSQL takes and releases an advisory lock to read the last change: two more.)
    # (A changed report reads no stored row it already holds from the last one, so it needs no more.)
    assert first[0] == first[1] <= 22 and changed <= first[0]
    assert unchanged[0] == unchanged[1] == unchanged_again <= 15
    assert one == one_of_many <= 10
