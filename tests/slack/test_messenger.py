"""The Slack port behind the reply path: what a notification looks like in Slack, uploads, pacing and Slack's errors
by name."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.actions import LogNow, Snooze
from bot.chat.pacing import Pacer
from bot.chat.replies import Attachment, Choice, Reply
from bot.chat.reply_path import ReplyPath
from bot.notifications.messenger import PermanentFailure, RetryLater, TransientFailure, Unreachable
from handlers.slack.port import SlackPort
from tests.support.fake_slack import BOT_TOKEN, FakeSlack, buttons_of, serve


@pytest.fixture
async def fake():
    fake = FakeSlack()
    async with serve(fake) as api_url:
        fake.api_url = api_url  # type: ignore[attr-defined]
        yield fake


def messenger_of(fake: FakeSlack, pacer: Pacer | None = None) -> ReplyPath:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)  # type: ignore[attr-defined]
    return ReplyPath(SlackPort(client), pacer=pacer or Pacer(0.0))


def chart(name: str, data: bytes, caption: str = "") -> Reply:
    return Reply(attachments=(Attachment(name, data, "image", caption),))


async def test_a_reminder_is_a_dm_with_its_buttons_and_html_as_mrkdwn(fake):
    choices = ((Choice("Log now", LogNow("home_visit")), Choice("Remind me tomorrow", Snooze())),)
    await messenger_of(fake).send("U0LI", Reply("<b>2 of 4</b> home visits &amp; calls", choices, html=True))
    [post] = fake.of("chat.postMessage")
    assert post["channel"] == "U0LI"
    assert fake.texts_to("U0LI") == ["*2 of 4* home visits &amp; calls"]
    assert post["text"] == "2 of 4 home visits & calls", "the notification preview is plain text"
    assert buttons_of(post) == [("Log now", "lognow:home_visit"), ("Remind me tomorrow", "snooze")]


async def test_a_chart_is_uploaded_to_the_channel_with_its_caption_and_file_name_as_title(fake):
    await messenger_of(fake).send("C0STAFF", chart("leaderboard.png", b"\x89PNG chart", "Weekly leaderboard"))
    [asked] = fake.of("files.getUploadURLExternal")
    assert asked["filename"] == "leaderboard.png"
    assert list(fake.uploads.values()) == [b"\x89PNG chart"]
    [done] = fake.of("files.completeUploadExternal")
    assert done["channel_id"] == "C0STAFF" and done["initial_comment"] == "Weekly leaderboard"
    assert [f["title"] for f in done["files"]] == ["leaderboard.png"]


async def test_a_file_for_a_person_goes_to_their_dm_channel(fake):
    await messenger_of(fake).send("U0LI", chart("chart.png", b"data", "Your export"))
    assert fake.of("conversations.open")[0]["users"] == "U0LI"
    assert fake.of("files.completeUploadExternal")[0]["channel_id"] == "D0LI"


async def test_a_429_is_retry_later_with_slacks_retry_after(fake):
    fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=7)
    with pytest.raises(RetryLater) as raised:
        await messenger_of(fake).send("C0STAFF", Reply("hello"))
    assert raised.value.seconds == 7


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived", "account_inactive",
                                   "user_not_found"])
async def test_a_recipient_slack_cannot_reach_is_unreachable(fake, error):
    fake.fail("chat.postMessage", error)
    with pytest.raises(Unreachable):
        await messenger_of(fake).send("C0GONE", Reply("hello"))


async def test_a_server_error_is_transient_and_a_refused_message_permanent(fake):
    fake.fail("chat.postMessage", "internal_error", status=500)
    with pytest.raises(TransientFailure):
        await messenger_of(fake).send("C0STAFF", Reply("hello"))
    fake.fail("chat.postMessage", "invalid_blocks")
    with pytest.raises(PermanentFailure):
        await messenger_of(fake).send("C0STAFF", Reply("hello"))


async def test_an_unreachable_server_is_transient():
    client = AsyncWebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:9/api/")
    with pytest.raises(TransientFailure):
        await ReplyPath(SlackPort(client), pacer=Pacer(0.0)).send("C0STAFF", Reply("hello"))


async def test_messages_to_one_channel_are_spaced_a_second_apart_and_other_channels_are_not_held_up(fake):
    now, waits = [100.0], []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    pace = SlackPort.capabilities.seconds_per_chat_message  # the reply path spaces messages by it
    messenger = messenger_of(fake, Pacer(pace, monotonic=lambda: now[0], sleep=sleep))
    await messenger.send("C0STAFF", Reply("one"))
    await messenger.send("C0OTHER", Reply("elsewhere"))
    assert waits == []
    await messenger.send("C0STAFF", Reply("two"))
    assert waits == [1.0]
    assert len(fake.of("chat.postMessage")) == 3


async def test_uploads_keep_within_their_methods_tier_whatever_the_channel(fake):
    now, waits = [100.0], []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)  # type: ignore[attr-defined]
    methods = Pacer(0.0, intervals={"files.upload_v2": 0.6}, monotonic=lambda: now[0], sleep=sleep)
    messenger = ReplyPath(SlackPort(client, methods), pacer=Pacer(0.0))
    await messenger.send("C0STAFF", chart("one.png", b"\x89PNG one", "chart"))
    await messenger.send("C0OTHER", chart("two.png", b"\x89PNG two", "chart"))
    assert waits == [pytest.approx(0.6)]
    assert len(fake.of("files.completeUploadExternal")) == 2


async def test_a_long_text_is_cut_into_sections_slack_accepts(fake):
    lines = [f"line {i} " + "x" * 90 for i in range(100)]
    await messenger_of(fake).send("U0LI", Reply("\n".join(lines)))
    posts = fake.of("chat.postMessage")
    sections = [block["text"]["text"] for post in posts for block in post["blocks"]]
    assert len(posts) < len(sections) and all(len(text) <= 3000 for text in sections)
    assert all(len(post["blocks"]) <= 50 for post in posts)
    assert "\n".join(sections).split("\n") == lines
