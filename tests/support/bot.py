"""A running teachlog bot against the in-process Bot API, for end-to-end tests."""

from __future__ import annotations

import contextlib
import json

from bot.app_context import AppContext
from bot.chat.conversations import KIND as ENGINE_KIND
from bot.chat.key_value_store import ChatStateStore
from bot.chat.reply_path import ReplyPath
from bot.chat.runtime import ROUND_BUDGET_SECONDS
from bot.clock import FixedClock
from bot.notifications.notifier import Notifier, TickReport
from bot.notifications.weekly_facts import StandingSource, database_standing
from bot.people.schools import CreatedSchool, create_invite, create_school
from bot.platform_names import TELEGRAM
from bot.settings import Settings
from handlers.telegram.port import TelegramPort
from handlers.telegram.runtime import RuntimeApplication, build_application
from storage.db import Database
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage


class BotHarness:
    """The real Application wired to a FakeTelegram; `restart()` stops it gracefully and builds a new one."""

    def __init__(self, db: Database, clock: FixedClock, *, conversation_timeout: float | None = None) -> None:
        self.db, self.clock = db, clock
        self.fake = FakeTelegram(now=lambda: clock.now().timestamp())
        self.core = AppContext(db=db, settings=Settings(_env_file=None), clock=clock)
        self.conversation_timeout = conversation_timeout
        self.app = None
        self.school: CreatedSchool | None = None
        self._stack: contextlib.AsyncExitStack | None = None

    def build(self):
        kwargs = {}
        if self.conversation_timeout is not None:
            kwargs["conversation_timeout"] = self.conversation_timeout
        return build_application(self.core, self.fake.token, request=self.fake.request,
                                 updates_request=self.fake.make_request("get_updates_request"),
                                 rate_limit=False, **kwargs)

    async def start(self, *, polling: bool = False) -> None:
        self._stack = contextlib.AsyncExitStack()
        self.app = self.build()
        await self._stack.enter_async_context(self.fake.running(self.app, polling=polling))
        # Application.run_polling() calls post_init after initialize(); the harness starts the
        # pieces itself, so it calls it too.
        await self.app.post_init(self.app)

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

    async def tick(self, application: RuntimeApplication) -> TickReport:
        return await self.notifier.tick(application.runtime.replies, budget_seconds=ROUND_BUDGET_SECONDS)
