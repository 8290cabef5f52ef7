"""Logging by modal: opened by `/teachlog log` or the Home tab, checked with the chat's rules, saved once, confirmed
by DM; the Home tab shows /mine and is drawn again after logging."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.logbook.entries import history
from bot.people.membership import profile_for_account
from bot.people.pairings import add_pairing
from bot.platform_names import SLACK
from tests.support.fake_slack import event_body, tap_payload, view_submission

LI, WANG, ZHAO = "U0LI", "U0WANG", "U0ZHAO"
TODAY = dt.date(2026, 11, 18)  # the clock fixture's day in Shanghai


@pytest.fixture
async def li(slack):
    await slack.add_member(LI, "Li Lei", language="en")
    return LI


def visit(day: dt.date = TODAY - dt.timedelta(days=1), *, time: str | None = None, duration: str | None = "40",
          student: str | None = "Wang Xiaoming", notes: str | None = None, covisitor: str | None = None) -> dict:
    values: dict = {"activity": {"value": {"type": "static_select", "selected_option": {"value": "home_visit"}}},
                    "day": {"value": {"type": "datepicker", "selected_date": day.isoformat()}},
                    "time": {"value": {"type": "timepicker", "selected_time": time}},
                    "duration": {"value": {"type": "plain_text_input", "value": duration}},
                    "student_typed": {"value": {"type": "plain_text_input", "value": student}},
                    "notes": {"value": {"type": "plain_text_input", "value": notes}},
                    "covisitor": {"value": {"type": "users_select", "selected_user": covisitor}}}
    return values


async def entries_of(slack, user_id: str):
    profile = await profile_for_account(slack.db, SLACK, user_id)
    assert profile is not None
    return await history(slack.db, profile)


async def test_log_without_words_opens_the_modal_with_the_paired_students_as_options(slack, li):
    await add_pairing(slack.db, slack.school.school_id, "Li Lei", "Zhao Xiaoyu")
    await slack.command(LI, "log", trigger_id="trigger-42")
    [opened] = slack.fake.of("views.open")
    assert opened["trigger_id"] == "trigger-42"
    view = opened["view"]
    assert view["callback_id"] == "log_entry" and view["title"]["text"] == "Log an activity"
    blocks = {block["block_id"]: block for block in view["blocks"]}
    assert {"activity", "student", "student_typed", "covisitor", "day", "time", "duration", "notes"} <= set(blocks)
    assert [o["value"] for o in blocks["student"]["element"]["options"]] == ["Zhao Xiaoyu"]
    assert blocks["covisitor"]["element"]["type"] == "users_select"
    assert blocks["day"]["element"]["initial_date"] == TODAY.isoformat()
    assert "problems" not in blocks, "the default plan does not track problems"
    assert slack.fake.of("chat.postMessage") == []


async def test_a_saved_modal_is_confirmed_by_dm_and_the_home_tab_is_drawn_again(slack, li):
    status, body = await slack.interact(view_submission(LI, visit(notes="talked about homework")))
    assert (status, body) == (200, "")
    [entry] = await entries_of(slack, LI)
    assert (entry.activity, entry.day, entry.student, entry.duration_minutes, entry.notes) == \
        ("home_visit", TODAY - dt.timedelta(days=1), "Wang Xiaoming", 40, "talked about homework")
    assert slack.fake.texts_to(LI) == ["✅ Saved: Home visit on Tue 17 Nov.\nHome visit this week: 1."], \
        "the chat's confirmation, with its tally"
    [home] = slack.fake.of("views.publish")
    assert home["user_id"] == LI and home["view"]["type"] == "home"


async def test_saving_the_same_form_twice_stores_one_entry(slack, li):
    await slack.interact(view_submission(LI, visit()))
    await slack.interact(view_submission(LI, visit()))
    assert len(await entries_of(slack, LI)) == 1
    assert slack.fake.texts_to(LI)[-1] == "This entry was already saved."


@pytest.mark.parametrize(("values", "field", "message"), [
    (visit(TODAY + dt.timedelta(days=1)), "day", "That is in the future."),
    (visit(TODAY, time="23:00"), "time", "That is in the future."),
    (visit(TODAY - dt.timedelta(days=61)), "day", "more than 60 days ago"),
    (visit(duration="forever"), "duration", "I could not read that duration."),
    (visit(duration="13h"), "duration", "more than 12 hours"),
    (visit(duration=None), "duration", "I could not read that duration."),
    (visit(student=None), "student_typed", "Please type the student's or family's name."),
])
async def test_a_bad_field_is_shown_on_the_field_and_nothing_is_saved(slack, li, values, field, message):
    status, body = await slack.interact(view_submission(LI, values))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [field] and message in answer["errors"][field]
    assert await entries_of(slack, LI) == []
    assert slack.fake.of("chat.postMessage") == []


async def test_the_co_visitor_must_be_a_colleague_at_the_same_school(slack, li):
    slack.fake.user(ZHAO, "Zhao Stranger")
    status, body = await slack.interact(view_submission(LI, visit(covisitor=ZHAO)))
    assert "covisitor" in json.loads(body)["errors"]
    await slack.add_member(WANG, "王芳", language="zh")
    status, body = await slack.interact(view_submission(LI, visit(covisitor=WANG)))
    assert body == ""
    [entry] = await entries_of(slack, LI)
    assert entry.activity == "home_visit"


async def test_a_chinese_member_gets_the_modal_and_its_errors_in_chinese(slack):
    await slack.add_member(WANG, "王芳", locale="zh-CN")
    await slack.command(WANG, "log")
    view = slack.fake.of("views.open")[0]["view"]
    assert view["title"]["text"] != "Log an activity"
    labels = [block["label"]["text"] for block in view["blocks"]]
    assert "Activity" not in labels and "Date" not in labels
    _, body = await slack.interact(view_submission(WANG, visit(TODAY + dt.timedelta(days=1))))
    assert "future" not in json.loads(body)["errors"]["day"]


async def test_the_home_tab_shows_the_quotas_with_log_and_report_buttons(slack, li):
    event = {"type": "app_home_opened", "user": LI, "channel": "D0LI", "tab": "home"}
    await slack.post(event_body(event), "application/json")
    [home] = slack.fake.of("views.publish")
    texts = [block["text"]["text"] for block in home["view"]["blocks"] if block["type"] == "section"]
    assert any("*Your quotas*" in text for text in texts)
    [buttons] = [block["elements"] for block in home["view"]["blocks"] if block["type"] == "actions"]
    assert [b["action_id"] for b in buttons] == ["home-log", "home-report"]


async def test_the_home_tabs_log_button_opens_the_modal(slack, li):
    await slack.interact(tap_payload(LI, "log", channel_id=None, action_id="home-log"))
    [opened] = slack.fake.of("views.open")
    assert opened["view"]["callback_id"] == "log_entry"


async def test_an_incomplete_one_liner_opens_the_modal_with_what_it_could_read(slack, li):
    await slack.command(LI, "log visit Wang Xiaoming yesterday")
    [opened] = slack.fake.of("views.open")
    blocks = {block["block_id"]: block for block in opened["view"]["blocks"]}
    assert blocks["activity"]["element"]["initial_option"]["value"] == "home_visit"
    assert blocks["student_typed"]["element"]["initial_value"] == "Wang Xiaoming"
    assert blocks["day"]["element"]["initial_date"] == (TODAY - dt.timedelta(days=1)).isoformat()
    assert "initial_value" not in blocks["duration"]["element"]


async def test_a_complete_one_liner_goes_to_the_chat_and_opens_no_modal(slack, li):
    await slack.command(LI, "log visit Wang Xiaoming yesterday 40min")
    assert slack.fake.of("views.open") == []
    assert slack.fake.texts_to(LI), "the chat core answered"
