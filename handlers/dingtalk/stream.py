"""The Stream connection: DingTalk's gateway WebSocket, kept open, its robot messages handed on once each.

It speaks the protocol of the official `dingtalk-stream` SDK (0.24.3) over
aiohttp rather than running the SDK, whose client calls `requests` on the event
loop in `open_connection`, reads `DINGTALK_OPENAPI_ENDPOINT` at import, and
whose `start()` swallows cancellation and sleeps 10 s before reconnecting:

- `POST {DINGTALK_API_URL}/v1.0/gateway/connections/open` with the app's
  clientId, clientSecret and subscriptions answers `{endpoint, ticket}`;
- the socket at `endpoint?ticket=…` carries JSON frames: `SYSTEM` `ping` (the
  answer echoes its data, the `opaque`), `SYSTEM` `disconnect` (the gateway is
  about to close: connect again), and `CALLBACK` frames of the robot topic,
  each acked with its `messageId`.

A dropped connection or a disconnect is followed by a new one at once, then
with backoff while the gateway cannot be reached. DingTalk does not retry a
message but may deliver one twice, so callbacks are deduplicated by `msgId`.
:meth:`StreamConnection.stop` ends it promptly, letting handlers in flight finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote_plus

import aiohttp

from bot.notifications.messenger import TransientFailure
from bot.settings import DingTalkConfig
from handlers.dingtalk.openapi import CredentialsRefused

log = logging.getLogger(__name__)

BOT_TOPIC = "/v1.0/im/bot/messages/get"
OPEN_PATH = "/v1.0/gateway/connections/open"
USER_AGENT = "teachlog (dingtalk-stream protocol 0.24.3)"
#: How many recent msgIds are remembered to drop a second delivery (a few hours of a busy school).
SEEN_CAPACITY = 10_000
#: Waits between failed attempts to connect: the first, and the longest.
FIRST_RETRY_SECONDS, MAX_RETRY_SECONDS = 1.0, 30.0
#: The client's WebSocket pings, which also notice a dead connection (the SDK pings every 60 s).
HEARTBEAT_SECONDS = 30.0
#: On stop, how long handlers in flight may still take before they are cancelled.
STOP_GRACE_SECONDS = 8.0

#: Receives one robot message (the callback's data: conversationId, senderStaffId, text…).
Handler = Callable[[dict[str, Any]], Awaitable[None]]


class RecentIds:
    """The last `capacity` ids seen: `first_time(id)` is true once per id while it is remembered."""

    def __init__(self, capacity: int = SEEN_CAPACITY) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, key: str) -> bool:
        if key in self._ids:
            self._ids.move_to_end(key)
            return False
        self._ids[key] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._ids)


def ack(frame: dict[str, Any], data: object, code: int = 200, message: str = "OK") -> str:
    """The answer to a frame, as the SDK's AckMessage writes it."""
    message_id = (frame.get("headers") or {}).get("messageId")
    return json.dumps({"code": code, "headers": {"messageId": message_id, "contentType": "application/json"},
                       "message": message, "data": json.dumps(data, ensure_ascii=False)}, ensure_ascii=False)


def frame_data(frame: dict[str, Any]) -> dict[str, Any]:
    raw = frame.get("data")
    try:
        data = json.loads(raw) if isinstance(raw, str) and raw else raw
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class StreamConnection:
    """Keeps one Stream connection for the app and calls `handler` with each robot message, once."""

    def __init__(self, config: DingTalkConfig, handler: Handler, *, session: aiohttp.ClientSession | None = None,
                 first_retry: float = FIRST_RETRY_SECONDS, max_retry: float = MAX_RETRY_SECONDS,
                 seen: RecentIds | None = None) -> None:
        self.config, self.handler = config, handler
        self._session, self._own_session = session, session is None
        self.first_retry, self.max_retry = first_retry, max_retry
        self.seen = seen or RecentIds()
        self.stopping = asyncio.Event()
        self.connected = asyncio.Event()
        self.socket: aiohttp.ClientWebSocketResponse | None = None
        self.handling: set[asyncio.Task[None]] = set()
        #: Each conversation with messages in hand: its lock, and how many of them hold or wait for it.
        self.conversation_locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}
        #: The waits taken after failed attempts to connect, in seconds (for logs and tests).
        self.retry_waits: list[float] = []

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, connect=15))
        return self._session

    async def open_connection(self) -> str:
        """Asks the gateway for an endpoint; the socket's URL with its ticket. Refused credentials are fatal."""
        body = {"clientId": self.config.client_id, "clientSecret": self.config.client_secret,
                "subscriptions": [{"type": "CALLBACK", "topic": BOT_TOPIC}], "ua": USER_AGENT}
        try:
            async with self.session.post(self.config.api_url + OPEN_PATH, json=body,
                                         timeout=aiohttp.ClientTimeout(total=15)) as response:
                answer = await response.json(content_type=None) if response.status < 500 else {}
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as error:
            raise TransientFailure(f"DingTalk gateway: {type(error).__name__}: {error}") from error
        if status in (400, 401, 403):
            raise CredentialsRefused(f"DingTalk refused DINGTALK_CLIENT_ID/DINGTALK_CLIENT_SECRET when opening the "
                                     f"Stream connection ({(answer or {}).get('code') or status}): check the internal "
                                     "app's AppKey and AppSecret, and that its robot uses Stream mode.")
        if status >= 300 or not isinstance(answer, dict) or not answer.get("endpoint") or not answer.get("ticket"):
            raise TransientFailure(f"DingTalk gateway: HTTP {status}")
        return f"{answer['endpoint']}?ticket={quote_plus(str(answer['ticket']))}"

    async def run(self) -> None:
        """Connects, listens, and connects again until :meth:`stop`; raises CredentialsRefused if they are wrong."""
        failures = 0
        try:
            while not self.stopping.is_set():
                if failures:
                    wait = min(self.max_retry, self.first_retry * 2 ** (failures - 1))
                    self.retry_waits.append(wait)
                    if await self.stopped_within(wait):
                        break
                try:
                    url = await self.open_connection()
                    async with self.session.ws_connect(url, heartbeat=HEARTBEAT_SECONDS) as socket:
                        self.socket = socket
                        self.connected.set()
                        # A connection that carried frames is followed by a new one at once; one that died
                        # before its first frame counts as a failed attempt, so a flapping gateway is backed off.
                        failures = 0 if await self.listen(socket) else failures + 1
                except CredentialsRefused:
                    raise
                except (TransientFailure, aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
                    failures += 1
                    log.warning("DingTalk Stream: cannot connect (%s); trying again", error)
                finally:
                    self.socket = None
                    self.connected.clear()
        finally:
            await self.finish_handling()
            if self._own_session and self._session is not None:
                await self._session.close()

    async def stopped_within(self, seconds: float) -> bool:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)
        return self.stopping.is_set()

    async def listen(self, socket: aiohttp.ClientWebSocketResponse) -> bool:
        """Answers frames until the socket closes, the gateway says disconnect, or the connection is stopped.

        True when at least one frame came.
        """
        frames = 0
        async for message in socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            try:
                frame = json.loads(message.data)
            except ValueError:
                log.warning("DingTalk Stream: a frame that is not JSON: %.200s", message.data)
                continue
            if not isinstance(frame, dict):
                continue
            frames += 1
            if not await self.answer(socket, frame):
                break
        if not socket.closed:
            await socket.close()
        return frames > 0

    async def answer(self, socket: aiohttp.ClientWebSocketResponse, frame: dict[str, Any]) -> bool:
        """Acks one frame and hands a robot message on; False when the gateway asked to disconnect."""
        kind, topic = frame.get("type"), (frame.get("headers") or {}).get("topic")
        if kind == "SYSTEM":
            if topic == "disconnect":
                log.info("DingTalk Stream: the gateway asked to disconnect; connecting again")
                return False
            await socket.send_str(ack(frame, frame_data(frame)))  # a ping: its opaque echoed
        elif kind == "CALLBACK" and topic == BOT_TOPIC:
            self.dispatch(frame_data(frame), str((frame.get("headers") or {}).get("messageId") or ""))
            await socket.send_str(ack(frame, {"response": None}))
        else:
            await socket.send_str(ack(frame, {"response": None}, 404, "not implemented"))
        return True

    def dispatch(self, message: dict[str, Any], frame_id: str) -> None:
        """Starts handling a robot message seen for the first time; one conversation's messages in order."""
        if not self.seen.first_time(str(message.get("msgId") or frame_id)):
            log.info("DingTalk Stream: message %s delivered again; handled once", message.get("msgId"))
            return
        task = asyncio.create_task(self.handle(message))
        self.handling.add(task)
        task.add_done_callback(self.handling.discard)

    async def handle(self, message: dict[str, Any]) -> None:
        """One message after the earlier ones of its conversation; a conversation's lock goes when none waits."""
        key = str(message.get("conversationId") or "")
        lock, waiting = self.conversation_locks.setdefault(key, (asyncio.Lock(), [0]))
        waiting[0] += 1
        try:
            async with lock:
                await self.handler(message)
        except Exception:
            log.exception("DingTalk Stream: handling message %s failed", message.get("msgId"))
        finally:
            waiting[0] -= 1
            if not waiting[0]:
                del self.conversation_locks[key]

    async def finish_handling(self) -> None:
        if not self.handling:
            return
        _, late = await asyncio.wait(set(self.handling), timeout=STOP_GRACE_SECONDS)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)

    async def stop(self) -> None:
        """Ends :meth:`run`: no new connection, the open one closed; handlers in flight get a few seconds."""
        self.stopping.set()
        if self.socket is not None and not self.socket.closed:
            await self.socket.close()
