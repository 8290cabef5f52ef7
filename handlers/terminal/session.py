"""`teachlog chat`'s loop: read a line, send it (or tap `#N`), print the answer, show what became due."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.app_context import AppContext
from bot.chat.caller import caller_of
from bot.chat.events import Person, Tap
from bot.chat.runtime import Runtime
from handlers.terminal.driver import TAP, ChatDriver, parse_line
from handlers.terminal.port import Inbox, TerminalPort
from handlers.terminal.screen import Screen


class ChatSession:
    """The person at the keyboard talking to the runtime over the terminal port."""

    def __init__(self, core: AppContext, screen: Screen, *, echo: bool, user_id: str,
                 language_code: str | None = None) -> None:
        """`echo` repeats each line read (`> line`), so a piped script's output reads as a conversation."""
        self.core, self.screen, self.echo = core, screen, echo
        self.port = TerminalPort(screen.show)
        self.runtime = Runtime(core, self.port)
        self.driver = ChatDriver(self.runtime.engine, user_id=user_id, language_code=language_code)
        self.port.driver = self.driver
        self.inbox = Inbox(core, self.port, user_id)

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
        await self.runtime.engine.settled()  # a report announced to follow is shown before the session ends

    async def send(self, line: str) -> None:
        """The line as the person's event, through the runtime; `#N` taps button N of the latest message."""
        tap = TAP.match(line.strip())
        if tap is None:
            await self.runtime.receive(self.driver.event(parse_line(line)), "a line")
            return
        choices = self.driver.latest_choices()
        number = int(tap.group(1))
        if not 1 <= number <= len(choices):
            self.screen.out(await self.no_such_button(line))
            return
        await self.runtime.receive(self.driver.event(Tap(choices[number - 1].data)), "a tap")

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
        if count == 1:
            return t("There is no button #{number}: the latest message has one, #1.", number=number)
        return t("There is no button #{number}: tap #1 to #{count}.", number=number, count=count)
