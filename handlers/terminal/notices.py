"""Scheduled messages in the terminal: a Messenger that prints, and the planner + delivery for the person at the
keyboard (their terminal chat's outbox rows only), run between the lines they type."""

from __future__ import annotations

from collections.abc import Callable

from bot.chat.actions import decode
from bot.chat.replies import Attachment, Choice, Outcome, Reply
from bot.core import Core
from bot.notifications.delivery import deliver_due
from bot.notifications.messenger import Buttons
from bot.notifications.notifier import worker_name
from bot.notifications.planning import Planner
from bot.notifications.weekly_facts import database_standing
from handlers.terminal.driver import PLATFORM, ChatDriver


def reply_of(text: str, buttons: Buttons | None, parse_mode: str | None, photo: bytes | None,
             photo_name: str | None) -> Reply:
    """A scheduled message as the core's Reply; buttons whose data the core cannot read are left out."""
    rows = []
    for row in buttons or ():
        choices = []
        for label, data in row:
            action = decode(data)
            if action is not None:
                choices.append(Choice(label, action))
        if choices:
            rows.append(tuple(choices))
    attachments = (Attachment(photo_name or "chart.png", photo, "image"),) if photo is not None else ()
    return Reply(text, tuple(rows), html=(parse_mode or "").upper() == "HTML", attachments=attachments)


class TerminalMessenger:
    """Delivers by showing the message as the latest one of the chat, so `#N` taps its buttons."""

    def __init__(self, driver: ChatDriver, show: Callable[[Outcome], None]) -> None:
        self.driver, self.show = driver, show

    async def send(self, chat_id: str, text: str, *, buttons: Buttons | None = None, parse_mode: str | None = None,
                   photo: bytes | None = None, photo_name: str | None = None) -> None:
        outcome = Outcome([reply_of(text, buttons, parse_mode, photo, photo_name)])
        self.driver.outcomes.append(outcome)
        self.show(outcome)


class Inbox:
    """Plans what is due now (for everyone, as any running bot would) and delivers what is due to this chat."""

    def __init__(self, core: Core, driver: ChatDriver, messenger: TerminalMessenger) -> None:
        self.core, self.driver, self.messenger = core, driver, messenger
        self.planner = Planner(core.db, database_standing(core.db))
        self.worker_id = worker_name("chat")

    async def check(self) -> int:
        """Plan, then deliver the due messages of this terminal chat; how many were shown."""
        await self.planner.plan(self.core.clock.now())
        report = await deliver_due(self.core.db, self.messenger, self.core.clock, self.worker_id,
                                   platform=PLATFORM, chat_id=self.driver.user_id)
        return report.sent
