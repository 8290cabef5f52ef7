"""One fixture per installed platform, each driving the real adapter through its fake, behind the same few verbs.

The contract tests (`test_conversations.py`) script conversations with these
verbs only, so each runs the same on Telegram, Slack and the terminal.
A platform adds its class here and its name to PLATFORMS; nothing else.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from bot.app_context import AppContext
from bot.chat.events import ChatAddress, Tap
from bot.chat.layout import Message
from bot.chat.runtime import Runtime
from bot.clock import FixedClock
from bot.notifications.delivery import deliver_due
from bot.notifications.messenger import RetryLater
from bot.people.schools import CreatedSchool, create_invite, create_school
from bot.platform_names import DINGTALK, SLACK, TELEGRAM
from bot.settings import Settings
from handlers.terminal.driver import PLATFORM as TERMINAL
from handlers.terminal.driver import ChatDriver, parse_line
from handlers.terminal.port import TerminalPort
from storage.db import Database
from tests.slack.conftest import SlackHarness
from tests.support.bot import BotHarness
from tests.support.dingtalk_chat import DingTalkChat, shown_text
from tests.support.fake_dingtalk import PATH_BATCH, PATH_GROUP, PATH_WEBHOOK, FakeDingTalk, Received
from tests.support.fake_dingtalk import serve as serve_dingtalk
from tests.support.fake_slack import FakeSlack, buttons_of, serve

#: The people of the scripts: a display name each, all with English apps.
PEOPLE = {"li": "Li Lei", "boss": "Zhang Hua"}


class Chats:
    """What every platform's fixture offers the scripts."""

    name: str
    db: Database
    clock: FixedClock
    school: CreatedSchool
    runtime: Runtime

    async def invite(self, role: str = "teacher") -> str:
        if role == "leader":
            return self.school.leader_invite
        return (await create_invite(self.db, self.school.school_id, role, uses=1, now=self.clock.now())).code

    async def say(self, who: str, text: str) -> None:
        """`who` types `text` in their direct chat with the bot (a /command as the platform types it)."""
        raise NotImplementedError

    async def say_in_group(self, who: str, text: str) -> None:
        raise NotImplementedError

    async def tap(self, who: str, label: str) -> Any:
        """Tap the button `label` of the latest message in `who`'s chat that has it; a handle to tap it again."""
        raise NotImplementedError

    async def tap_again(self, who: str, handle: Any) -> None:
        """Tap the same button of the same (by now older) message again."""
        raise NotImplementedError

    def texts(self, who: str) -> list[str]:
        """The texts `who` has been shown in their direct chat, oldest first."""
        raise NotImplementedError

    def group_texts(self) -> list[str]:
        raise NotImplementedError

    def rate_limit_next_reply(self, who: str) -> None:
        """The platform answers the next message to `who` with its flood wait (429, Retry-After)."""
        raise NotImplementedError

    def answered_normally(self) -> bool:
        """The last request was answered as the platform expects (no error, no unhandled request)."""
        raise NotImplementedError

    async def deliver_due(self) -> None:
        """Deliver what the outbox holds for this platform, through the runtime's reply path."""
        await deliver_due(self.db, self.runtime.replies, self.clock, "contract", platform=self.name)


class TelegramChats(Chats):
    name = TELEGRAM
    GROUP = -100777

    def __init__(self, harness: BotHarness) -> None:
        self.harness, self.db, self.clock = harness, harness.db, harness.clock
        self.fake = harness.fake
        self.users = {who: self.fake.user(1000 + i, *name.split(), language_code="en")
                      for i, (who, name) in enumerate(PEOPLE.items())}
        self.errors_before = 0

    @property
    def runtime(self) -> Runtime:  # type: ignore[override]
        assert self.harness.runtime is not None
        return self.harness.runtime

    async def say(self, who: str, text: str) -> None:
        self.errors_before = len(self.harness.errors())
        await self.harness.say(self.users[who], text)

    async def say_in_group(self, who: str, text: str) -> None:
        await self.fake.send(self.harness.app, self.fake.group_text(self.users[who], self.GROUP, text))

    async def tap(self, who: str, label: str) -> Any:
        user = self.users[who]
        message = next(m for m in reversed(self.fake.messages_to(user.id))
                       if label in [text for text, _ in m.inline_buttons])
        data = dict(message.inline_buttons)[label]
        await self.harness.tap(user, label, message)
        return message, data

    async def tap_again(self, who: str, handle: Any) -> None:
        message, data = handle
        await self.fake.send(self.harness.app, self.fake.tap(self.users[who], message, data))

    def texts(self, who: str) -> list[str]:
        return [m.text or "" for m in self.fake.messages_to(self.users[who].id)]

    def group_texts(self) -> list[str]:
        return [text or "" for text in self.fake.texts_to(self.GROUP)]

    def rate_limit_next_reply(self, who: str) -> None:
        self.fake.fail_next("sendMessage", kind="retry_after", chat_id=self.users[who].id, retry_after=0.05)

    def answered_normally(self) -> bool:
        return len(self.harness.errors()) == self.errors_before


class SlackChats(Chats):
    name = SLACK
    CHANNEL = "C0STAFF"

    def __init__(self, harness: SlackHarness) -> None:
        self.harness, self.db, self.clock, self.fake = harness, harness.db, harness.clock, harness.fake
        self.runtime = harness.runtime
        self.users = {who: f"U0{who.upper()}" for who in PEOPLE}
        for who, name in PEOPLE.items():
            self.fake.user(self.users[who], name, locale="en-US")
        self.status = 200

    @staticmethod
    def subcommand(text: str) -> str:
        """"/start CODE" as Slack people type it: `/teachlog join CODE`."""
        name, _, args = text.lstrip("/").partition(" ")
        return f"{'join' if name == 'start' else name} {args}".strip()

    async def say(self, who: str, text: str) -> None:
        if text.startswith("/"):
            self.status, _ = await self.harness.command(self.users[who], self.subcommand(text))
        else:
            self.status, _ = await self.harness.dm(self.users[who], text)

    async def say_in_group(self, who: str, text: str) -> None:
        self.status, _ = await self.harness.command(self.users[who], self.subcommand(text), channel_id=self.CHANNEL,
                                                    channel_name="staff")

    async def tap(self, who: str, label: str) -> Any:
        user = self.users[who]
        for number, post in reversed(list(enumerate(self.fake.posts_to(user)))):
            values = dict(buttons_of(post))
            if label in values:
                message = {"ts": f"1.{number:06d}", "text": post["text"], "blocks": post["blocks"]}
                handle = (values[label], message)
                await self.tap_again(who, handle)
                return handle
        raise AssertionError(f"no button {label!r} for {who}")

    async def tap_again(self, who: str, handle: Any) -> None:
        value, message = handle
        self.status, _ = await self.harness.tap(self.users[who], value, channel_id="D" + self.users[who],
                                                message=message)

    def texts(self, who: str) -> list[str]:
        return self.fake.delivered_texts_to(self.users[who])

    def group_texts(self) -> list[str]:
        return self.fake.channel_texts()

    def rate_limit_next_reply(self, who: str) -> None:
        self.fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=1)

    def answered_normally(self) -> bool:
        return self.status == 200


class DingTalkChats(Chats):
    """A tap on DingTalk is the member's client sending the button's text; DingTalk cannot edit a sent message,
    so a stale button stays and the engine refuses its text."""

    name = DINGTALK
    GROUP = "cidGroupStaff"

    def __init__(self, harness: DingTalkChat) -> None:
        self.harness, self.db, self.clock, self.fake = harness, harness.db, harness.clock, harness.fake
        self.runtime = harness.runtime
        self.users = {who: f"staff{who}" for who in PEOPLE}
        #: Each session webhook's chat, by its session (a staff id, or the group), as the messages that carried it said.
        self.sessions: dict[str, str] = {}
        self.status_ok = True

    async def _send(self, who: str, text: str, *, group: bool = False) -> None:
        content = f" @teachlog {text}" if group else f" {text}"
        message = self.fake.chatbot_message(content, sender=self.users[who], nick=PEOPLE[who], group=group,
                                            conversation_id=self.GROUP if group else "")
        self.sessions[message["sessionWebhook"].rpartition("session=")[2]] = self.GROUP if group else self.users[who]
        before = len(self.harness.sent())
        try:
            await self.harness.deliver(message, before)
        except Exception:
            self.status_ok = False
            raise

    async def say(self, who: str, text: str) -> None:
        self.status_ok = True
        await self._send(who, text)

    async def say_in_group(self, who: str, text: str) -> None:
        await self._send(who, text, group=True)

    async def tap(self, who: str, label: str) -> Any:
        text = next(found for chat, received in reversed(self.delivered()) if chat == self.users[who]
                    and (found := self.harness.button_text_in(received, label)) is not None)
        await self.tap_again(who, text)
        return text

    async def tap_again(self, who: str, handle: Any) -> None:
        await self._send(who, handle)

    def chat_of(self, received: Received) -> str:
        if received.path == PATH_BATCH:
            return str(received.body["userIds"][0])
        if received.path == PATH_GROUP:
            return str(received.body["openConversationId"])
        return self.sessions[received.query["session"]]

    def delivered(self) -> list[tuple[str, Received]]:
        return [(self.chat_of(received), received) for received in self.harness.sent() if not received.failed]

    def texts(self, who: str) -> list[str]:
        return [shown_text(received) for chat, received in self.delivered() if chat == self.users[who]]

    def group_texts(self) -> list[str]:
        return [shown_text(received) for chat, received in self.delivered() if chat == self.GROUP]

    def rate_limit_next_reply(self, who: str) -> None:
        self.fake.throttle(PATH_WEBHOOK)

    def answered_normally(self) -> bool:
        return self.status_ok and not any(received.failed for received in self.harness.sent()[-1:])


class FloodingTerminalPort(TerminalPort):
    """The terminal port, keeping what each chat was shown; it has no rate limit, so the script can give it one."""

    def __init__(self) -> None:
        super().__init__(show=lambda outcome: None)
        self.shown: list[tuple[ChatAddress, Message]] = []
        self.flood_once: set[str] = set()

    async def send(self, chat: ChatAddress, message: Message) -> None:
        if chat.chat_id in self.flood_once:
            self.flood_once.discard(chat.chat_id)
            raise RetryLater(0.01, "terminal: slow down")
        self.shown.append((chat, message))


class TerminalChats(Chats):
    name = TERMINAL
    GROUP = "group-1"

    def __init__(self, core: AppContext, school: CreatedSchool) -> None:
        self.db, self.clock, self.school = core.db, core.clock, school  # type: ignore[assignment]
        self.port = FloodingTerminalPort()
        self.runtime = Runtime(core, self.port)
        self.drivers = {who: ChatDriver(self.runtime.engine, user_id=str(2000 + i), language_code="en",
                                        display_name=name) for i, (who, name) in enumerate(PEOPLE.items())}
        self.failed: BaseException | None = None

    async def _receive(self, driver: ChatDriver, body) -> None:
        try:
            await self.runtime.receive(driver.event(body))
        except BaseException as error:  # the runtime promises never to raise; the script checks it
            self.failed = error

    async def say(self, who: str, text: str) -> None:
        await self._receive(self.drivers[who], parse_line(text))

    async def say_in_group(self, who: str, text: str) -> None:
        driver = self.drivers[who]
        in_group = ChatDriver(self.runtime.engine, user_id=driver.user_id, chat_id=self.GROUP,
                              language_code=driver.language_code, display_name=driver.display_name)
        await self._receive(in_group, parse_line(text))

    async def tap(self, who: str, label: str) -> Any:
        chat_id = self.drivers[who].user_id
        for chat, message in reversed(self.port.shown):
            choices = {choice.label: choice.data for row in message.choices for choice in row}
            if chat.chat_id == chat_id and label in choices:
                await self.tap_again(who, choices[label])
                return choices[label]
        raise AssertionError(f"no button {label!r} for {who}")

    async def tap_again(self, who: str, handle: Any) -> None:
        await self._receive(self.drivers[who], Tap(handle))

    def _texts_in(self, chat_id: str) -> list[str]:
        return [message.text for chat, message in self.port.shown if chat.chat_id == chat_id]

    def texts(self, who: str) -> list[str]:
        return self._texts_in(self.drivers[who].user_id)

    def group_texts(self) -> list[str]:
        return self._texts_in(self.GROUP)

    def rate_limit_next_reply(self, who: str) -> None:
        self.port.flood_once.add(self.drivers[who].user_id)

    def answered_normally(self) -> bool:
        return self.failed is None


PLATFORMS = [TELEGRAM, SLACK, TERMINAL, DINGTALK]


@contextlib.asynccontextmanager
async def started(harness: BotHarness | SlackHarness) -> AsyncIterator[None]:
    await harness.create_school(language="en")
    await harness.start()
    try:
        yield
    finally:
        await harness.stop()


@contextlib.asynccontextmanager
async def chats_on(platform: str, db: Database, clock: FixedClock) -> AsyncIterator[Chats]:
    """The platform's fixture with an English school, running."""
    chats: Chats
    if platform == TELEGRAM:
        bot = BotHarness(db, clock)
        async with started(bot):
            chats = TelegramChats(bot)
            chats.school = bot.school  # type: ignore[assignment]
            yield chats
    elif platform == SLACK:
        fake = FakeSlack()
        async with serve(fake) as api_url:
            slack = SlackHarness(db, clock, fake, api_url)
            async with started(slack):
                chats = SlackChats(slack)
                chats.school = slack.school  # type: ignore[assignment]
                yield chats
    elif platform == DINGTALK:
        fake_dingtalk = FakeDingTalk()
        async with serve_dingtalk(fake_dingtalk):
            dingtalk = DingTalkChat(db, clock, fake_dingtalk)
            await dingtalk.start()
            try:
                chats = DingTalkChats(dingtalk)
                chats.school = await create_school(db, "合川中学", language="en", now=clock.now())
                yield chats
            finally:
                await dingtalk.stop()
    else:
        core = AppContext(db=db, settings=Settings(_env_file=None), clock=clock)
        chats = TerminalChats(core, await create_school(db, "合川中学", language="en", now=clock.now()))
        yield chats
