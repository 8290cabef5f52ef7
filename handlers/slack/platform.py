"""The `slack` platform of `teachlog run` and `teachlog worker`: the Slack port, listening with the Bolt app in
Socket Mode or over HTTP (:class:`bot.chat.port_platform.PortPlatform` runs the rest)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from functools import partial

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.http_intake import http_server
from bot.chat.listening import Connection, listen_until, nothing, start_errors
from bot.chat.port import Receiver
from bot.chat.port_platform import PortPlatform
from bot.chat.reply_path import CONNECTION_ERRORS
from bot.chat.runtime import Runtime
from bot.platform_names import SLACK
from bot.settings import SlackConfig
from handlers.slack.app import build_app
from handlers.slack.blocks import CAPABILITIES
from handlers.slack.port import SlackPort

EVENTS_PATH = "/slack/events"
UNREACHABLE = (SlackClientError, *CONNECTION_ERRORS)


def web_client(config: SlackConfig) -> AsyncWebClient:
    if config.api_url:
        return AsyncWebClient(token=config.bot_token, base_url=config.api_url.rstrip("/") + "/")
    return AsyncWebClient(token=config.bot_token)


def refused(line: str, error: SlackApiError) -> str:
    """`line` with Slack's error code for {code}."""
    return line.format(code=error.response.get("error") if error.response is not None else "refused")


async def check_token(client: AsyncWebClient) -> None:
    """auth.test before anything else, so a refused token or an unreachable API is one line."""
    with start_errors((SlackApiError, partial(refused, "Slack refused SLACK_BOT_TOKEN ({code}): check the Bot "
                                               "User OAuth Token on the app's OAuth & Permissions page")),
                      (UNREACHABLE, lambda error: f"cannot reach the Slack Web API at {client.base_url}: "
                                                  f"{error or type(error).__name__}")):
        await client.auth_test()


def socket_mode(app: AsyncApp, app_token: str) -> tuple[Connection, ...]:
    """The steps of a Socket Mode connection. The Socket Mode client retries a refused token forever, logging
    tracebacks: the token is asked about once first."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    handler = AsyncSocketModeHandler(app, app_token)
    refusals = ((SlackApiError, partial(refused, "Slack refused SLACK_APP_TOKEN ({code}): it needs the "
                                        "connections:write scope (Basic Information → App-Level Tokens)")),
                (UNREACHABLE, lambda error: f"cannot open a Socket Mode connection: {error or type(error).__name__}"))
    return (Connection(nothing, handler.close_async),
            Connection(lambda: app.client.apps_connections_open(app_token=app_token), refusals=refusals),
            Connection(handler.connect_async, refusals=refusals, opened="connected to Slack in Socket Mode"))


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
    capabilities = CAPABILITIES

    @contextlib.asynccontextmanager
    async def connect(self, *, listening: bool) -> AsyncIterator[SlackPort]:
        config = self.core.settings.require_slack(listening=listening)
        client = web_client(config)
        await check_token(client)
        yield BoltPort(client, config) if listening else SlackPort(client)
