"""A local Slack Web API over HTTP for the Slack adapter's tests: records calls, injects 429s and errors.

It answers the methods teachlog uses (auth.test, users.info, conversations.open,
chat.postMessage/postEphemeral/update, views.open/publish/update, files upload v2,
apps.connections.open with a Socket Mode websocket) and signs requests to a Bolt app
the way Slack does, so tests can post slash commands, taps, view submissions and DMs.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-1-teachlog-test"
APP_TOKEN = "xapp-1-teachlog-test"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_USER = "UBOT0001"
TEAM = "T0001"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    #: False when the fake answered the call with an error (a failure the test asked for).
    ok: bool = True


@dataclass
class Failure:
    method: str
    error: str
    status: int = 200
    retry_after: int | None = None
    times: int = 1


@dataclass
class SlackUser:
    id: str
    real_name: str
    locale: str = "en-US"
    name: str = ""


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    users: dict[str, SlackUser] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    refused_tokens: set[str] = field(default_factory=set)
    base_url: str = ""
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    #: Methods whose answers wait until the test sets the event (a slow Slack, or a slow bot).
    held: dict[str, asyncio.Event] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # --- what tests set up ---

    def user(self, user_id: str, real_name: str, *, locale: str = "en-US") -> SlackUser:
        person = SlackUser(user_id, real_name, locale, real_name.lower().replace(" ", "."))
        self.users[user_id] = person
        return person

    def fail(self, method: str, error: str, *, status: int = 200, retry_after: int | None = None,
             times: int = 1) -> None:
        """The next `times` calls of `method` fail with `error` (429 with Retry-After for rate limits)."""
        self.failures.append(Failure(method, error, status, retry_after, times))

    def hold(self, method: str) -> asyncio.Event:
        """Calls of `method` are recorded but answered only once the returned event is set."""
        self.held[method] = asyncio.Event()
        return self.held[method]

    # --- what tests read ---

    def of(self, method: str) -> list[dict[str, Any]]:
        return [call.args for call in self.calls if call.method == method]

    def posts_to(self, channel: str) -> list[dict[str, Any]]:
        return [args for args in self.of("chat.postMessage") if args.get("channel") == channel]

    def delivered_texts_to(self, channel: str) -> list[str]:
        """What a person sees in a chat, without the posts Slack refused."""
        return [shown_text(call.args) for call in self.calls
                if call.method == "chat.postMessage" and call.ok and call.args.get("channel") == channel]

    def texts_to(self, channel: str) -> list[str]:
        """What a person sees in a chat: the text of each message's sections (or its fallback text)."""
        return [shown_text(args) for args in self.posts_to(channel)]

    def channel_texts(self) -> list[str]:
        """Everything the bot posted or uploaded where more than one person reads: channels, group DMs."""
        shown = [shown_text(args) for args in self.of("chat.postMessage")
                 if str(args.get("channel", ""))[:1] in ("C", "G")]
        for args in self.of("files.completeUploadExternal"):
            if str(args.get("channel_id", ""))[:1] in ("C", "G"):
                shown.append(str(args.get("initial_comment") or ""))
                shown += [str(f.get("title") or "") for f in args.get("files") or []]
        return shown

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"not reached in {timeout} s; calls: {[c.method for c in self.calls]}")
            await asyncio.sleep(0.02)

    # --- the Web API ---

    def application(self) -> web.Application:
        application = web.Application()
        application.router.add_route("*", "/api/{method}", self.api)
        application.router.add_post("/upload/{file_id}", self.upload)
        application.router.add_get("/socket", self.socket)
        return application

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(dict(await request.post()))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or str(args.get("token", ""))
        for key in ("blocks", "files", "view"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        call = Call(method, args)
        self.calls.append(call)
        if method in self.held:
            await self.held[method].wait()
        if token in self.refused_tokens:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        for failure in self.failures:
            if failure.method == method and failure.times > 0:
                failure.times -= 1
                call.ok = False
                headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
                return web.json_response({"ok": False, "error": failure.error}, status=failure.status,
                                         headers=headers)
        return web.json_response({"ok": True, **self.answer(method, args)})

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ts = f"{int(time.time())}.{next(self._ids):06d}"
        if method == "auth.test":
            return {"user_id": BOT_USER, "team_id": TEAM, "bot_id": "B0001", "user": "teachlog", "team": "School"}
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            if user is None:
                return {"user": {"id": args.get("user"), "name": "someone", "profile": {}}}
            return {"user": {"id": user.id, "name": user.name, "real_name": user.real_name, "locale": user.locale,
                             "profile": {"real_name": user.real_name, "display_name": user.name}}}
        if method == "conversations.open":
            return {"channel": {"id": "D" + str(args.get("users", "")).lstrip("UW")}}
        if method in ("chat.postMessage", "chat.update"):
            return {"channel": args.get("channel"), "ts": args.get("ts") or ts,
                    "message": {"text": args.get("text"), "blocks": args.get("blocks") or []}}
        if method == "chat.postEphemeral":
            return {"message_ts": ts}
        if method in ("views.open", "views.publish", "views.update"):
            return {"view": {"id": f"V{next(self._ids)}", **(args.get("view") or {})}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids)}"
            return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return {"files": [{"id": f.get("id"), "title": f.get("title")} for f in args.get("files") or []]}
        if method == "apps.connections.open":
            return {"url": self.base_url.replace("http://", "ws://") + "/socket"}
        return {}

    async def upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK")

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        """A Socket Mode connection: hello, then whatever tests push; the client's acks are recorded."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"}})
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.calls.append(Call("socket.ack", json.loads(message.data)))
        return ws


def shown_text(args: dict[str, Any]) -> str:
    sections = [block["text"]["text"] for block in args.get("blocks") or []
                if block.get("type") == "section" and "text" in block]
    return "\n".join(sections) if sections else str(args.get("text") or "")


def buttons_of(args: dict[str, Any]) -> list[tuple[str, str]]:
    """The (label, value) of each button of a posted message."""
    return [(element["text"]["text"], element.get("value", "")) for block in args.get("blocks") or []
            if block.get("type") == "actions" for element in block["elements"] if element.get("type") == "button"]


@contextlib.asynccontextmanager
async def serve(fake: FakeSlack) -> AsyncIterator[str]:
    """The fake on a free local port; yields the base URL a Slack client takes (…/api/)."""
    runner = web.AppRunner(fake.application())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.base_url = f"http://127.0.0.1:{port}"
    try:
        yield fake.base_url + "/api/"
    finally:
        for ws in list(fake.sockets):
            await ws.close()
        await runner.cleanup()


def signed_headers(body: str, secret: str = SIGNING_SECRET, content_type: str = "application/x-www-form-urlencoded",
                   timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack signs a request with (v0 HMAC-SHA256 of 'v0:timestamp:body')."""
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}", "Content-Type": content_type}


def command_body(user_id: str, text: str, *, channel_id: str = "D0001", channel_name: str = "directmessage",
                 trigger_id: str = "trigger-1") -> str:
    return urllib.parse.urlencode({
        "command": "/teachlog", "text": text, "user_id": user_id, "user_name": user_id.lower(), "team_id": TEAM,
        "channel_id": channel_id, "channel_name": channel_name, "trigger_id": trigger_id,
        "response_url": "https://hooks.invalid/commands/1", "api_app_id": "A0001", "token": "legacy"})


def interactive_body(payload: dict[str, Any]) -> str:
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def tap_payload(user_id: str, value: str, *, channel_id: str | None = "D0001", message: dict[str, Any] | None = None,
                action_id: str = "choice-0-0", view: dict[str, Any] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "block_actions", "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM},
        "team": {"id": TEAM}, "api_app_id": "A0001", "trigger_id": "trigger-2",
        "actions": [{"type": "button", "action_id": action_id, "block_id": "choice-0-0", "value": value,
                     "action_ts": str(time.time())}],
    }
    if channel_id is not None:
        message = message or {"ts": "1.000001", "text": "", "blocks": []}
        payload.update(channel={"id": channel_id}, message=message,
                       container={"type": "message", "message_ts": message.get("ts"), "channel_id": channel_id})
    else:
        payload.update(view=view or {"id": "VHOME", "type": "home"}, container={"type": "view", "view_id": "VHOME"})
    return payload


def view_submission(user_id: str, values: dict[str, Any], view_id: str = "V100") -> dict[str, Any]:
    """The payload of Save on the logging modal, its fields holding `values` (block id → {"value": state})."""
    return {"type": "view_submission", "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM},
            "team": {"id": TEAM}, "api_app_id": "A0001", "trigger_id": "trigger-9",
            "view": {"id": view_id, "type": "modal", "callback_id": "log_entry", "private_metadata": "",
                     "state": {"values": values}}}


def filled_in(view: dict[str, Any]) -> dict[str, Any]:
    """The state of a modal's inputs as Slack sends it when Save is pressed on what the view filled in."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, state = block["element"], {"type": block["element"]["type"]}
        for initial, chosen in (("initial_option", "selected_option"), ("initial_value", "value"),
                                ("initial_date", "selected_date"), ("initial_time", "selected_time")):
            if initial in element:
                state[chosen] = element[initial]
        values[block["block_id"]] = {"value": state}
    return values


def event_body(event: dict[str, Any]) -> str:
    return json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "A0001", "type": "event_callback",
                       "event_id": f"Ev{time.time_ns()}", "event_time": int(time.time()), "event": event,
                       "authorizations": [{"user_id": BOT_USER, "is_bot": True, "team_id": TEAM}]})
