"""The Bolt app: every slash command, direct message and tap goes through the chat core and back as Block Kit.

Each listener acks first (Slack wants an answer within 3 seconds) and does the
work afterwards; Bolt's async runner returns the ack while the listener goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.app import IDLE_TIMEOUT, build_engine
from bot.chat.engine import ChatEngine
from bot.chat.events import Event, Person
from bot.core import Core
from bot.i18n import choose_language, translator
from bot.observability.metrics import apology_sent
from bot.platforms import SLACK
from handlers.slack.inbound import Origin, action_event, command_event, is_from_a_person, message_event
from handlers.slack.outbound import Replier, SlackOutbound
from handlers.slack.people import Directory

log = logging.getLogger(__name__)

COMMAND = "/teachlog"
APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment; " \
          "if it keeps happening, tell your school's leader."

Ack = Callable[..., Awaitable[Any]]


class SlackAdapter:
    """The chat engine behind a Bolt app: payload in, event through the engine, replies out."""

    def __init__(self, core: Core, client: AsyncWebClient, *,
                 idle_timeout: dt.timedelta | float = IDLE_TIMEOUT) -> None:
        self.core, self.client = core, client
        self.directory = Directory(client)
        self.replier = Replier(client)
        self.engine: ChatEngine = build_engine(core, idle_timeout, SlackOutbound(self.replier))
        #: Extra answers before the engine's: (event, origin, trigger id) → handled. The modal and Home add theirs.
        self.interceptors: list[Callable[[Event, Origin, str | None], Awaitable[bool]]] = []
        #: What else to do once the engine's answer is out (the Home tab redraws after an entry changed).
        self.followers: list[Callable[[Event], Awaitable[None]]] = []

    def register(self, app: AsyncApp) -> None:
        app.command(COMMAND)(self.on_command)
        app.event("message")(self.on_message)
        app.action(re.compile(r"^choice-"))(self.on_tap)
        app.error(self.on_error)

    async def answer(self, event: Event, origin: Origin, trigger_id: str | None = None) -> None:
        try:
            for intercept in self.interceptors:
                if await intercept(event, origin, trigger_id):
                    return
            outcome = await self.engine.handle(event)
            await self.replier.render(origin, outcome)
            for follow in self.followers:
                await follow(event)
        except Exception:
            log.exception("a Slack event from %s could not be handled", origin.user_id)
            await self.apologise(event.person, origin)

    async def apologise(self, person: Person, origin: Origin) -> None:
        t = translator(choose_language(None, person.language_code, None))
        try:
            await self.replier.note(origin, t(APOLOGY))
            apology_sent(SLACK)
        except Exception as error:  # the failure being reported may be Slack itself
            log.warning("could not apologise to %s: %s", origin.user_id, error)

    async def on_command(self, ack: Ack, command: Mapping[str, Any]) -> None:
        await ack()
        person = await self.directory.person(str(command["user_id"]), command.get("user_name"))
        event, origin = command_event(command, person)
        await self.answer(event, origin, command.get("trigger_id"))

    async def on_message(self, event: Mapping[str, Any], body: Mapping[str, Any]) -> None:
        """Direct messages to the bot; messages in channels are not the bot's business."""
        if event.get("channel_type") != "im" or not is_from_a_person(event):
            return
        person = await self.directory.person(str(event["user"]))
        core_event, origin = message_event(event, person, body.get("event_id"))
        await self.answer(core_event, origin)

    async def on_tap(self, ack: Ack, body: Mapping[str, Any]) -> None:
        await ack()
        person = await self.directory.person(str(body["user"]["id"]), body["user"].get("username"))
        event, origin = action_event(body, person)
        await self.answer(event, origin, body.get("trigger_id"))

    async def on_error(self, error: Exception, body: Mapping[str, Any]) -> None:
        log.error("Bolt could not handle a request (%s)", type(error).__name__, exc_info=error)

    async def expire_idle(self) -> None:
        """Close idle conversations and tell their chats (run periodically)."""
        for address, outcome in await self.engine.expire_idle():
            if address.platform == SLACK:
                await self.replier.render(Origin(address.chat_id, address.chat_id), outcome)


def build_app(core: Core, client: AsyncWebClient, *, signing_secret: str | None,
              idle_timeout: dt.timedelta | float = IDLE_TIMEOUT,
              process_before_response: bool = False) -> tuple[AsyncApp, SlackAdapter]:
    """The Bolt app with teachlog's listeners; without a signing secret (Socket Mode) requests are not signed.

    `process_before_response` answers each request only when its listener is done (tests read the result then).
    """
    app = AsyncApp(client=client, signing_secret=signing_secret,
                   request_verification_enabled=signing_secret is not None,
                   process_before_response=process_before_response)
    adapter = SlackAdapter(core, client, idle_timeout=idle_timeout)
    adapter.register(app)
    from handlers.slack.forms import Forms  # forms build on the adapter defined here
    Forms(adapter).register(app)
    return app, adapter
