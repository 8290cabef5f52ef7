"""Core replies as DingTalk robot messages: cards and link lists whose links send a text that comes back as the
same tap, within DingTalk's size limits; no buttons in groups; pictures and files by media_id."""

from __future__ import annotations

import re
from urllib.parse import unquote

from bot.chat.actions import ChooseActivity, ForDraft, SaveEntry
from bot.chat.replies import Attachment, Choice, Reply, in_rows
from bot.chat.text_buttons import TextButtons
from handlers.dingtalk.render import (
    PARAM_BYTES,
    SEND_LINK,
    Media,
    Message,
    media_message,
    render,
    webhook_body,
)

LINK = re.compile(r"dtmd://dingtalkclient/sendMessage\?content=([^)\s]+)")
#: Twelve activities with Chinese names, as a school's policy may have them.
ACTIVITIES = [("home_visit", "家访（入户走访）"), ("phone_call", "电话询问家长"), ("letter", "书信交流"),
              ("talk", "思想交流谈心"), ("tutoring", "作业辅导"), ("demo_lesson", "优质课示范"),
              ("observation", "听课评课"), ("heart_talk", "谈心谈话"), ("community", "社区宣讲"),
              ("research", "田野调研"), ("forum", "论坛交流"), ("study", "集中学习")]


def links_of(message: Message) -> list[str]:
    """The texts a message's buttons send, in order."""
    values = [str(v) for k, v in sorted(message.param.items()) if k.startswith(("actionURL", "singleURL"))]
    values += LINK.findall(str(message.param.get("text", "")))
    return [unquote(value.removeprefix(SEND_LINK)) for value in values]


async def test_a_tapped_button_sends_a_text_that_is_read_back_as_the_same_action(db, clock):
    buttons = TextButtons(db, clock)
    choices = [Choice("保存", ForDraft(SaveEntry("0123abcd"), "89abcdef")), Choice("取消", ChooseActivity("talk"))]
    reply = Reply("要保存这条记录吗？", in_rows(choices, 2))
    (message,) = render(reply, await buttons.texts(reply.all_choices))
    assert message.key == "sampleActionCard2"
    assert [message.param["actionTitle1"], message.param["actionTitle2"]] == ["保存", "取消"]
    sent = links_of(message)
    assert sent[0].startswith("保存 [")
    taps = [await buttons.tap_of(text) for text in sent]
    assert [tap.data for tap in taps] == [choice.data for choice in choices]
    assert taps[0].draft_id == "89abcdef"  # so a button of an older draft is told apart, as everywhere


async def test_a_step_with_twelve_activities_fits_in_one_message_with_twelve_working_links(db, clock):
    buttons = TextButtons(db, clock)
    choices = [Choice(label, ChooseActivity(code)) for code, label in ACTIVITIES]
    reply = Reply("你做了什么？\n" + "请选择一项活动。" * 20, in_rows(choices, 2))
    (message,) = render(reply, await buttons.texts(reply.all_choices))
    assert message.key == "sampleMarkdown" and message.size() <= PARAM_BYTES
    sent = links_of(message)
    assert [text.split(" [")[0] for text in sent] == [label for _, label in ACTIVITIES]
    assert [(await buttons.tap_of(text)).action for text in sent] == [ChooseActivity(code) for code, _ in ACTIVITIES]


def test_a_long_text_is_cut_and_every_message_stays_within_the_size_limit():
    choices = [Choice(f"学生{i:03d}王小明同学的家", ChooseActivity("home_visit")) for i in range(100)]
    sends = [f"学生{i:03d}王小明同学的家 [abcd{i % 10}]" for i in range(100)]
    reply = Reply("\n".join(f"第{i}行：家访记录的说明文字" * 3 for i in range(400)), in_rows(choices, 1))
    messages = render(reply, sends)
    assert len(messages) > 2
    assert all(isinstance(m, Message) and m.size() <= PARAM_BYTES for m in messages)
    assert sum((links_of(m) for m in messages if isinstance(m, Message)), []) == sends


def test_plain_text_is_a_text_message_and_the_core_s_html_is_markdown():
    (plain,) = render(Reply("本周：家访 2/4\n电话 1/1"))
    assert plain == Message("sampleText", {"content": "本周：家访 2/4\n电话 1/1"})
    (marked,) = render(Reply("<b>本周进度</b>\n家访 &lt;2&gt;", html=True))
    assert marked.key == "sampleMarkdown"
    assert marked.param == {"title": "本周进度", "text": "**本周进度**  \n家访 <2>"}


def test_in_a_group_there_are_no_buttons_but_the_text_to_send_with_the_mention():
    reply = Reply("上周排行榜", ((Choice("全部", ChooseActivity("home_visit")),),))
    (message,) = render(reply, ["全部 [abcde]"], private=False)
    assert message.key == "sampleText"
    assert message.param["content"] == "上周排行榜\n👉 @teachlog 全部 [abcde]"
    assert "dtmd://" not in str(message.param)


def test_a_chart_goes_after_its_caption_and_a_file_keeps_its_uploaded_name():
    chart = Attachment("report.png", b"png", "image", caption="本周家访")
    export = Attachment("entries.csv", b"csv", "file")
    messages = render(Reply("你的报告", attachments=(chart, export)))
    assert [type(m).__name__ for m in messages] == ["Message", "Message", "Media", "Media"]
    assert messages[1] == Message("sampleText", {"content": "本周家访"})
    assert media_message(chart, "@m1", "report.png") == Message("sampleImageMsg", {"photoURL": "@m1"})
    assert media_message(export, "@m2", "entries.zip") == Message(
        "sampleFile", {"mediaId": "@m2", "fileName": "entries.zip", "fileType": "zip"})
    assert isinstance(messages[2], Media) and messages[2].attachment is chart


def test_the_session_webhook_takes_the_same_messages_in_its_own_form():
    (card,) = render(Reply("保存？", ((Choice("保存", ChooseActivity("a")), Choice("取消", ChooseActivity("b"))),)),
                     ["保存 [aaaaa]", "取消 [bbbbb]"])
    body = webhook_body(card)
    assert body["msgtype"] == "actionCard"
    assert [b["title"] for b in body["actionCard"]["btns"]] == ["保存", "取消"]
    assert body["actionCard"]["btns"][0]["actionURL"] == card.param["actionURL1"]
    assert webhook_body(Message("sampleText", {"content": "hi"})) == {"msgtype": "text", "text": {"content": "hi"}}
    (single,) = render(Reply("记一条？", ((Choice("记录", ChooseActivity("a")),),)), ["记录 [aaaaa]"])
    assert single.key == "sampleActionCard" and webhook_body(single)["actionCard"]["singleTitle"] == "记录"
    assert webhook_body(Message("sampleImageMsg", {"photoURL": "@m"})) is None
