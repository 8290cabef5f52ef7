"""The terminal port (:class:`bot.chat.port.ChatPort`) of `teachlog chat`: events typed by the person at the
keyboard (its session reads them line by line, so the port does not listen), messages shown as the latest of the
chat (so `#N` taps their buttons), and the planner and delivery run between the lines they type for their own
chat's outbox rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.app_context import AppContext
from bot.chat.events import ChatAddress, Event
from bot.chat.layout import Message
from bot.chat.platform_plugin import Capabilities
from bot.chat.replies import Outcome, Reply
from bot.chat.reply_path import ReplyPath
from bot.notifications.delivery import deliver_due
from bot.notifications.messenger import DeliveryError
from bot.notifications.notifier import worker_name
from bot.notifications.planning import Planner
from bot.notifications.weekly_facts import database_standing
from handlers.terminal.driver import PLATFORM, ChatDriver

#: A terminal shows any length, and buttons as numbered labels.
CAPABILITIES = Capabilities(text_length=1_000_000, caption_length=1_000_000, buttons_per_row=100, albums=True,
                            edits=False)


class TerminalPort:
    name = PLATFORM
    capabilities = CAPABILITIES

    def __init__(self, show: Callable[[Outcome], None], driver: ChatDriver | None = None) -> None:
        """`driver` keeps what was shown (its person's latest buttons); the session gives it once it has one."""
        self.show, self.driver = show, driver

    async def event_of(self, raw: Any) -> Event | None:
        return raw if isinstance(raw, Event) else None

    async def acknowledge(self, raw: Any, outcome: Outcome) -> None:
        """The popup, in brackets; a printed line cannot lose its buttons (`edits` is False)."""
        if outcome.popup:
            self.show(Outcome(popup=outcome.popup))

    async def send(self, chat: ChatAddress, message: Message) -> None:
        """Shown as the latest message of the chat, so `#N` taps its buttons."""
        outcome = Outcome([Reply(message.text, message.choices, message.html, message.attachments, message.keyboard)])
        if self.driver is not None:
            self.driver.outcomes.append(outcome)
        self.show(outcome)

    def delivery_error(self, error: Exception) -> DeliveryError | None:
        return None


class Inbox:
    """Plans what is due now (for everyone, as any running bot would) and delivers what is due to this chat."""

    def __init__(self, core: AppContext, port: TerminalPort, chat_id: str) -> None:
        self.core, self.port, self.chat_id = core, port, chat_id
        self.planner = Planner(core.db, database_standing(core.db))
        self.worker_id = worker_name("chat")

    async def check(self) -> int:
        """Plan, then deliver the due messages of this terminal chat; how many were shown."""
        await self.planner.plan(self.core.clock.now())
        report = await deliver_due(self.core.db, ReplyPath(self.port), self.core.clock, self.worker_id,
                                   platform=PLATFORM, chat_id=self.chat_id)
        return report.sent
