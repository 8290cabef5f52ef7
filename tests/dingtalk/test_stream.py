"""The Stream connection against the local gateway: pings answered, callbacks acked and handled once, reconnection,
and a prompt stop."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.settings import DingTalkConfig
from handlers.dingtalk.openapi import CredentialsRefused
from handlers.dingtalk.stream import RecentIds, StreamConnection
from tests.support.fake_dingtalk import BOT_TOPIC, PATH_OPEN


class Running:
    def __init__(self, connection: StreamConnection, task: asyncio.Task[None], handled: list[dict]) -> None:
        self.connection, self.task, self.handled = connection, task, handled


def config_for(fake, secret: str | None = None) -> DingTalkConfig:
    return DingTalkConfig(fake.client_id, secret or fake.client_secret, fake.client_id, fake.base_url, fake.base_url)


@pytest.fixture
async def stream(fake):
    handled: list[dict] = []

    async def handler(message: dict) -> None:
        handled.append(message)

    connection = StreamConnection(config_for(fake), handler, first_retry=0.01, max_retry=0.05)
    task = asyncio.create_task(connection.run())
    await fake.connected()
    yield Running(connection, task, handled)
    await connection.stop()
    await asyncio.wait_for(task, 10)


async def test_a_ping_is_answered_with_its_opaque(fake, stream):
    message_id = await fake.ping("opaque-42")
    await fake.wait_until(lambda: fake.frame_for(message_id) is not None)
    answer = fake.frame_for(message_id)
    assert answer["code"] == 200 and json.loads(answer["data"]) == {"opaque": "opaque-42"}


async def test_the_connection_subscribes_to_robot_messages_with_the_app_credentials(fake, stream):
    (opened,) = fake.of(PATH_OPEN)
    assert opened.body["clientId"] == fake.client_id and opened.body["clientSecret"] == fake.client_secret
    assert opened.body["subscriptions"] == [{"type": "CALLBACK", "topic": BOT_TOPIC}]


async def test_a_robot_message_is_acked_and_handed_on(fake, stream):
    message = fake.chatbot_message(" /log")
    message_id = await fake.callback(message)
    await fake.wait_until(lambda: stream.handled and fake.frame_for(message_id) is not None)
    assert stream.handled == [message]
    assert fake.frame_for(message_id)["code"] == 200


async def test_one_conversation_s_messages_are_handled_in_order_and_forgotten_after(fake):
    order: list[str] = []

    async def handler(message: dict) -> None:
        await asyncio.sleep(0.05 if message["text"]["content"] == "first" else 0)
        order.append(message["text"]["content"])

    connection = StreamConnection(config_for(fake), handler)
    task = asyncio.create_task(connection.run())
    await fake.connected()
    for text in ("first", "second"):
        await fake.callback(fake.chatbot_message(text, conversation_id="cidPrivateA"))
    await fake.wait_until(lambda: len(order) == 2)
    assert order == ["first", "second"]
    await fake.wait_until(lambda: not connection.conversation_locks)
    await connection.stop()
    await asyncio.wait_for(task, 10)


async def test_a_message_delivered_twice_is_handled_once_and_acked_twice(fake, stream):
    message = fake.chatbot_message("/mine", msg_id="msgSame")
    first, second = await fake.callback(message), await fake.callback(message)
    later = fake.chatbot_message("/help")
    await fake.callback(later)
    await fake.wait_until(lambda: len(stream.handled) == 2 and {first, second} <= set(fake.acks()))
    assert [m["msgId"] for m in stream.handled] == ["msgSame", later["msgId"]]


async def test_after_a_dropped_socket_it_connects_again_and_keeps_handling(fake, stream):
    await fake.ping()
    await fake.wait_until(lambda: len(fake.frames) == 1)
    await fake.drop()
    await fake.connected(2)
    await fake.callback(fake.chatbot_message("/mine"))
    await fake.wait_until(lambda: len(stream.handled) == 1)
    assert stream.connection.retry_waits == []  # at once, no wait


async def test_after_a_disconnect_frame_it_connects_again_at_once(fake, stream):
    await fake.disconnect()
    await fake.connected(2)
    assert fake.sockets[0].closed
    await fake.callback(fake.chatbot_message("/mine"))
    await fake.wait_until(lambda: len(stream.handled) == 1)
    assert stream.connection.retry_waits == []


async def test_while_the_gateway_fails_it_tries_again_with_growing_waits(fake, stream):
    fake.server_error(PATH_OPEN, times=3)
    await fake.ping()
    await fake.wait_until(lambda: len(fake.frames) == 1)
    await fake.drop()
    await fake.connected(2)
    assert stream.connection.retry_waits == [0.01, 0.02, 0.04]


async def test_stop_ends_the_connection_and_lets_a_handler_in_flight_finish(fake):
    started, release, finished = asyncio.Event(), asyncio.Event(), []

    async def slow(message: dict) -> None:
        started.set()
        await release.wait()
        finished.append(message["msgId"])

    connection = StreamConnection(config_for(fake), slow)
    task = asyncio.create_task(connection.run())
    await fake.connected()
    message = fake.chatbot_message("/mine")
    await fake.callback(message)
    await started.wait()
    stopping = asyncio.create_task(connection.stop())
    await stopping
    assert not task.done()  # still waiting for the handler
    release.set()
    await asyncio.wait_for(task, 10)
    assert finished == [message["msgId"]]
    await fake.wait_until(lambda: fake.sockets[0].closed)
    assert fake.connections_opened == 1


async def test_cancelling_the_connection_is_not_swallowed(fake):
    async def ignore(message: dict) -> None:
        return None

    connection = StreamConnection(config_for(fake), ignore)
    task = asyncio.create_task(connection.run())
    await fake.connected()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)


async def test_refused_credentials_end_the_connection_with_one_line(fake):
    async def ignore(message: dict) -> None:
        return None

    connection = StreamConnection(config_for(fake, secret="wrong"), ignore)
    with pytest.raises(CredentialsRefused) as raised:
        await asyncio.wait_for(connection.run(), 10)
    assert "DINGTALK_CLIENT_SECRET" in str(raised.value) and "\n" not in str(raised.value)


def test_recent_ids_forget_the_oldest_beyond_their_capacity():
    seen = RecentIds(capacity=3)
    assert [seen.first_time(key) for key in ("a", "b", "a", "c", "d")] == [True, True, False, True, True]
    assert len(seen) == 3
    assert seen.first_time("b")  # forgotten: the oldest after "a" was seen again
    assert not seen.first_time("d")
