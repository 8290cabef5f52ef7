"""The real Bolt app, served over HTTP, against the local Slack Web API; signed requests stand in for Slack."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.app_context import AppContext
from bot.chat.runtime import Runtime
from bot.clock import FixedClock
from bot.people.schools import CreatedSchool, create_school
from bot.platform_names import SLACK
from bot.settings import Settings
from handlers.slack.platform import build_app
from handlers.slack.port import SlackPort
from storage.db import Database
from tests.support.accounts import member_with_account
from tests.support.fake_slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    buttons_of,
    command_body,
    event_body,
    interactive_body,
    serve,
    signed_headers,
    tap_payload,
)


class SlackHarness:
    def __init__(self, db: Database, clock: FixedClock, fake: FakeSlack, api_url: str) -> None:
        self.db, self.clock, self.fake = db, clock, fake
        settings = Settings(_env_file=None, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=api_url,  # type: ignore[call-arg]
                            SLACK_SIGNING_SECRET=SIGNING_SECRET)
        self.core = AppContext(db=db, settings=settings, clock=clock)
        self.client = AsyncWebClient(token=BOT_TOKEN, base_url=api_url)
        port = SlackPort(self.client)
        # The fake Slack sets no pace: its replies are not spaced a second apart.
        port.capabilities = dataclasses.replace(port.capabilities, seconds_per_chat_message=0.0)
        self.runtime = Runtime(self.core, port)
        self.app = build_app(port, self.runtime, signing_secret=SIGNING_SECRET, process_before_response=True)
        self.school: CreatedSchool | None = None
        self.url = ""
        self._runner: web.AppRunner | None = None
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app.web_app(path="/slack/events"))
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/slack/events"
        self.session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self.session is not None:
            await self.session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def create_school(self, name: str = "合川中学", *, language: str = "zh",
                            policy: str = "default") -> CreatedSchool:
        self.school = await create_school(self.db, name, language=language, policy=policy, now=self.clock.now())
        return self.school

    async def add_member(self, user_id: str, display_name: str, *, role: str = "teacher",
                         language: str | None = None, locale: str = "en-US") -> int:
        """A Slack user who is a member of the school (made in storage, not through joining); their member id."""
        assert self.school is not None
        self.fake.user(user_id, display_name, locale=locale)
        member = await member_with_account(self.db, self.school.school_id, display_name, SLACK, user_id,
                                           self.clock.now(), role=role, language=language)
        return member.id

    async def post(self, body: str, content_type: str = "application/x-www-form-urlencoded",
                   headers: dict[str, str] | None = None) -> tuple[int, str]:
        assert self.session is not None
        async with self.session.post(self.url, data=body.encode(),
                                     headers=headers or signed_headers(body, content_type=content_type)) as response:
            return response.status, await response.text()

    async def command(self, user_id: str, text: str, **where: str) -> tuple[int, str]:
        """`/teachlog text` typed by the user, in their DM with the bot unless `channel_id=` says otherwise."""
        return await self.post(command_body(user_id, text, **where))

    async def dm(self, user_id: str, text: str, **extra: Any) -> tuple[int, str]:
        event = {"type": "message", "channel_type": "im", "channel": "D" + user_id, "user": user_id,
                 "text": text, "ts": "1700000000.000100", **extra}
        return await self.post(event_body(event), "application/json")

    async def tap(self, user_id: str, value: str, **where: Any) -> tuple[int, str]:
        return await self.post(interactive_body(tap_payload(user_id, value, **where)))

    async def tap_label(self, user_id: str, label: str, *, chat: str | None = None) -> tuple[int, str]:
        """The user taps the button `label` of the latest message that has it, in their DM unless `chat` says."""
        chat = chat or user_id
        for number, post in reversed(list(enumerate(self.fake.posts_to(chat)))):
            values = dict(buttons_of(post))
            if label in values:
                message = {"ts": f"1.{number:06d}", "text": post["text"], "blocks": post["blocks"]}
                channel = "D" + user_id if chat == user_id else chat
                return await self.tap(user_id, values[label], channel_id=channel, message=message)
        raise AssertionError(f"no button {label!r} in {chat}: {[buttons_of(p) for p in self.fake.posts_to(chat)]}")

    async def interact(self, payload: dict[str, Any]) -> tuple[int, str]:
        return await self.post(interactive_body(payload))

    def event(self, event: dict[str, Any]) -> str:
        return json.dumps(event)


@pytest.fixture
async def slack(db, clock):
    fake = FakeSlack()
    async with serve(fake) as api_url:
        harness = SlackHarness(db, clock, fake, api_url)
        await harness.create_school(language="en")
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()
