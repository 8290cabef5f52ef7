"""Where replies go: the session webhook while it lasts, else the OpenAPI; pictures and files uploaded first;
a reminder to many people 20 a call."""

from __future__ import annotations

import pytest

from bot.chat.actions import LogNow
from bot.chat.replies import Attachment, Choice, Reply
from bot.chat.text_buttons import TextButtons
from bot.notifications.messenger import RetryLater, Unreachable
from handlers.dingtalk.inbound import Origin
from handlers.dingtalk.outbound import DingTalkOutbound
from tests.support.fake_dingtalk import PATH_BATCH, PATH_GROUP, PATH_UPLOAD, PATH_WEBHOOK, param_of

NOW_MS = 1_800_000_000_000


@pytest.fixture
def outbound(api, db, clock):
    return DingTalkOutbound(api, TextButtons(db, clock), now_ms=lambda: NOW_MS)


def origin(fake, *, expires_ms: int, staff_id: str = "staff1") -> Origin:
    webhook = fake.chatbot_message("hi", sender=staff_id)["sessionWebhook"]
    return Origin(webhook, expires_ms, f"cidPrivate{staff_id}", staff_id, True, "m1")


async def test_an_answer_goes_on_the_webhook_while_it_lasts_and_by_batch_send_after(fake, outbound):
    await outbound.send_reply("staff1", Reply("好的"), origin(fake, expires_ms=NOW_MS + 600_000))
    await outbound.send_reply("staff1", Reply("好的"), origin(fake, expires_ms=NOW_MS + 30_000))
    assert len(fake.of(PATH_WEBHOOK)) == 1
    (call,) = fake.of(PATH_BATCH)
    assert call.body["userIds"] == ["staff1"] and param_of(call) == {"content": "好的"}


async def test_a_refused_webhook_falls_back_to_the_openapi(fake, outbound):
    fake.fail(PATH_WEBHOOK, 200, {"errcode": 300001, "errmsg": "session expired"})
    await outbound.send_reply("staff1", Reply("好的"), origin(fake, expires_ms=NOW_MS + 600_000))
    assert len(fake.of(PATH_BATCH)) == 1


async def test_a_group_gets_its_message_by_group_send(fake, outbound):
    await outbound.send_reply("cidGroupA", Reply("上周排行榜"))
    (call,) = fake.of(PATH_GROUP)
    assert call.body["openConversationId"] == "cidGroupA" and param_of(call) == {"content": "上周排行榜"}


async def test_a_chart_is_uploaded_and_sent_by_media_id_even_when_a_webhook_is_there(fake, outbound):
    chart = Attachment("report.png", b"\x89PNG", "image")
    export = Attachment("entries.csv", b"a,b\n", "file")
    await outbound.send_reply("staff1", Reply("你的报告", attachments=(chart, export)),
                              origin(fake, expires_ms=NOW_MS + 600_000))
    assert [r.body["type"] for r in fake.of(PATH_UPLOAD)] == ["image", "file"]
    picture, file = (param_of(call) for call in fake.of(PATH_BATCH))
    assert fake.uploads[picture["photoURL"]][1] == "report.png"
    assert (file["fileName"], file["fileType"]) == ("entries.zip", "zip")
    assert len(fake.of(PATH_WEBHOOK)) == 1  # the text


async def test_a_reminder_reaches_forty_five_people_in_three_calls_with_its_button(fake, outbound):
    people = [f"staff{n}" for n in range(45)]
    reminder = Reply("本周还差 2 次家访", ((Choice("现在记录", LogNow("home_visit")),),))
    await outbound.send_to_people(people, reminder)
    calls = fake.of(PATH_BATCH)
    assert [len(c.body["userIds"]) for c in calls] == [20, 20, 5]
    assert {c.body["msgKey"] for c in calls} == {"sampleActionCard"}
    assert param_of(calls[0])["singleTitle"] == "现在记录"


async def test_a_person_who_left_the_organisation_is_unreachable_and_flow_control_asks_to_wait(fake, outbound):
    fake.invalid_users.add("gone1")
    fake.flow_controlled_users.add("busy1")
    with pytest.raises(Unreachable):
        await outbound.send_reply("gone1", Reply("提醒"))
    with pytest.raises(RetryLater):
        await outbound.send_reply("busy1", Reply("提醒"))
    result = await outbound.send_to_people(["gone1", "busy1", "staff1"], Reply("提醒"))
    assert (result.invalid, result.flow_controlled) == (("gone1",), ("busy1",))
