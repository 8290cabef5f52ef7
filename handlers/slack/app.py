"""The Bolt app: every slash command, direct message and tap is handed to the core's runtime over the Slack port.

Each listener acks first (Slack wants an answer within 3 seconds) and does the
work afterwards; Bolt's async runner returns the ack while the listener goes on.
Slack's own surfaces (the logging modal, the App Home tab) are :mod:`handlers.slack.forms`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.chat.port import Receiver
from bot.chat.runtime import Runtime
from handlers.slack.blocks import SLASH_COMMAND
from handlers.slack.forms import Forms
from handlers.slack.inbound import Ack, Payload, is_from_a_person
from handlers.slack.port import SlackPort

log = logging.getLogger(__name__)


class Listeners:
    def __init__(self, receiver: Receiver, forms: Forms) -> None:
        self.runtime, self.forms = receiver, forms

    def register(self, app: AsyncApp) -> None:
        app.command(SLASH_COMMAND)(self.on_command)
        app.event("message")(self.on_message)
        app.action(re.compile(r"^choice-"))(self.on_tap)
        app.error(self.on_error)
        self.forms.register(app)

    async def on_command(self, ack: Ack, command: Mapping[str, Any]) -> None:
        await ack()
        if not await self.forms.open_for_command(command):
            await self.runtime.receive(Payload("command", command), "a slash command")

    async def on_message(self, event: Mapping[str, Any], body: Mapping[str, Any]) -> None:
        """Direct messages to the bot; messages in channels are not the bot's business."""
        if event.get("channel_type") == "im" and is_from_a_person(event):
            await self.runtime.receive(Payload("message", event, body.get("event_id")), "a direct message")

    async def on_tap(self, ack: Ack, body: Mapping[str, Any]) -> None:
        await ack()
        await self.runtime.receive(Payload("tap", body), "a tap")
        await self.forms.after_tap(body)

    async def on_error(self, error: Exception, body: Mapping[str, Any]) -> None:
        log.error("Bolt could not handle a request (%s)", type(error).__name__, exc_info=error)


def build_app(port: SlackPort, runtime: Runtime, *, signing_secret: str | None,
              process_before_response: bool = False) -> AsyncApp:
    """The Bolt app over the port's client, handing payloads to `runtime`; without a signing secret (Socket Mode)
    requests are not signed. `process_before_response` answers each request only when its listener is done
    (tests read the result then)."""
    app = AsyncApp(client=port.client, signing_secret=signing_secret,
                   request_verification_enabled=signing_secret is not None,
                   process_before_response=process_before_response)
    Listeners(runtime, Forms(runtime, port)).register(app)
    return app
