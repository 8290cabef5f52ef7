"""The `slack` platform of `teachlog run` and `teachlog worker`: Socket Mode or HTTP, plus the periodic jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
from aiohttp import web
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import Core, PlatformStartError
from bot.notifications.notifier import Notifier, worker_name
from bot.notifications.weekly_facts import database_standing
from bot.observability.metrics import set_platform_connected
from bot.platforms import SLACK
from bot.reporting.warm import ReportWarmer
from bot.settings import ConfigError, Settings
from handlers.slack.app import SlackAdapter, build_app
from handlers.slack.blocks import CAPABILITIES
from handlers.slack.messenger import SlackMessenger

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
NOTIFY_INTERVAL_SECONDS = 60
FIRST_NOTIFY_SECONDS = 5
#: A round stops delivering after this long, so rounds never overlap; the next one carries on.
ROUND_BUDGET_SECONDS = 45
IDLE_CHECK_SECONDS = 30


def web_client(settings: Settings) -> AsyncWebClient:
    token = (settings.slack_bot_token or "").strip()
    if not token:
        raise ConfigError("SLACK_BOT_TOKEN is not set: install the app to your workspace (see `teachlog slack "
                          "manifest`) and export its Bot User OAuth Token (xoxb-…).")
    if settings.slack_api_url:
        return AsyncWebClient(token=token, base_url=settings.slack_api_url.rstrip("/") + "/")
    return AsyncWebClient(token=token)


async def check_token(client: AsyncWebClient) -> str:
    """auth.test before anything else, so a refused token or an unreachable API is one line; the bot's user id."""
    try:
        response = await client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else "refused"
        raise PlatformStartError(f"Slack refused SLACK_BOT_TOKEN ({code}): check the Bot User OAuth Token "
                                 "on the app's OAuth & Permissions page") from None
    except (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
        raise PlatformStartError(f"cannot reach the Slack Web API at {client.base_url}: "
                                 f"{error or type(error).__name__}") from None
    return str(response.get("user_id") or "")


async def every(seconds: float, first: float, job: Callable[[], Awaitable[object]], stop: asyncio.Event) -> None:
    """Run `job` after `first` seconds and then every `seconds` until `stop`; a failing round is logged."""
    delay = first
    while not stop.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
            return
        try:
            await job()
        except Exception:
            log.exception("a periodic job failed; it runs again in %s s", seconds)
        delay = seconds


class SlackPlatform:
    name = SLACK
    capabilities = CAPABILITIES

    def __init__(self, core: Core) -> None:
        self.core = core

    def run(self) -> None:
        asyncio.run(self.serve())

    async def serve(self, stop: asyncio.Event | None = None) -> None:
        """Until SIGINT/SIGTERM (or `stop`): Socket Mode with SLACK_APP_TOKEN, else HTTP on the port."""
        settings = self.core.settings
        stop = stop or asyncio.Event()
        client = web_client(settings)
        app_token = (settings.slack_app_token or "").strip()
        signing_secret = (settings.slack_signing_secret or "").strip()
        if not app_token and not signing_secret:
            raise ConfigError("SLACK_SIGNING_SECRET is not set: HTTP mode checks every request with it (Basic "
                              "Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode.")
        await check_token(client)
        app, adapter = build_app(self.core, client, signing_secret=None if app_token else signing_secret)
        await adapter.engine.load_open()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        jobs = self.jobs(adapter, client, stop)
        try:
            if app_token:
                await self.socket_mode(app, app_token, stop)
            else:
                await self.http(app, settings.slack_port, stop)
        finally:
            set_platform_connected(SLACK, False)
            stop.set()
            await asyncio.gather(*jobs, return_exceptions=True)
            await self.core.db.dispose()
            for signal_number in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signal_number)

    def jobs(self, adapter: SlackAdapter, client: AsyncWebClient, stop: asyncio.Event) -> list[asyncio.Task[None]]:
        """Notifications planned and delivered every minute; idle conversations closed."""
        notifier = Notifier(self.core.db, self.core.clock, database_standing(self.core.db), worker_name("bot"),
                            platform=SLACK, warmer=ReportWarmer(self.core.db))
        messenger = SlackMessenger(client)
        return [
            asyncio.create_task(every(NOTIFY_INTERVAL_SECONDS, FIRST_NOTIFY_SECONDS,
                                      lambda: notifier.tick(messenger, budget_seconds=ROUND_BUDGET_SECONDS), stop)),
            asyncio.create_task(every(IDLE_CHECK_SECONDS, IDLE_CHECK_SECONDS, adapter.expire_idle, stop)),
        ]

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
            set_platform_connected(SLACK, True)
            await stop.wait()
        finally:
            await runner.cleanup()

    @staticmethod
    async def socket_mode(app, app_token: str, stop: asyncio.Event) -> None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
        handler = AsyncSocketModeHandler(app, app_token)
        try:
            try:
                # The Socket Mode client retries a refused token forever, logging tracebacks: ask once first.
                await app.client.apps_connections_open(app_token=app_token)
                await handler.connect_async()
            except SlackApiError as error:
                code = error.response.get("error") if error.response is not None else "refused"
                raise PlatformStartError(f"Slack refused SLACK_APP_TOKEN ({code}): it needs the "
                                         "connections:write scope (Basic Information → App-Level Tokens)") from None
            except (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
                raise PlatformStartError(f"cannot open a Socket Mode connection: "
                                         f"{error or type(error).__name__}") from None
            log.info("connected to Slack in Socket Mode")
            set_platform_connected(SLACK, True)
            await stop.wait()
        finally:
            await handler.close_async()

    @contextlib.asynccontextmanager
    async def messenger(self) -> AsyncIterator[SlackMessenger]:
        """A messenger of its own for `teachlog worker`; a refused token is a ConfigError."""
        client = web_client(self.core.settings)
        try:
            await check_token(client)
        except PlatformStartError as error:
            raise ConfigError(str(error)) from None
        yield SlackMessenger(client)

    async def invite_link(self, code: str) -> str | None:
        """Slack has no link that opens an app with a text: members type `/teachlog join CODE`."""
        return None
