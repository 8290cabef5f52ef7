"""The `slack` platform of `teachlog run` and `teachlog worker`: the runtime over the Slack port, listening in
Socket Mode or over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator

import aiohttp
from aiohttp import web
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app_context import PlatformStartError
from bot.chat.platform_plugin import RunsUntilStopped
from bot.chat.reply_path import ReplyPath
from bot.platform_names import SLACK
from bot.settings import ConfigError, Settings
from handlers.slack.app import build_app
from handlers.slack.blocks import CAPABILITIES
from handlers.slack.port import SlackPort

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def web_client(settings: Settings) -> AsyncWebClient:
    token = (settings.slack_bot_token or "").strip()
    if not token:
        raise ConfigError("SLACK_BOT_TOKEN is not set: install the app to your workspace (see `teachlog slack "
                          "manifest`) and export its Bot User OAuth Token (xoxb-…).")
    if settings.slack_api_url:
        return AsyncWebClient(token=token, base_url=settings.slack_api_url.rstrip("/") + "/")
    return AsyncWebClient(token=token)


@contextlib.contextmanager
def one_line_start_errors(refused: str, unreachable: str) -> Iterator[None]:
    """Slack refusing a token, or not answering, as one PlatformStartError line: `refused` takes {code}."""
    try:
        yield
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else "refused"
        raise PlatformStartError(refused.format(code=code)) from None
    except (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
        raise PlatformStartError(f"{unreachable}: {error or type(error).__name__}") from None


async def check_token(client: AsyncWebClient) -> str:
    """auth.test before anything else, so a refused token or an unreachable API is one line; the bot's user id."""
    refused = "Slack refused SLACK_BOT_TOKEN ({code}): check the Bot User OAuth Token on the app's OAuth & " \
              "Permissions page"
    with one_line_start_errors(refused, f"cannot reach the Slack Web API at {client.base_url}"):
        response = await client.auth_test()
    return str(response.get("user_id") or "")


class SlackPlatform(RunsUntilStopped):
    """The `slack` platform of `teachlog run`: a :class:`bot.chat.platform_plugin.Platform`."""

    name = SLACK
    capabilities = CAPABILITIES

    async def serve(self, stop: asyncio.Event | None = None) -> None:
        """Until SIGINT/SIGTERM (or `stop`): Socket Mode with SLACK_APP_TOKEN, else HTTP on the port; the
        notification jobs alongside."""
        settings = self.core.settings
        client = web_client(settings)
        app_token = (settings.slack_app_token or "").strip()
        signing_secret = (settings.slack_signing_secret or "").strip()
        if not app_token and not signing_secret:
            raise ConfigError("SLACK_SIGNING_SECRET is not set: HTTP mode checks every request with it (Basic "
                              "Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode.")
        await check_token(client)
        app, runtime = build_app(self.core, client, signing_secret=None if app_token else signing_secret,
                                 notifications=True)
        port = runtime.port
        assert isinstance(port, SlackPort)
        if app_token:
            port.listener = lambda until: self.socket_mode(app, app_token, until)
        else:
            port.listener = lambda until: self.http(app, settings.slack_port, until)
        await runtime.run(stop)

    @staticmethod
    async def http(app, port: int, stop: asyncio.Event) -> None:
        runner = web.AppRunner(app.web_app(path=EVENTS_PATH, port=port))
        await runner.setup()
        try:
            try:
                await web.TCPSite(runner, port=port).start()
            except OSError as error:
                raise PlatformStartError(f"cannot listen on port {port}: {error.strerror or error}") from None
            log.info("answering Slack at http://0.0.0.0:%s%s", port, EVENTS_PATH)
            await stop.wait()
        finally:
            await runner.cleanup()

    @staticmethod
    async def socket_mode(app, app_token: str, stop: asyncio.Event) -> None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
        handler = AsyncSocketModeHandler(app, app_token)
        try:
            refused = "Slack refused SLACK_APP_TOKEN ({code}): it needs the connections:write scope (Basic " \
                      "Information → App-Level Tokens)"
            with one_line_start_errors(refused, "cannot open a Socket Mode connection"):
                # The Socket Mode client retries a refused token forever, logging tracebacks: ask once first.
                await app.client.apps_connections_open(app_token=app_token)
                await handler.connect_async()
            log.info("connected to Slack in Socket Mode")
            await stop.wait()
        finally:
            await handler.close_async()

    @contextlib.asynccontextmanager
    async def messenger(self) -> AsyncIterator[ReplyPath]:
        """The reply path over a port of its own for `teachlog worker`; a refused token is a ConfigError."""
        client = web_client(self.core.settings)
        try:
            await check_token(client)
        except PlatformStartError as error:
            raise ConfigError(str(error)) from None
        yield ReplyPath(SlackPort(client))

    async def invite_link(self, code: str) -> str | None:
        """Slack has no link that opens an app with a text: members type `/teachlog join CODE`."""
        return None
