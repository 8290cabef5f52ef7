"""Every `/teachlog` subcommand end to end: signed requests to the real Bolt app, the chat core behind it, answers
read from the local Slack Web API, and what is stored."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.logbook.entries import history
from bot.people.membership import profile_for_account
from bot.people.schools import create_invite
from bot.platform_names import SLACK
from storage import repository as repo
from storage.models import GroupLink, Member, Problem
from tests.support.fake_slack import buttons_of
from tests.support.stored import add_entry, add_problem

LI, WANG, BOSS, NEW = "U0LI", "U0WANG", "U0BOSS", "U0NEW"
STAFF = "C0STAFF"
YESTERDAY = dt.date(2026, 11, 17)  # the clock fixture's day in Shanghai is Wed 18 Nov 2026
STUDENT, NOTES, PROBLEM = "Zhao Xiaoyu", "mother worried about fees", "no internet at home for online classes"


@pytest.fixture
async def members(slack) -> dict[str, int]:
    return {LI: await slack.add_member(LI, "Li Lei", language="en"),
            BOSS: await slack.add_member(BOSS, "Principal Zhang", role="leader", language="en")}


async def member(slack, user_id: str) -> Member:
    async with slack.db.transaction() as session:
        found = await repo.member_by_account(session, SLACK, user_id)
        assert found is not None
        return found


async def entries_of(slack, user_id: str):
    profile = await profile_for_account(slack.db, SLACK, user_id)
    assert profile is not None
    return await history(slack.db, profile)


def last_text(slack, chat: str) -> str:
    return slack.fake.texts_to(chat)[-1]


async def test_join_with_an_invite_code_makes_the_slack_user_a_member(slack):
    assert slack.school is not None
    invite = await create_invite(slack.db, slack.school.school_id, "teacher", now=slack.clock.now())
    slack.fake.user(NEW, "New Person", locale="en-GB")
    await slack.command(NEW, f"join {invite.code}")
    assert last_text(slack, NEW).startswith("Welcome, New Person! You have joined 合川中学 as teacher.")
    joined = await member(slack, NEW)
    assert (joined.display_name, joined.role) == ("New Person", "teacher")


async def test_help_names_the_slash_command_people_type_on_slack(slack, members):
    await slack.command(LI, "help")
    text = last_text(slack, LI)
    assert "What I can do" in text and "/teachlog log — " in text and "/teachlog mine — " in text
    assert "\n/log" not in text


async def test_a_complete_one_liner_saves_after_its_confirm_button(slack, members):
    await slack.command(LI, "log 家访 王小明 昨天 40分钟")
    assert slack.fake.of("views.open") == [], "a whole entry is confirmed in the chat, not in the modal"
    summary = slack.fake.posts_to(LI)[-1]
    assert "王小明" in summary["text"] and "✅ Save" in dict(buttons_of(summary))
    assert await entries_of(slack, LI) == []
    await slack.tap_label(LI, "✅ Save")
    [entry] = await entries_of(slack, LI)
    assert (entry.activity, entry.student, entry.day, entry.duration_minutes) == \
        ("home_visit", "王小明", YESTERDAY, 40)
    assert "Saved" in last_text(slack, LI)
    [home] = slack.fake.of("views.publish")
    assert home["user_id"] == LI, "the Home tab is drawn again with the new entry"


async def test_history_and_undo_show_and_remove_the_members_own_entry(slack, members):
    await add_entry(slack.db, slack.school.school_id, members[LI], "home_visit", YESTERDAY, STUDENT)
    await slack.command(LI, "history")
    assert STUDENT in last_text(slack, LI)
    await slack.command(LI, "undo")
    await slack.tap_label(LI, "Yes, remove it")
    assert "Removed." in last_text(slack, LI)
    assert await entries_of(slack, LI) == []
    assert [home["user_id"] for home in slack.fake.of("views.publish")] == [LI], "Home drawn again"


async def test_settings_switches_the_language_to_chinese_for_the_next_answers(slack, members):
    await slack.command(LI, "settings")
    assert last_text(slack, LI).startswith("Language: English.")
    await slack.tap_label(LI, "中文")
    assert last_text(slack, LI) == "好的，之后我会用中文和你交流。"
    assert (await member(slack, LI)).language == "zh"
    await slack.command(LI, "mine")
    assert "*我的任务*" in last_text(slack, LI)


async def test_away_until_a_day_and_back(slack, members):
    await slack.command(LI, "away until dec 3")
    assert last_text(slack, LI) == ("Got it: no reminders up to and including Thu 3 Dec. "
                                    "Send /teachlog back if you return earlier.")
    assert (await member(slack, LI)).away_until == dt.date(2026, 12, 3)
    await slack.command(LI, "back")
    assert last_text(slack, LI) == "Welcome back! Your reminders are on again."
    assert (await member(slack, LI)).away_until is None


async def test_a_leader_links_and_unlinks_a_channel_and_a_teacher_cannot(slack, members):
    await slack.command(LI, "link", channel_id=STAFF, channel_name="staff")
    assert last_text(slack, STAFF) == "Only a school leader can link or unlink this group."
    await slack.command(BOSS, "link top 5", channel_id=STAFF, channel_name="staff")
    assert last_text(slack, STAFF).startswith("Linked to 合川中学: every Monday at 08:00")
    async with slack.db.transaction() as session:
        [link] = await session.scalars(select(GroupLink))
        assert (link.platform, link.chat_id, link.top_n, link.active) == (SLACK, STAFF, 5, True)
    await slack.command(BOSS, "unlink", channel_id=STAFF, channel_name="staff")
    assert last_text(slack, STAFF) == "Unlinked: no more leaderboards in this group."
    async with slack.db.transaction() as session:
        assert [link.active for link in await session.scalars(select(GroupLink))] == [False]


async def test_a_leader_finds_a_member_by_the_slack_display_name_typed_after_at(slack, members):
    await slack.command(BOSS, "report @li.lei")
    assert "I found no member of your school called “@li.lei”" in last_text(slack, BOSS), "not seen yet"
    await slack.dm(LI, "hello")  # Li Lei's Slack profile shows the display name li.lei
    await slack.command(BOSS, "report @li.lei")
    assert "📊 Li Lei · This week" in last_text(slack, BOSS)


async def test_report_in_a_linked_channel_shows_counts_and_charts_but_no_student_note_or_problem(slack, members):
    entry = await add_entry(slack.db, slack.school.school_id, members[LI], "home_visit", YESTERDAY, STUDENT, NOTES)
    await add_problem(slack.db, slack.school.school_id, entry, members[LI], PROBLEM, STUDENT)
    await slack.command(BOSS, "link", channel_id=STAFF, channel_name="staff")
    await slack.command(LI, "report", channel_id=STAFF, channel_name="staff")
    await slack.command(LI, f"report @{LI.lower()}", channel_id=STAFF, channel_name="staff")
    assert len(slack.fake.posts_to(STAFF)) >= 3, "the link and two reports were answered in the channel"
    uploads = [args for args in slack.fake.of("files.completeUploadExternal") if args["channel_id"] == STAFF]
    assert uploads, "the report's charts were uploaded to the channel"
    shown = slack.fake.channel_texts()
    assert any("Li Lei" in text for text in shown)
    for text in shown:
        assert STUDENT not in text and NOTES not in text and PROBLEM not in text and "fees" not in text


async def test_export_uploads_the_workbook_and_the_csv_to_the_leaders_dm(slack, members):
    await add_entry(slack.db, slack.school.school_id, members[LI], "home_visit", YESTERDAY, STUDENT)
    await slack.command(BOSS, "export")
    uploads = slack.fake.of("files.completeUploadExternal")
    assert [args["channel_id"] for args in uploads] == ["D0BOSS", "D0BOSS"]
    names = [f["title"] for args in uploads for f in args["files"]]
    assert [name.rsplit(".", 1)[1] for name in names] == ["xlsx", "csv"]
    assert all("1 entry from" in args["initial_comment"] for args in uploads)
    assert any(data.startswith(b"PK") for data in slack.fake.uploads.values()), "an .xlsx is a zip"
    await slack.command(LI, "export")
    assert last_text(slack, LI) == "Only your school's leaders can export its entries."
    assert len(slack.fake.of("files.completeUploadExternal")) == 2


async def test_a_problem_given_to_a_member_reaches_them_by_slack_dm_and_they_close_it(slack, members):
    entry = await add_entry(slack.db, slack.school.school_id, members[LI], "home_visit", YESTERDAY, STUDENT)
    await add_problem(slack.db, slack.school.school_id, entry, members[LI], PROBLEM, STUDENT)
    await slack.command(BOSS, "problems")
    assert PROBLEM in "\n".join(slack.fake.texts_to(BOSS))
    await slack.tap_label(BOSS, "Assign")
    await slack.dm(BOSS, "li lei")
    assert last_text(slack, BOSS) == "Assigned to Li Lei. I told them in a direct message."
    notice = slack.fake.posts_to(LI)[-1]
    shown = slack.fake.texts_to(LI)[-1]
    assert "Principal Zhang gave you a problem from the problem list:" in shown and PROBLEM in shown
    assert [label for label, _ in buttons_of(notice)] == ["Close"]
    await slack.tap_label(LI, "Close")
    await slack.dm(LI, "Lent the family a 4G router")
    assert last_text(slack, LI) == "✅ Closed. The result is on the problem list."
    async with slack.db.transaction() as session:
        [problem] = await session.scalars(select(Problem))
        assert (problem.status, problem.result) == ("closed", "Lent the family a 4G router")
