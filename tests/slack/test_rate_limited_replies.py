"""Slack rate-limits a busy workspace's Web API: replies wait out Retry-After and arrive once, and the request that
caused them is still answered normally."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.logbook.entries import history
from bot.people.membership import profile_for_account
from bot.platform_names import SLACK
from tests.slack.test_log_modal import LI, visit
from tests.support.fake_slack import view_submission

TODAY_MINUS_TWO = dt.date(2026, 11, 16)


@pytest.fixture
async def li(slack):
    await slack.add_member(LI, "Li Lei", language="en")
    return LI


async def test_a_saved_modal_whose_confirmation_is_rate_limited_is_answered_and_confirmed_once(slack, li):
    slack.fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=1)
    status, body = await slack.interact(view_submission(LI, visit()))
    assert (status, body) == (200, ""), "the submission is answered, not 404 unhandled request"
    profile = await profile_for_account(slack.db, SLACK, LI)
    assert profile is not None and len(await history(slack.db, profile)) == 1
    assert slack.fake.delivered_texts_to(LI) == ["✅ Saved: Home visit on Tue 17 Nov.\nHome visit this week: 1."]
    assert len(slack.fake.posts_to(LI)) == 2, "refused once, then sent once"


async def test_a_confirmation_slack_keeps_refusing_leaves_the_saved_submission_answered(slack, li):
    slack.fake.fail("chat.postMessage", "internal_error", status=500, times=5)
    status, body = await slack.interact(view_submission(LI, visit(TODAY_MINUS_TWO)))
    assert (status, body) == (200, "")
    profile = await profile_for_account(slack.db, SLACK, LI)
    assert profile is not None and len(await history(slack.db, profile)) == 1


async def test_a_rate_limited_slash_command_reply_is_sent_once_and_the_command_gets_its_http_answer(slack, li):
    slack.fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=1)
    status, _ = await slack.command(LI, "help")
    assert status == 200
    [help_text] = slack.fake.delivered_texts_to(LI)
    assert help_text.startswith("What I can do")

