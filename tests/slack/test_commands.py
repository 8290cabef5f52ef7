"""`/teachlog <sub>`, direct messages and taps through the real Bolt app, answered as Block Kit."""

from __future__ import annotations

import asyncio
import datetime as dt

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.app_context import AppContext
from bot.chat.runtime import Runtime
from bot.logbook.drafts import EntryDraft
from bot.logbook.entries import history, save_entry
from bot.people.membership import profile_for_account
from bot.platform_names import SLACK
from bot.settings import Settings
from handlers.slack.platform import build_app
from handlers.slack.port import SlackPort
from tests.support.fake_slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    buttons_of,
    command_body,
    serve,
    signed_headers,
)

LI = "U0LI"
WANG = "U0WANG"


@pytest.fixture
async def li(slack):
    await slack.add_member(LI, "Li Lei", language="en")
    return LI


async def log_a_visit(slack, user_id: str, student: str = "Wang Xiaoming", notes: str | None = None) -> None:
    profile = await profile_for_account(slack.db, SLACK, user_id)
    assert profile is not None
    draft = EntryDraft(activity="home_visit", student=student, day=slack.clock.now().date() - dt.timedelta(days=1),
                       duration_minutes=40, notes=notes)
    await save_entry(slack.db, profile, draft, source="chat", now=slack.clock.now())


async def test_mine_in_the_dm_answers_the_member_in_mrkdwn_and_acks_with_an_empty_body(slack, li):
    status, body = await slack.command(LI, "mine")
    assert (status, body) == (200, "")
    [text] = slack.fake.texts_to(LI)
    assert "*Your quotas*" in text and "<b>" not in text


async def test_a_nul_typed_on_slack_is_removed_before_the_core_reads_it(slack, li):
    await slack.command(LI, "mine\x00")
    [text] = slack.fake.texts_to(LI)
    assert "*Your quotas*" in text


async def test_a_request_without_slacks_signature_is_refused_and_answered_nowhere(slack, li):
    body = command_body(LI, "mine")
    status, _ = await slack.post(body, headers=signed_headers(body, secret="not-the-signing-secret"))
    assert status == 401
    assert slack.fake.of("chat.postMessage") == []


async def test_a_member_without_a_language_gets_their_slack_locale(slack):
    await slack.add_member(WANG, "王芳", locale="zh-CN")
    await slack.command(WANG, "history")
    [text] = slack.fake.texts_to(WANG)
    assert "You have not" not in text and "/teachlog log" in text
    assert slack.fake.of("users.info")[0]["include_locale"] in ("true", "1", True)


async def test_teachlog_alone_is_help(slack, li):
    await slack.command(LI, "")
    assert "What I can do" in slack.fake.texts_to(LI)[0]


async def test_a_direct_message_goes_through_the_core_like_a_private_chat(slack, li):
    status, _ = await slack.dm(LI, "hello there")
    assert status == 200
    assert slack.fake.texts_to(LI), "the bot answered in the DM"


async def test_the_bots_own_messages_and_edits_are_not_answered(slack, li):
    await slack.dm(LI, "edited", subtype="message_changed")
    await slack.dm(LI, "from a bot", bot_id="B0002")
    assert slack.fake.of("chat.postMessage") == []


async def test_undo_offers_buttons_and_a_tap_removes_the_entry_and_its_buttons(slack, li):
    await log_a_visit(slack, LI)
    await slack.command(LI, "undo")
    [question] = slack.fake.posts_to(LI)
    assert "Remove this entry?" in question["text"]
    labels = dict(buttons_of(question))
    message = {"ts": "1.000009", "text": question["text"], "blocks": question["blocks"]}
    await slack.tap(LI, labels["Yes, remove it"], channel_id="D0LI", message=message)
    assert "Removed." in slack.fake.texts_to(LI)[-1]
    [update] = slack.fake.of("chat.update")
    assert update["ts"] == "1.000009" and all(block["type"] != "actions" for block in update["blocks"])
    profile = await profile_for_account(slack.db, SLACK, LI)
    assert profile is not None and await history(slack.db, profile) == []


async def test_a_forged_button_gets_a_note_only_the_tapper_sees(slack, li):
    await slack.tap(LI, "undo:not-a-number", channel_id="D0LI")
    [note] = slack.fake.of("chat.postEphemeral")
    assert note["user"] == LI and "This button does not work" in note["text"]
    assert slack.fake.of("chat.postMessage") == []


async def test_a_command_in_a_channel_is_answered_in_the_channel_without_students_or_notes(slack, li):
    await log_a_visit(slack, LI, student="Zhao Xiaoyu", notes="mother worried about fees")
    for sub in ("mine", "history", "help", "report"):
        await slack.command(LI, sub, channel_id="C0STAFF", channel_name="staff")
    assert slack.fake.posts_to("C0STAFF"), "the channel got answers"
    for text in slack.fake.channel_texts():
        assert "Zhao Xiaoyu" not in text and "fees" not in text


async def test_a_stranger_is_told_how_to_join(slack):
    slack.fake.user("U0NEW", "New Person", locale="en-GB")
    await slack.command("U0NEW", "mine")
    assert "not a member of a school" in slack.fake.texts_to("U0NEW")[0]


async def test_slack_gets_its_ack_while_the_answer_is_still_being_posted(db, clock):
    """In production the listener acks first and works afterwards, so a slow answer never misses Slack's 3 s:
    the request is answered while chat.postMessage is held (it would never be, were the ack sent after it)."""
    fake = FakeSlack()
    async with serve(fake) as api_url:
        core = AppContext(db=db, settings=Settings(_env_file=None), clock=clock)
        port = SlackPort(AsyncWebClient(token=BOT_TOKEN, base_url=api_url))
        app = build_app(port, Runtime(core, port), signing_secret=SIGNING_SECRET)
        runner = web.AppRunner(app.web_app(path="/slack/events"))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        release = fake.hold("chat.postMessage")
        try:
            body = command_body("U0NEW", "help")
            async with aiohttp.ClientSession() as session:
                # The timeout only guards against a hang; nothing is measured.
                response = await asyncio.wait_for(session.post(url, data=body.encode(),
                                                               headers=signed_headers(body)), timeout=20)
                assert (response.status, await response.text()) == (200, "")
            await fake.wait_until(lambda: bool(fake.of("chat.postMessage")))
            release.set()
        finally:
            release.set()
            await runner.cleanup()
