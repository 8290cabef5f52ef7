"""The chat core with an in-memory person on the other side: the driver `teachlog chat` uses, for flow tests."""

from __future__ import annotations

from bot.app_context import AppContext
from bot.chat.engine import ChatEngine
from bot.chat.engine_builder import build_engine
from bot.chat.replies import Outcome
from bot.clock import FixedClock
from bot.people.schools import CreatedSchool, create_invite, create_school
from bot.settings import Settings
from handlers.terminal.driver import ChatDriver
from storage.db import Database
from tests.support.accounts import member_with_account

PLATFORM = "terminal"


class ChatHarness:
    def __init__(self, db: Database, clock: FixedClock, *, idle_timeout: float | None = None) -> None:
        self.db, self.clock = db, clock
        self.core = AppContext(db=db, settings=Settings(_env_file=None), clock=clock)
        self.engine: ChatEngine = build_engine(self.core, idle_timeout) if idle_timeout is not None \
            else build_engine(self.core)
        self.school: CreatedSchool | None = None
        self._next_user = 5000

    async def create_school(self, name: str = "合川中学", *, language: str = "zh",
                            policy: str = "default") -> CreatedSchool:
        self.school = await create_school(self.db, name, language=language, policy=policy, now=self.clock.now())
        return self.school

    async def invite(self, role: str = "teacher", uses: int = 1) -> str:
        assert self.school is not None
        invite = await create_invite(self.db, self.school.school_id, role, uses=uses, now=self.clock.now())
        return invite.code

    def person(self, *, language_code: str | None = None, display_name: str | None = None,
               user_id: str | None = None, chat_id: str | None = None) -> ChatDriver:
        """Somebody new at the keyboard, in a private chat unless `chat_id` names a group."""
        if user_id is None:
            self._next_user += 1
            user_id = str(self._next_user)
        return ChatDriver(self.engine, user_id=user_id, platform=PLATFORM, chat_id=chat_id,
                          language_code=language_code, display_name=display_name)

    async def add_member(self, display_name: str, *, role: str = "teacher", language: str | None = None,
                         language_code: str | None = None) -> ChatDriver:
        """A member of the school, made directly in storage (not through the join flow), and their driver."""
        assert self.school is not None
        driver = self.person(language_code=language_code, display_name=display_name)
        await member_with_account(self.db, self.school.school_id, display_name, PLATFORM, driver.user_id,
                                  self.clock.now(), role=role, language=language)
        return driver

    def in_group(self, driver: ChatDriver, group_id: str) -> ChatDriver:
        """The same person writing in a group chat."""
        return ChatDriver(self.engine, user_id=driver.user_id, platform=driver.platform, chat_id=group_id,
                          language_code=driver.language_code, display_name=driver.display_name)

    async def join(self, driver: ChatDriver, role: str = "teacher") -> Outcome:
        """The person joins through the real /start flow with a new invite of `role` (the school's own for
        leaders); a driver without a full display name is then asked for one."""
        assert self.school is not None
        code = self.school.leader_invite if role == "leader" else await self.invite(role)
        return await driver.send(f"/start {code}")
