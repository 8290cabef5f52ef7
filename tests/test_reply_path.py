"""One path for every reply: rate limits waited out so a message arrives once, the platform's errors named for the
outbox, a conversation reply that cannot be delivered never raised into the request that caused it; tapped
buttons are taken away only where the platform can edit a message."""

from __future__ import annotations

import asyncio
import dataclasses

import aiohttp
import pytest

from bot.app_context import AppContext
from bot.chat.events import ChatAddress, Command, Event, Person
from bot.chat.layout import Message
from bot.chat.platform_plugin import Capabilities
from bot.chat.replies import Outcome, Reply
from bot.chat.reply_path import LONGEST_WAIT, ReplyPath
from bot.chat.runtime import PortOutbound, Runtime
from bot.notifications.messenger import DeliveryError, RetryLater, TransientFailure

CHAT = ChatAddress("fake", "7")


class PlatformDown(Exception):
    pass


class FakePort:
    """Shows messages in memory; `refusals` are raised, one a call, before anything is shown."""

    name = "fake"
    capabilities = Capabilities(text_length=5, caption_length=5, buttons_per_row=2, albums=False)

    def __init__(self, *refusals: Exception) -> None:
        self.refusals, self.shown = list(refusals), []

    async def send(self, chat: ChatAddress, message: Message) -> None:
        if self.refusals:
            raise self.refusals.pop(0)
        self.shown.append(message.text)

    def delivery_error(self, error: Exception) -> DeliveryError | None:
        return TransientFailure(str(error)) if isinstance(error, PlatformDown) else None


def path_over(port: FakePort, waited: list[float]) -> ReplyPath:
    async def sleep(seconds: float) -> None:
        waited.append(seconds)
    return ReplyPath(port, sleep=sleep)  # type: ignore[arg-type]


async def test_a_conversation_reply_waits_out_the_flood_wait_and_arrives_once():
    port, waited = FakePort(RetryLater(2), RetryLater(3)), []
    assert await path_over(port, waited).answer(CHAT, Reply("hello"))
    assert (port.shown, waited) == (["hello"], [2, 3])


async def test_messages_to_one_chat_are_spaced_by_the_platforms_pace_and_other_chats_are_not_held_up():
    port, waited = FakePort(), []
    port.capabilities = dataclasses.replace(port.capabilities, seconds_per_chat_message=1.0)  # type: ignore[misc]
    path = path_over(port, waited)
    await path.answer(CHAT, Reply("one"))
    await path.answer(ChatAddress("fake", "8"), Reply("other"))
    assert waited == []
    await path.send("7", Reply("two"))
    assert port.shown == ["one", "other", "two"] and waited == [pytest.approx(1.0, abs=0.5)]


async def test_a_conversation_reply_that_cannot_be_delivered_is_reported_not_raised():
    port, waited = FakePort(PlatformDown("503")), []
    assert not await path_over(port, waited).answer(CHAT, Reply("hello"))
    assert not await path_over(FakePort(RetryLater(LONGEST_WAIT + 1)), waited).answer(CHAT, Reply("hello"))
    assert waited == [], "a wait longer than the longest is not sat through"


async def test_a_scheduled_message_hands_a_first_flood_wait_to_the_outbox_but_finishes_one_already_begun():
    port, waited = FakePort(RetryLater(4)), []
    with pytest.raises(RetryLater):
        await path_over(port, waited).send("7", Reply("one\ntwo"))
    assert port.shown == []
    port = FakePort()
    path = path_over(port, waited)
    original = port.send

    async def refuse_the_second(chat: ChatAddress, message: Message) -> None:
        if port.shown and not waited:
            raise RetryLater(1)
        await original(chat, message)
    port.send = refuse_the_second  # type: ignore[method-assign]
    await path.send("7", Reply("one\ntwo"))
    assert (port.shown, waited) == (["one", "two"], [1])


async def test_the_platforms_errors_are_named_for_the_outbox_and_bugs_are_raised_as_they_are():
    with pytest.raises(TransientFailure):
        await path_over(FakePort(PlatformDown("503")), []).send("7", Reply("hi"))
    with pytest.raises(ZeroDivisionError):
        await path_over(FakePort(ZeroDivisionError()), []).send("7", Reply("hi"))


@pytest.mark.parametrize("failure", [aiohttp.ClientConnectionError("reset by peer"), asyncio.TimeoutError(),
                                     ConnectionRefusedError(111, "refused")])
async def test_a_failed_connection_is_tried_again_later_on_a_platform_that_names_only_its_own_errors(failure):
    with pytest.raises(TransientFailure, match=r"^fake: "):
        await path_over(FakePort(failure), []).send("7", Reply("hi"))
    port, waited = FakePort(failure), []
    assert not await path_over(port, waited).answer(CHAT, Reply("hi")), "a conversation reply is reported, not raised"
    with pytest.raises(TransientFailure, match=r"^fake: "):
        await path_over(FakeBatchPort(failure), []).send_many(["7", "8"], Reply("hi"))


class FakeBatchPort(FakePort):
    """Shows one message in several chats with one call (as DingTalk's batchSend), `refusals` one a call."""

    capabilities = dataclasses.replace(FakePort.capabilities, batch_size=20)

    async def send_many(self, chat_ids, message: Message) -> dict:
        if self.refusals:
            raise self.refusals.pop(0)
        self.shown.extend(f"{chat_id}: {message.text}" for chat_id in chat_ids)
        return {}

    def reachable_free(self) -> list[str]:
        return []

    # The rest of the port (a BatchPort is recognised by all of it); the reply path calls none of these.
    async def event_of(self, raw) -> None: ...
    async def acknowledge(self, raw, outcome) -> None: ...


async def test_a_batch_waits_out_a_slow_down_after_its_first_part_and_arrives_once():
    port, waited = FakeBatchPort(), []
    path = path_over(port, waited)
    original = port.send_many

    async def refuse_the_second(chat_ids, message: Message) -> dict:
        if port.shown and not waited:
            raise RetryLater(2)
        return await original(chat_ids, message)
    port.send_many = refuse_the_second  # type: ignore[method-assign]
    assert await path.send_many(["7", "8"], Reply("one\ntwo")) == {}
    assert (port.shown, waited) == (["7: one", "8: one", "7: two", "8: two"], [2])


class NoEditsPort(FakePort):
    capabilities = Capabilities(text_length=50, caption_length=50, buttons_per_row=2, albums=False,
                                edits=False)

    def __init__(self) -> None:
        super().__init__()
        self.acknowledged: list[Outcome] = []

    async def event_of(self, raw: object) -> Event:
        return Event(CHAT, Person("fake", "7"), Command("help"))

    async def acknowledge(self, raw: object, outcome: Outcome) -> None:
        self.acknowledged.append(outcome)


async def test_a_platform_that_cannot_edit_is_never_asked_to_take_tapped_buttons_away(db, clock):
    port = NoEditsPort()
    runtime = Runtime(AppContext(db=db, clock=clock), port)  # type: ignore[arg-type]
    await runtime.answer(None, CHAT, Outcome([Reply("Saved")], popup="Saved", clear_tapped=True))
    assert [(o.popup, o.clear_tapped) for o in port.acknowledged] == [("Saved", False)]
    assert port.shown == ["Saved"]


async def test_a_port_that_only_sends_is_refused_by_run_before_anything_starts(db, clock):
    runtime = Runtime(AppContext(db=db, clock=clock), NoEditsPort())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="fake port only sends"):
        await runtime.run(asyncio.Event())
    assert not runtime.jobs.started


class FilesPort(NoEditsPort):
    async def fetch_file(self, file_id: str) -> bytes:
        return f"bytes of {file_id}".encode()


@pytest.mark.parametrize(("port", "platform"), [(FilesPort(), "telegram"), (NoEditsPort(), "fake")])
async def test_a_file_is_fetched_only_from_a_port_of_its_own_platform_that_fetches_files(port, platform):
    assert await PortOutbound(FilesPort(), ReplyPath(FilesPort())).fetch_file("fake", "f1") == b"bytes of f1"
    with pytest.raises(LookupError, match=f"a {platform} file cannot be fetched on fake"):
        await PortOutbound(port, ReplyPath(port)).fetch_file(platform, "f1")
