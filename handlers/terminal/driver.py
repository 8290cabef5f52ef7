"""An in-memory person talking to the chat engine: lines in, replies out, `#N` taps button N of the latest message.

`teachlog chat` is this driver reading stdin; the tests drive flows with it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.chat.engine import ChatEngine
from bot.chat.events import Body, ChatAddress, Command, Event, Person, Tap, Text, Upload, Voice
from bot.chat.replies import Outcome, Reply

PLATFORM = "terminal"
TAP = re.compile(r"^#(\d+)$")
COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@\S+)?(?:\s+(.*))?$", re.DOTALL)


class NoSuchButton(LookupError):
    pass


def parse_line(line: str) -> Command | Text:
    """A `/command args` line is a command; anything else is text."""
    match = COMMAND.match(line.strip())
    if match:
        return Command(match.group(1).lower(), (match.group(2) or "").strip())
    return Text(line)


@dataclass
class ChatDriver:
    """One person in one chat with the engine (a private chat unless `chat_id` names a group)."""

    engine: ChatEngine
    user_id: str = "1"
    platform: str = PLATFORM
    chat_id: str | None = None
    language_code: str | None = None
    display_name: str | None = None
    username: str | None = None
    #: Every outcome so far, oldest first.
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def private(self) -> bool:
        return self.chat_id is None or self.chat_id == self.user_id

    def event(self, body: Body) -> Event:
        person = Person(self.platform, self.user_id, self.language_code, self.display_name, self.username)
        chat = ChatAddress(self.platform, self.chat_id or self.user_id)
        return Event(chat, person, body, private=self.private)

    async def send(self, line: str) -> Outcome:
        """A line as a person types it: `#N` taps button N of the latest message with buttons."""
        tap = TAP.match(line.strip())
        if tap:
            return await self.tap(int(tap.group(1)))
        return await self.deliver(parse_line(line))

    async def tap(self, number: int) -> Outcome:
        choices = self.latest_choices()
        if not 1 <= number <= len(choices):
            raise NoSuchButton(f"the latest message has {len(choices)} buttons, not #{number}")
        return await self.deliver(Tap(choices[number - 1].data))

    async def tap_label(self, label: str) -> Outcome:
        """Tap the button of the latest message whose label contains `label`."""
        for number, choice in enumerate(self.latest_choices(), 1):
            if label in choice.label:
                return await self.tap(number)
        raise NoSuchButton(f"no button {label!r} in {[c.label for c in self.latest_choices()]}")

    async def upload(self, name: str, data: bytes, caption: str = "") -> Outcome:
        return await self.deliver(Upload(name, data, caption))

    async def voice(self, recognition: str | None, duration_seconds: float | None = None) -> Outcome:
        """A voice message, with the words the platform recognised in it (None when it recognised none)."""
        return await self.deliver(Voice(recognition, duration_seconds))

    async def deliver(self, body: Body) -> Outcome:
        outcome = await self.engine.handle(self.event(body))
        self.outcomes.append(outcome)
        return outcome

    def latest_choices(self):
        for outcome in reversed(self.outcomes):
            for reply in reversed(outcome.replies):
                if reply.choices:
                    return reply.all_choices
        return []

    @property
    def replies(self) -> list[Reply]:
        return [reply for outcome in self.outcomes for reply in outcome.replies]

    @property
    def last_text(self) -> str:
        texts = [reply.text for reply in self.replies if reply.text]
        return texts[-1] if texts else ""
