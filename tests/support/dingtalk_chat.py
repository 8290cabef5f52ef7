"""The DingTalk pieces end to end around the chat core, against the local DingTalk.

The fake gateway pushes what a member sends; the Stream connection hands it to
the DingTalk port, the one runtime has the engine answer, and the port sends the
answer back to the fake (over the session webhook, or the OpenAPI). A tap is what a member's client does
with a button: it sends the text behind the button's dtmd:// link.
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import unquote

from bot.app_context import AppContext
from bot.chat.runtime import Runtime
from bot.chat.text_buttons import TextButtons
from bot.clock import FixedClock
from bot.settings import DingTalkConfig, Settings
from handlers.dingtalk.openapi import DingTalkOpenAPI
from handlers.dingtalk.port import DingTalkPort
from handlers.dingtalk.render import SEND_LINK
from storage.db import Database
from tests.support.fake_dingtalk import PATH_BATCH, PATH_GROUP, PATH_WEBHOOK, FakeDingTalk, Received

LINK = re.compile(re.escape(SEND_LINK) + r"([^)\s\"]+)")
SENT_PATHS = (PATH_WEBHOOK, PATH_BATCH, PATH_GROUP)


def shown_text(received: Received) -> str:
    """What a sent message shows, in either form (webhook body or OpenAPI msgParam)."""
    import json
    body = received.body
    if received.path == PATH_WEBHOOK:
        part = body.get(body.get("msgtype", ""), {})
        return str(part.get("content") or part.get("text") or "")
    param = json.loads(body["msgParam"])
    return str(param.get("content") or param.get("text") or "")


def buttons_of(received: Received) -> dict[str, str]:
    """A sent message's buttons: label → the text a tap sends."""
    import json
    body = received.body
    part = body.get("actionCard") or (json.loads(body["msgParam"]) if "msgParam" in body else {}) \
        if received.path != PATH_WEBHOOK else body.get(body.get("msgtype", ""), {})
    links: list[tuple[str, str]] = []
    for button in part.get("btns") or ():
        links.append((button["title"], button["actionURL"]))
    if part.get("singleURL"):
        links.append((part["singleTitle"], part["singleURL"]))
    for number in range(1, 6):
        if f"actionURL{number}" in part:
            links.append((part[f"actionTitle{number}"], part[f"actionURL{number}"]))
    for label, url in re.findall(r"\[([^\]]+)\]\((dtmd://[^)]+)\)", str(part.get("text") or "")):
        links.append((label, url))
    return {label: unquote(url.removeprefix(SEND_LINK)) for label, url in links}


class DingTalkChat:
    def __init__(self, db: Database, clock: FixedClock, fake: FakeDingTalk) -> None:
        self.db, self.clock, self.fake = db, clock, fake
        self.core = AppContext(db=db, settings=Settings(_env_file=None), clock=clock)
        config = DingTalkConfig(fake.client_id, fake.client_secret, fake.client_id, fake.base_url, fake.base_url)
        self.api = DingTalkOpenAPI(config)
        self.port = DingTalkPort(config, self.api, TextButtons(db, clock))
        self.runtime = Runtime(self.core, self.port)
        self.engine = self.runtime.engine
        self.stopping = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.port.listen(self.runtime, self.stopping))
        await self.fake.connected()

    async def stop(self) -> None:
        self.stopping.set()
        if self.task is not None:
            await asyncio.wait_for(self.task, 10)
        await self.api.close()

    def sent(self) -> list[Received]:
        return [r for r in self.fake.received if r.path in SENT_PATHS]

    async def say(self, staff_id: str, text: str, *, group: str | None = None,
                  msg_id: str | None = None) -> list[Received]:
        """A member sends `text` (in a group: @-mentioning the robot); what the bot sent back."""
        before = len(self.sent())
        content = f" @teachlog {text}" if group else f" {text}"
        message = self.fake.chatbot_message(content, sender=staff_id, group=group is not None,
                                            conversation_id=group or "", msg_id=msg_id)
        return await self.deliver(message, before)

    async def speak(self, staff_id: str, recognition: str | None) -> list[Received]:
        """A member holds the talk button in their chat with the robot; DingTalk sends what it recognised."""
        before = len(self.sent())
        content = {"downloadCode": "dc-voice", "duration": 3000, "recognition": recognition or ""}
        return await self.deliver(self.fake.chatbot_message("", sender=staff_id, msgtype="audio", content=content),
                                  before)

    async def deliver(self, message: dict, before: int) -> list[Received]:
        frame_id = await self.fake.callback(message)
        await self.fake.wait_until(lambda: frame_id in self.fake.acks() and self.port.stream is not None
                                     and not self.port.stream.handling)
        return self.sent()[before:]

    async def tap(self, staff_id: str, label: str) -> list[Received]:
        """The member taps the button `label` of the latest message that has it."""
        return await self.say(staff_id, self.button_text(label))

    @staticmethod
    def button_text_in(received: Received, label: str) -> str | None:
        """The text the button `label` of a sent message sends, if it has one."""
        return next((text for shown, text in buttons_of(received).items() if label in shown), None)

    def button_text(self, label: str) -> str:
        for received in reversed(self.sent()):
            found = self.button_text_in(received, label)
            if found is not None:
                return found
        raise AssertionError(f"no button {label!r} in {[buttons_of(r) for r in self.sent()]}")
