"""`teachlog chat`'s loop: read a line, send it (or tap `#N`), print the answer, show what became due."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.chat.caller import caller_of
from bot.chat.events import Person
from bot.core import Core
from handlers.terminal.driver import TAP, ChatDriver, NoSuchButton
from handlers.terminal.notices import Inbox
from handlers.terminal.screen import Screen


class ChatSession:
    def __init__(self, core: Core, driver: ChatDriver, screen: Screen, inbox: Inbox, *, echo: bool) -> None:
        """`echo` repeats each line read (`> line`), so a piped script's output reads as a conversation."""
        self.core, self.driver, self.screen, self.inbox, self.echo = core, driver, screen, inbox, echo

    async def run(self, lines: Iterable[str], prompt: Callable[[], None] = lambda: None) -> None:
        """Until the lines run out: scheduled messages due are shown before each line and after the last."""
        await self.inbox.check()
        prompt()
        for raw in lines:
            line = raw.rstrip("\r\n")
            if line.strip():
                if self.echo:
                    self.screen.out(f"> {line}")
                await self.send(line)
            await self.inbox.check()
            prompt()

    async def send(self, line: str) -> None:
        try:
            outcome = await self.driver.send(line)
        except NoSuchButton:
            self.screen.out(await self.no_such_button(line))
            return
        self.screen.show(outcome)

    async def no_such_button(self, line: str) -> str:
        """One line, in the person's language: which buttons there are to tap."""
        driver = self.driver
        person = Person(driver.platform, driver.user_id, driver.language_code, driver.display_name, driver.username)
        t = (await caller_of(self.core, person)).t
        count = len(self.driver.latest_choices())
        match = TAP.match(line.strip())
        number = int(match.group(1)) if match else 0
        if count == 0:
            return t("There is no button to tap: the latest message has none.")
        return t("There is no button #{number}: tap #1 to #{count}.", number=number, count=count)
