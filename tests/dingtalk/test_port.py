"""The DingTalk port: what the runtime asks of it, against the local DingTalk."""

from __future__ import annotations

import pytest

from bot.app_context import AppContext
from bot.chat.actions import LogNow
from bot.chat.events import ChatAddress
from bot.chat.layout import Message
from bot.chat.replies import Choice, Outcome, Reply
from bot.chat.runtime import Runtime
from bot.chat.text_buttons import TextButtons
from bot.platform_names import DINGTALK
from bot.settings import DingTalkConfig, Settings
from handlers.dingtalk.port import DingTalkPort
from tests.support.fake_dingtalk import PATH_BATCH, PATH_GROUP, PATH_WEBHOOK, param_of

NOW_MS = 1_800_000_000_000


@pytest.fixture
def port(fake, api, db, clock):
    config = DingTalkConfig(fake.client_id, fake.client_secret, fake.client_id, fake.base_url, fake.base_url)
    return DingTalkPort(config, api, TextButtons(db, clock), now_ms=lambda: NOW_MS)


def message(fake, staff_id: str = "staff1", *, expires_ms: int = NOW_MS + 600_000) -> dict:
    raw = fake.chatbot_message(" /help", sender=staff_id)
    raw["sessionWebhookExpiredTime"] = expires_ms
    return raw


async def test_a_popup_becomes_a_message_on_the_webhook_of_the_tap_before_the_replies(fake, port, db, clock):
    raw = message(fake)
    event = await port.event_of(raw)
    assert event is not None
    runtime = Runtime(AppContext(db=db, settings=Settings(_env_file=None), clock=clock), port)
    await runtime.answer(raw, event.chat, Outcome([Reply("请重新开始")], popup="这个按钮已失效"))
    assert [call.body["text"]["content"] for call in fake.of(PATH_WEBHOOK)] == ["这个按钮已失效", "请重新开始"]


async def test_a_message_to_a_chat_whose_webhook_has_expired_goes_by_batch_send(fake, port):
    await port.event_of(message(fake, expires_ms=NOW_MS + 30_000))
    await port.send(ChatAddress(DINGTALK, "staff1"), Message("提醒"))
    assert fake.of(PATH_WEBHOOK) == [] and param_of(fake.of(PATH_BATCH)[0]) == {"content": "提醒"}


async def test_a_group_message_names_the_text_to_send_instead_of_a_button(fake, port):
    choice = Choice("📝 Log now", LogNow("home_visit"))
    await port.send(ChatAddress(DINGTALK, "cidGroupA"), Message("排行榜", choices=((choice,),)))
    shown = param_of(fake.of(PATH_GROUP)[0])
    assert "@teachlog" in shown["content"] and "dtmd://" not in str(shown)
