"""The `slack` platform of `teachlog run` and `teachlog worker`: the Slack port, listening with the Bolt app in
Socket Mode or over HTTP (:class:`bot.chat.port_platform.PortPlatform` runs the rest).

Every slash command, direct message and tap is handed to the core's runtime. Each
listener acks first (Slack wants an answer within 3 seconds) and does the work
afterwards; Bolt's async runner returns the ack while the listener goes on.
Slack's own surfaces (the logging modal, the App Home tab) are :mod:`handlers.slack.forms`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.http_intake import http_server
from bot.chat.listening import Connection, listen_until, nothing, refused, start_errors, unreachable
from bot.chat.port import Receiver
from bot.chat.port_platform import PortPlatform
from bot.chat.runtime import Runtime
from bot.platform_names import SLACK
from bot.settings import SlackConfig
from handlers.slack.blocks import SLASH_COMMAND
from handlers.slack.forms import Forms
from handlers.slack.inbound import Ack, Payload, is_from_a_person
from handlers.slack.port import SlackPort, error_code

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def web_client(config: SlackConfig) -> AsyncWebClient:
    """The Web API at SLACK_API_URL when set (a test's fake), else Slack's own."""
    api_url = config.api_url.rstrip("/") + "/" if config.api_url else AsyncWebClient.BASE_URL
    return AsyncWebClient(token=config.bot_token, base_url=api_url)


async def check_token(client: AsyncWebClient) -> None:
    """auth.test before anything else, so a refused token or an unreachable API is one line."""
    with start_errors(refused(SlackApiError, "Slack", "SLACK_BOT_TOKEN",
                              "check the Bot User OAuth Token on the app's OAuth & Permissions page", error_code),
                      unreachable(SlackClientError, f"reach the Slack Web API at {client.base_url}")):
        await client.auth_test()


def socket_mode(app: AsyncApp, app_token: str) -> tuple[Connection, ...]:
    """The steps of a Socket Mode connection. The Socket Mode client retries a refused token forever, logging
    tracebacks: the token is asked about once first."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    handler = AsyncSocketModeHandler(app, app_token)
    refusals = (refused(SlackApiError, "Slack", "SLACK_APP_TOKEN",
                        "it needs the connections:write scope (Basic Information → App-Level Tokens)", error_code),
                unreachable(SlackClientError, "open a Socket Mode connection"))
    return (Connection(nothing, handler.close_async),
            Connection(lambda: app.client.apps_connections_open(app_token=app_token), refusals=refusals),
            Connection(handler.connect_async, refusals=refusals, opened="connected to Slack in Socket Mode"))


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


class BoltPort(SlackPort):
    """The port of `teachlog run`: it listens with the Bolt app handing payloads to the core's runtime, in Socket
    Mode with SLACK_APP_TOKEN, else over HTTP on SLACK_PORT."""

    def __init__(self, client: AsyncWebClient, config: SlackConfig) -> None:
        super().__init__(client)
        self.config = config

    async def listen(self, receiver: Receiver, stop: asyncio.Event) -> None:
        assert isinstance(receiver, Runtime)  # Slack's own surfaces (modal, App Home) use its engine and replies
        config = self.config
        app = build_app(self, receiver, signing_secret=None if config.app_token else config.signing_secret)
        steps = socket_mode(app, config.app_token) if config.app_token else \
            http_server(app.web_app(path=EVENTS_PATH, port=config.port), "0.0.0.0", config.port)
        await listen_until(stop, *steps)


class SlackPlatform(PortPlatform):
    """The `slack` platform: a :class:`bot.chat.platform_plugin.Platform`. Members join by typing
    `/teachlog join CODE` (Slack has no link that opens an app with a text)."""

    name = SLACK

    @contextlib.asynccontextmanager
    async def connect(self, *, listening: bool) -> AsyncIterator[SlackPort]:
        config = self.core.settings.require_slack(listening=listening)
        client = web_client(config)
        await check_token(client)
        yield BoltPort(client, config) if listening else SlackPort(client)
