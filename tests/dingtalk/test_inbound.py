"""A DingTalk robot message as the core's event: who, where, and what — a command typed as on Telegram, a join,
a text, a button's text read back as its tap."""

from __future__ import annotations

import pytest

from bot.chat.actions import ChooseActivity, encode
from bot.chat.events import ChatAddress, Command, OtherMessage, Tap, Text, Upload, Voice
from handlers.dingtalk.inbound import event_of
from tests.support.fake_dingtalk import FakeDingTalk

BUTTON_TEXT = "家访 [k7f2m]"


async def read_tap(text: str) -> Tap | None:
    return Tap(encode(ChooseActivity("home_visit"))) if text == BUTTON_TEXT else None


@pytest.fixture
def dingtalk() -> FakeDingTalk:
    return FakeDingTalk(base_url="http://127.0.0.1:1")


@pytest.mark.parametrize(("content", "body"), [
    (" /log", Command("log")),
    (" /start ABC123", Command("start", "ABC123")),
    ("/LOG", Command("log")),
    ("／mine", Command("mine")),
    ("、history", Command("history")),
    ("/report 上周", Command("report", "上周")),
    ("join ABC123", Command("start", "ABC123")),
    ("Join abc123", Command("start", "abc123")),
    ("加入 ABC123", Command("start", "ABC123")),
    ("加入ABC123", Command("start", "ABC123")),
    (" 昨天去王小明家家访了四十分钟 ", Text("昨天去王小明家家访了四十分钟")),
    ("、好的", Text("、好的")),
    (" " + BUTTON_TEXT, Tap(encode(ChooseActivity("home_visit")))),
])
async def test_a_private_text_is_a_command_a_join_a_text_or_a_tap(dingtalk, content, body):
    event, origin = await event_of(dingtalk.chatbot_message(content, sender="staff7", nick="李老师"), read_tap)
    assert event.body == body
    assert event.private and origin.private
    assert event.chat == ChatAddress("dingtalk", "staff7")
    assert (event.person.user_id, event.person.display_name, event.person.language_code) == ("staff7", "李老师", None)


@pytest.mark.parametrize(("content", "body"), [
    (" @teachlog /link top 5", Command("link", "top 5")),
    ("@teachlog  /report", Command("report")),
    (" /unlink", Command("unlink")),
    ("@teachlog " + BUTTON_TEXT, Tap(encode(ChooseActivity("home_visit")))),
])
async def test_a_group_message_loses_the_mention_of_the_robot_and_is_addressed_to_the_group(dingtalk, content, body):
    message = dingtalk.chatbot_message(content, sender="staff7", group=True, conversation_id="cidGroupA")
    message["atUsers"] = [{"dingtalkId": message["chatbotUserId"]}, {"dingtalkId": "$:other", "staffId": "staff9"}]
    event, origin = await event_of(message, read_tap)
    assert event.body == body
    assert not event.private and not origin.private
    assert event.chat == ChatAddress("dingtalk", "cidGroupA")
    assert event.mentions == ("staff9",)


async def test_the_answer_goes_to_the_session_webhook_of_the_message(dingtalk):
    message = dingtalk.chatbot_message("/mine", msg_id="msgX")
    event, origin = await event_of(message, read_tap)
    assert origin.session_webhook == message["sessionWebhook"]
    assert origin.webhook_expires_ms == message["sessionWebhookExpiredTime"]
    assert event.message_id == origin.msg_id == "msgX"
    assert event.update_id == "msgX", "a replica that gets the message again answers nothing (handled_updates)"


async def test_a_picture_and_a_file_are_uploads_kept_by_their_download_code(dingtalk):
    picture = dingtalk.chatbot_message("", msgtype="picture", content={"downloadCode": "dc1"})
    file = dingtalk.chatbot_message("", msgtype="file", content={"downloadCode": "dc2", "fileName": "家访.pdf"})
    assert (await event_of(picture, read_tap))[0].body == Upload("", b"", file_id="dc1", mime_type="image/jpeg")
    assert (await event_of(file, read_tap))[0].body == Upload("家访.pdf", b"", file_id="dc2",
                                                              mime_type="application/pdf")


@pytest.mark.parametrize(("msgtype", "content"), [("video", {"downloadCode": "dc1", "duration": 3}),
                                                  ("picture", {}), ("file", {"fileName": "家访.pdf"})])
async def test_videos_and_files_without_a_download_code_are_other_messages(dingtalk, msgtype, content):
    message = dingtalk.chatbot_message("", msgtype=msgtype, content=content)
    event, _ = await event_of(message, read_tap)
    assert event.body == OtherMessage(msgtype)


async def test_a_voice_message_is_read_as_what_dingtalk_recognised_in_it(dingtalk):
    message = dingtalk.chatbot_message("", msgtype="audio", content={
        "downloadCode": "dc1", "duration": 4200, "recognition": "昨天下午去王小明家家访了四十分钟"})
    event, _ = await event_of(message, read_tap)
    assert event.body == Voice("昨天下午去王小明家家访了四十分钟", 4.2)


async def test_a_voice_message_dingtalk_could_not_transcribe_has_no_text(dingtalk):
    message = dingtalk.chatbot_message("", msgtype="audio", content={"downloadCode": "dc1", "recognition": " "})
    event, _ = await event_of(message, read_tap)
    assert event.body == Voice(None, None)


async def test_rich_text_is_read_as_its_text(dingtalk):
    message = dingtalk.chatbot_message("", msgtype="richText",
                                       content={"richText": [{"text": "/log"}, {"downloadCode": "pic"}]})
    event, _ = await event_of(message, read_tap)
    assert event.body == Command("log")


async def test_a_message_without_a_staff_id_is_nobody_s(dingtalk):
    message = dingtalk.chatbot_message("/start ABC")
    del message["senderStaffId"]
    assert await event_of(message, read_tap) is None
