"""How core replies look in Slack: mrkdwn from the core's HTML, button rows of at most 5, uploads, mentions read."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.actions import UndoEntry
from bot.chat.events import ChatAddress
from bot.chat.layout import lay_out
from bot.chat.pacing import Pacer
from bot.chat.replies import Attachment, Choice, Reply
from bot.chat.reply_path import ReplyPath
from bot.platform_names import SLACK
from handlers.slack.blocks import BLOCK_KIT, CAPABILITIES, MRKDWN
from handlers.slack.inbound import readable
from handlers.slack.port import SlackPort
from tests.support.fake_slack import BOT_TOKEN, FakeSlack, buttons_of, serve


def test_the_cores_html_becomes_mrkdwn_and_plain_text_is_escaped():
    assert MRKDWN.styled("<b>Week</b> <i>so far</i>: <code>3</code> &lt;5 &amp; more", is_html=True) == \
        "*Week* _so far_: `3` &lt;5 &amp; more"
    assert MRKDWN.styled("a <b> & c", is_html=False) == "a &lt;b&gt; &amp; c"


def test_a_row_of_more_than_five_choices_is_split_into_rows_slack_shows():
    row = tuple(Choice(f"Name {i}", UndoEntry(i + 1)) for i in range(7))
    [message] = lay_out(Reply("Who?", (row,)), CAPABILITIES)
    blocks = BLOCK_KIT.parts(message)
    action_rows = [block["elements"] for block in blocks if block["type"] == "actions"]
    assert [len(elements) for elements in action_rows] == [5, 2]
    ids = [element["action_id"] for elements in action_rows for element in elements]
    assert len(set(ids)) == 7, "every button of a message has its own action id"


def test_mentions_are_read_as_typed_and_their_user_ids_kept():
    assert readable("report <@U0WANG|wang.fang> &amp; <#C0STAFF|staff>") == \
        ("report @wang.fang & #staff", ("U0WANG",))


async def test_a_reply_with_a_chart_posts_its_text_and_buttons_then_uploads_the_chart_titled_by_its_name():
    fake = FakeSlack()
    async with serve(fake) as api_url:
        replies = ReplyPath(SlackPort(AsyncWebClient(token=BOT_TOKEN, base_url=api_url)), pacer=Pacer(0.0))
        reply = Reply("<b>Report</b>", ((Choice("Keep", UndoEntry(None)),),), html=True,
                      attachments=(Attachment("report-week.png", b"png", "image"),))
        assert await replies.answer(ChatAddress(SLACK, "C0STAFF"), reply)
    [post] = fake.of("chat.postMessage")
    assert fake.texts_to("C0STAFF") == ["*Report*"] and buttons_of(post)[0][0] == "Keep"
    [done] = fake.of("files.completeUploadExternal")
    assert done["channel_id"] == "C0STAFF" and [f["title"] for f in done["files"]] == ["report-week.png"]


def test_the_cores_commands_read_as_the_slash_command_people_type_on_slack():
    assert MRKDWN.styled("Send /log, or /start ABC123 to join.", is_html=False) == \
        "Send /teachlog log, or /teachlog join ABC123 to join."
    assert MRKDWN.styled("请发送/mine，或“/away 到 12月1号”", is_html=False) == \
        "请发送/teachlog mine，或“/teachlog away 到 12月1号”"
    assert MRKDWN.styled("<b>/report</b> here", is_html=True) == "*/teachlog report* here"


def test_paths_links_and_unknown_words_keep_their_slashes():
    assert MRKDWN.styled("https://example.org/log and a/b /logs /teachlog mine", is_html=False) == \
        "https://example.org/log and a/b /logs /teachlog mine"
