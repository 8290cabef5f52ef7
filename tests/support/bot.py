"""A running teachlog bot against the in-process Bot API, for end-to-end tests."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from telegram.ext import Application

from bot.app_context import AppContext
from bot.chat.conversations import KIND as ENGINE_KIND
from bot.chat.key_value_store import ChatStateStore
from bot.chat.reply_path import ReplyPath
from bot.chat.runtime import ROUND_BUDGET_SECONDS, Runtime
from bot.clock import FixedClock
from bot.notifications.notifier import Notifier, TickReport
from bot.notifications.weekly_facts import StandingSource, database_standing
from bot.people.schools import CreatedSchool, create_invite, create_school
from bot.platform_names import TELEGRAM
from bot.settings import Settings
from handlers.telegram.platform import build_application, introduce
from handlers.telegram.port import TelegramPort
from storage.db import Database
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage


@contextlib.asynccontextmanager
async def running_bot(core: AppContext, fake: FakeTelegram, *, polling: bool = False,
                      **runtime_options: Any) -> AsyncIterator[tuple[Application, Runtime]]:
    """The real Application handing updates to a runtime over the Telegram port, running against `fake`: the bot
    introduced (its @username kept, its menu set) and the runtime started, as `teachlog run` does; stopped on exit."""
    application = build_application(fake.token, request=fake.request,
                                    updates_request=fake.make_request("get_updates_request"), rate_limit=False)
    port = TelegramPort(application.bot, application)
    runtime = Runtime(core, port, **runtime_options)
    port.hand_updates_to(runtime)
    async with fake.running(application, polling=polling):
        port.username = await introduce(core.db, application.bot)
        await runtime.start()
        try:
            yield application, runtime
        finally:
            await runtime.stop()


class BotHarness:
    """The real Application wired to a FakeTelegram; `restart()` stops it gracefully and builds a new one."""

    def __init__(self, db: Database, clock: FixedClock, *, conversation_timeout: float | None = None) -> None:
        self.db, self.clock = db, clock
        self.fake = FakeTelegram(now=lambda: clock.now().timestamp())
        self.core = AppContext(db=db, settings=Settings(_env_file=None), clock=clock)
        self.conversation_timeout = conversation_timeout
        self.app: Application | None = None
        self.runtime: Runtime | None = None
        self.school: CreatedSchool | None = None
        self._stack: contextlib.AsyncExitStack | None = None

    async def start(self, *, polling: bool = False) -> None:
        self._stack = contextlib.AsyncExitStack()
        options = {} if self.conversation_timeout is None else {"idle_timeout": self.conversation_timeout}
        self.app, self.runtime = await self._stack.enter_async_context(
            running_bot(self.core, self.fake, polling=polling, **options))

    async def stop(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None

    async def restart(self, *, polling: bool = False) -> None:
        await self.stop()
        await self.start(polling=polling)

    async def create_school(self, name: str = "合川中学", *, language: str = "zh",
                            policy: str = "default") -> CreatedSchool:
        self.school = await create_school(self.db, name, language=language, policy=policy, now=self.clock.now())
        return self.school

    async def invite(self, role: str = "teacher", uses: int = 1) -> str:
        invite = await create_invite(self.db, self.school.school_id, role, uses=uses, now=self.clock.now())
        return invite.code

    async def join(self, user: FakeUser, role: str = "teacher") -> None:
        """Join through the real /start flow; the user's Telegram name must be a full name."""
        code = self.school.leader_invite if role == "leader" else await self.invite(role)
        await self.say(user, f"/start {code}")

    # --- talking ---------------------------------------------------------------------------

    async def say(self, user: FakeUser, text: str) -> list[SentMessage]:
        return await self.fake.say(self.app, user, text)

    async def tap(self, user: FakeUser, label: str, message: SentMessage | None = None) -> list[SentMessage]:
        """Tap a button of `message`, by default of the latest message with buttons."""
        return await self.fake.tap_button(self.app, user, label, message)

    def last_text(self, user: FakeUser) -> str:
        return self.fake.last_to(user.id).text

    def buttons(self, user: FakeUser) -> list[str]:
        return [text for text, _ in self.fake.last_to(user.id).inline_buttons]

    async def saved_conversation(self, name: str, user: FakeUser) -> tuple[str | None, dict]:
        """A private chat's step in the chat core's conversation `name` and its data, as a restarted bot finds them."""
        store = ChatStateStore(self.db)
        engine_key = json.dumps([TELEGRAM, str(user.id), str(user.id)])
        engine_state = (await store.load(ENGINE_KIND)).get(engine_key) or {}
        if engine_state.get("flow") == name:  # a flow of the chat core: its step and its data
            return engine_state.get("step"), engine_state.get("data") or {}
        return None, {}

    def errors(self) -> list[BaseException]:
        return self.fake.handler_errors


def messenger_of(telegram_bot) -> ReplyPath:
    """The reply path over a Telegram port on `telegram_bot`: what delivers the outbox's rows."""
    return ReplyPath(TelegramPort(telegram_bot))


class NotificationRounds:
    """The notification round the runtime schedules every minute in `teachlog run`, against the harness's
    current Application (whichever a restart built)."""

    def __init__(self, core: AppContext, standing: StandingSource | None = None) -> None:
        self.notifier = Notifier(core.db, core.clock, standing or database_standing(core.db), "bot:test",
                                 platform=TELEGRAM)

    async def tick(self, runtime: Runtime | None) -> TickReport:
        assert runtime is not None
        return await self.notifier.tick(runtime.replies, budget_seconds=ROUND_BUDGET_SECONDS)
