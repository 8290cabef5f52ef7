"""A local DingTalk for the DingTalk adapter's tests: the Stream gateway, the OpenAPI and the legacy host, on 127.0.0.1.

Real HTTP and a real WebSocket (aiohttp), speaking what DingTalk documents:
`POST /v1.0/gateway/connections/open` hands out {endpoint, ticket}; the socket
carries SYSTEM pings (the client echoes the opaque), CALLBACK frames of the bot
topic (the client acks each messageId) and a SYSTEM `disconnect`; the OpenAPI
answers the access token, `oToMessages/batchSend` and `groupMessages/send`; the
legacy host answers `media/upload` and the directory (`topapi/v2/department/listsub`,
`topapi/v2/user/list`); each incoming message carries a session webhook the bot
can answer on. Everything received is recorded; failures are injected per path
(HTTP 429, throttling error codes, 5xx, the monthly quota), and the socket can be
dropped or told to disconnect. One server plays both hosts, so DINGTALK_API_URL
and DINGTALK_OAPI_URL both point at it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

CLIENT_ID = "dingteachlogtest"
CLIENT_SECRET = "secret-of-the-teachlog-test-app"
BOT_TOPIC = "/v1.0/im/bot/messages/get"
#: The size limit of a group message's msgParam, in UTF-8 bytes.
GROUP_PARAM_BYTES = 15_000
BATCH_USERS = 20
FILE_EXTENSIONS = frozenset({"doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "pdf", "rar"})
ROOT_DEPARTMENT = 1
USER_PAGE_SIZE = 100

PATH_OPEN = "/v1.0/gateway/connections/open"
PATH_TOKEN = "/v1.0/oauth2/accessToken"
PATH_BATCH = "/v1.0/robot/oToMessages/batchSend"
PATH_GROUP = "/v1.0/robot/groupMessages/send"
PATH_WEBHOOK = "/robot/sendBySession"
PATH_UPLOAD = "/media/upload"
PATH_DOWNLOAD = "/v1.0/robot/messageFiles/download"
#: Where a download code's temporary link points (not an OpenAPI path: no token).
PATH_FILES = "/files"
PATH_DEPARTMENTS = "/topapi/v2/department/listsub"
PATH_USERS = "/topapi/v2/user/list"

#: The new API's throttling answer and the monthly quota answer, as DingTalk words them.
QPS_LIMIT_CODE = "Forbidden.AccessDenied.QpsLimitForApi"
QUOTA_CODE = "Forbidden.AccessDenied.ApiCountLimitForOrg"


@dataclass
class Received:
    path: str
    body: dict[str, Any]
    query: dict[str, str] = field(default_factory=dict)
    token: str = ""
    #: Answered with an injected failure (see FakeDingTalk.fail): not delivered.
    failed: bool = False


@dataclass
class Failure:
    """The next `times` requests to `path` are answered `status` with `body` instead."""

    path: str
    status: int
    body: dict[str, Any]
    times: int = 1


@dataclass
class Department:
    dept_id: int
    name: str
    parent_id: int = ROOT_DEPARTMENT


@dataclass
class StaffUser:
    userid: str
    name: str
    dept_ids: tuple[int, ...]


@dataclass
class FakeDingTalk:
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    #: How long an access token lives (`expireIn`, seconds).
    token_lifetime: int = 7200
    received: list[Received] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    #: Frames the client sent on the socket (acks and ping answers), parsed.
    frames: list[dict[str, Any]] = field(default_factory=list)
    uploads: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)
    #: Files people sent the robot, by download code: (file name, bytes).
    sent_files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    departments: dict[int, Department] = field(default_factory=dict)
    users: list[StaffUser] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    #: Staff ids batchSend reports as unknown (invalidStaffIdList) or held by flow control.
    invalid_users: set[str] = field(default_factory=set)
    flow_controlled_users: set[str] = field(default_factory=set)
    base_url: str = ""
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    connections_opened: int = 0
    _tickets: set[str] = field(default_factory=set)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # --- what tests set up ---

    def fail(self, path: str, status: int, body: dict[str, Any] | None = None, *, times: int = 1) -> None:
        self.failures.append(Failure(path, status, body or {}, times))

    def throttle(self, path: str, *, times: int = 1) -> None:
        """HTTP 429, as the gateway answers a burst."""
        self.fail(path, 429, {"code": "Throttling", "message": "too many requests"}, times=times)

    def throttle_code(self, path: str, code: str = QPS_LIMIT_CODE, *, times: int = 1) -> None:
        """The new API's QPS-limit error code (HTTP 403)."""
        self.fail(path, 403, {"code": code, "message": "QPS limit reached"}, times=times)

    def legacy_error(self, path: str, errcode: int, *, times: int = 1) -> None:
        """A legacy errcode (HTTP 200), e.g. 90002/90018/90019 throttling or 90020 the monthly quota."""
        self.fail(path, 200, {"errcode": errcode, "errmsg": f"error {errcode}"}, times=times)

    def server_error(self, path: str, status: int = 503, *, times: int = 1) -> None:
        self.fail(path, status, {"code": "ServiceUnavailable", "message": "try again"}, times=times)

    def quota_exhausted(self, path: str, *, times: int = 1) -> None:
        """The organisation's monthly API calls are used up."""
        self.fail(path, 403, {"code": QUOTA_CODE, "message": "monthly API calls used up"}, times=times)

    def department(self, dept_id: int, name: str, parent_id: int = ROOT_DEPARTMENT) -> Department:
        self.departments[dept_id] = Department(dept_id, name, parent_id)
        return self.departments[dept_id]

    def staff(self, userid: str, name: str, *dept_ids: int) -> StaffUser:
        self.users.append(StaffUser(userid, name, dept_ids or (ROOT_DEPARTMENT,)))
        return self.users[-1]

    # --- what tests read ---

    def of(self, path: str) -> list[Received]:
        return [request for request in self.received if request.path == path]

    def acks(self) -> list[str]:
        """The messageIds the client acked, in order (pings' answers included)."""
        return [str(frame.get("headers", {}).get("messageId")) for frame in self.frames]

    def frame_for(self, message_id: str) -> dict[str, Any] | None:
        return next((f for f in self.frames if f.get("headers", {}).get("messageId") == message_id), None)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"not reached in {timeout} s; received: {[r.path for r in self.received]}, "
                                     f"frames: {self.frames}")
            await asyncio.sleep(0.01)

    async def connected(self, count: int = 1, timeout: float = 10.0) -> web.WebSocketResponse:
        """Waits until `count` sockets have connected; the newest one."""
        await self.wait_until(lambda: len(self.sockets) >= count and not self.sockets[-1].closed, timeout)
        return self.sockets[-1]

    # --- what the gateway pushes ---

    def frame(self, kind: str, topic: str, data: dict[str, Any]) -> dict[str, Any]:
        message_id = f"msg-{next(self._ids)}"
        return {"specVersion": "1.0", "type": kind,
                "headers": {"appId": "app-1", "connectionId": "conn-1", "contentType": "application/json",
                            "messageId": message_id, "time": str(int(time.time() * 1000)), "topic": topic},
                "data": json.dumps(data, ensure_ascii=False)}

    async def push(self, frame: dict[str, Any]) -> str:
        socket = await self.connected()
        await socket.send_str(json.dumps(frame, ensure_ascii=False))
        return str(frame["headers"]["messageId"])

    async def ping(self, opaque: str = "opaque-1") -> str:
        return await self.push(self.frame("SYSTEM", "ping", {"opaque": opaque}))

    async def callback(self, message: dict[str, Any]) -> str:
        """A robot message (see `chatbot_message`) as a CALLBACK frame; its messageId."""
        return await self.push(self.frame("CALLBACK", BOT_TOPIC, message))

    async def disconnect(self) -> None:
        """A SYSTEM disconnect, as the gateway sends before it closes a connection (it closes it 10 s later)."""
        await self.push(self.frame("SYSTEM", "disconnect", {"reason": "server restart"}))

    async def drop(self) -> None:
        """The connection dies without a word."""
        socket = await self.connected()
        await socket.close(code=1011)

    def chatbot_message(self, text: str, *, sender: str = "staff1", nick: str = "李老师", msg_id: str | None = None,
                        conversation_id: str = "", group: bool = False, msgtype: str = "text",
                        content: dict[str, Any] | None = None) -> dict[str, Any]:
        """A robot message as DingTalk sends it: a 1:1 chat unless `group`, with a session webhook to answer on."""
        number = next(self._ids)
        conversation = conversation_id or (f"cidGroup{number}" if group else f"cidPrivate{sender}")
        message: dict[str, Any] = {
            "conversationId": conversation, "conversationType": "2" if group else "1",
            "msgId": msg_id or f"msg{number}", "senderNick": nick, "senderStaffId": sender,
            "senderId": f"$:LWCP_v1:${sender}", "robotCode": self.client_id, "chatbotUserId": "$:LWCP_v1:$bot",
            "isAdmin": False, "createAt": int(time.time() * 1000), "msgtype": msgtype,
            "sessionWebhook": f"{self.base_url}{PATH_WEBHOOK}?session=s{number}",
            "sessionWebhookExpiredTime": int(time.time() * 1000) + 90 * 60 * 1000,
        }
        if msgtype == "text":
            message["text"] = {"content": text}
        else:
            message["content"] = content or {}
        if group:
            message.update(isInAtList=True, conversationTitle="初一年级组", atUsers=[{"dingtalkId": "$:LWCP_v1:$bot"}])
        return message

    def file_message(self, name: str, data: bytes, *, sender: str = "staff1", picture: bool = False) -> dict[str, Any]:
        """A picture or a file sent to the robot in a 1:1 chat: its content names a download code."""
        code = f"dc{next(self._ids)}"
        self.sent_files[code] = (name, data)
        content = {"downloadCode": code} if picture else {"downloadCode": code, "fileName": name,
                                                           "fileId": f"file{code}", "spaceId": "9"}
        return self.chatbot_message("", sender=sender, msgtype="picture" if picture else "file", content=content)

    # --- the server ---

    def application(self) -> web.Application:
        application = web.Application(client_max_size=30 * 1024 * 1024)
        application.router.add_post(PATH_OPEN, self.open_connection)
        application.router.add_post(PATH_TOKEN, self.access_token)
        application.router.add_post(PATH_BATCH, self.batch_send)
        application.router.add_post(PATH_GROUP, self.group_send)
        application.router.add_post(PATH_WEBHOOK, self.session_webhook)
        application.router.add_post(PATH_UPLOAD, self.media_upload)
        application.router.add_post(PATH_DOWNLOAD, self.message_file)
        application.router.add_get(PATH_FILES + "/{code}", self.file_content)
        application.router.add_post(PATH_DEPARTMENTS, self.list_departments)
        application.router.add_post(PATH_USERS, self.list_users)
        application.router.add_get("/stream", self.socket)
        return application

    def injected(self, path: str) -> web.Response | None:
        for failure in self.failures:
            if failure.path == path and failure.times > 0:
                failure.times -= 1
                self.of(path)[-1].failed = True  # the request just recorded, answered without an await between
                return web.json_response(failure.body, status=failure.status)
        return None

    async def record(self, request: web.Request, body: dict[str, Any] | None = None) -> Received:
        if body is None:
            body = await request.json() if request.can_read_body else {}
        token = request.headers.get("x-acs-dingtalk-access-token") or request.query.get("access_token", "")
        received = Received(request.path, body, dict(request.query), token)
        self.received.append(received)
        return received

    def bad_token(self, token: str) -> bool:
        return token not in self.tokens

    async def open_connection(self, request: web.Request) -> web.Response:
        received = await self.record(request)
        if (failure := self.injected(PATH_OPEN)) is not None:
            return failure
        if received.body.get("clientId") != self.client_id or received.body.get("clientSecret") != self.client_secret:
            return web.json_response({"code": "InvalidAuthentication", "message": "clientId or clientSecret is wrong"},
                                     status=401)
        ticket = f"ticket-{next(self._ids)}"
        self._tickets.add(ticket)
        self.connections_opened += 1
        return web.json_response({"endpoint": self.base_url.replace("http://", "ws://") + "/stream", "ticket": ticket})

    async def access_token(self, request: web.Request) -> web.Response:
        received = await self.record(request)
        if (failure := self.injected(PATH_TOKEN)) is not None:
            return failure
        if received.body.get("appKey") != self.client_id or received.body.get("appSecret") != self.client_secret:
            return web.json_response({"code": "invalidClientIdOrSecret", "message": "无效的clientId或clientSecret"},
                                     status=400)
        token = f"token-{next(self._ids)}"
        self.tokens.append(token)
        return web.json_response({"accessToken": token, "expireIn": self.token_lifetime})

    def refused_token(self) -> web.Response:
        return web.json_response({"code": "InvalidAuthentication", "message": "不合法的access_token"}, status=401)

    async def batch_send(self, request: web.Request) -> web.Response:
        received = await self.record(request)
        if (failure := self.injected(PATH_BATCH)) is not None:
            return failure
        if self.bad_token(received.token):
            return self.refused_token()
        body = received.body
        user_ids = body.get("userIds") or []
        if not user_ids or len(user_ids) > BATCH_USERS or not body.get("msgKey") or not body.get("msgParam"):
            return web.json_response({"code": "InvalidParameter", "message": "userIds: 1 to 20"}, status=400)
        return web.json_response({"processQueryKey": f"q{next(self._ids)}",
                                  "invalidStaffIdList": [u for u in user_ids if u in self.invalid_users],
                                  "flowControlledStaffIdList": [u for u in user_ids
                                                                if u in self.flow_controlled_users]})

    async def group_send(self, request: web.Request) -> web.Response:
        received = await self.record(request)
        if (failure := self.injected(PATH_GROUP)) is not None:
            return failure
        if self.bad_token(received.token):
            return self.refused_token()
        body = received.body
        if not body.get("openConversationId") or not body.get("msgKey"):
            return web.json_response({"code": "InvalidParameter", "message": "openConversationId"}, status=400)
        if len(str(body.get("msgParam") or "").encode()) > GROUP_PARAM_BYTES:
            return web.json_response({"code": "InvalidParameter.MsgParam.TooLong", "message": "msgParam too long"},
                                     status=400)
        return web.json_response({"processQueryKey": f"q{next(self._ids)}"})

    async def session_webhook(self, request: web.Request) -> web.Response:
        await self.record(request)
        if (failure := self.injected(PATH_WEBHOOK)) is not None:
            return failure
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def media_upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        media = form.get("media")
        kind = str(form.get("type") or "")
        name, data = (media.filename, media.file.read()) if isinstance(media, web.FileField) else ("", b"")
        received = await self.record(request, {"type": kind, "filename": name, "size": len(data)})
        if (failure := self.injected(PATH_UPLOAD)) is not None:
            return failure
        if self.bad_token(received.token):
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        if kind not in ("image", "file", "voice", "video") or not data:
            return web.json_response({"errcode": 40004, "errmsg": "不合法的媒体文件类型"})
        if kind == "file" and name.rpartition(".")[2].lower() not in FILE_EXTENSIONS:
            return web.json_response({"errcode": 40005, "errmsg": "不合法的文件类型"})
        media_id = f"@media{next(self._ids)}"
        self.uploads[media_id] = (kind, name, data)
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": kind, "media_id": media_id,
                                  "created_at": int(time.time() * 1000)})

    async def message_file(self, request: web.Request) -> web.Response:
        """`messageFiles/download`: a temporary link to a file a person sent the robot."""
        received = await self.record(request)
        if (failure := self.injected(PATH_DOWNLOAD)) is not None:
            return failure
        if self.bad_token(received.token):
            return self.refused_token()
        code = str(received.body.get("downloadCode") or "")
        if received.body.get("robotCode") != self.client_id or code not in self.sent_files:
            return web.json_response({"code": "invalidParameter.downloadCode", "message": "下载码无效"}, status=400)
        return web.json_response({"downloadUrl": f"{self.base_url}{PATH_FILES}/{code}"})

    async def file_content(self, request: web.Request) -> web.Response:
        code = request.match_info["code"]
        if code not in self.sent_files:
            return web.Response(status=404)
        return web.Response(body=self.sent_files[code][1], content_type="application/octet-stream")

    async def list_departments(self, request: web.Request) -> web.Response:
        received = await self.record(request)
        if (failure := self.injected(PATH_DEPARTMENTS)) is not None:
            return failure
        if self.bad_token(received.token):
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        parent = int(received.body.get("dept_id") or ROOT_DEPARTMENT)
        children = [{"dept_id": d.dept_id, "name": d.name, "parent_id": d.parent_id}
                    for d in self.departments.values() if d.parent_id == parent]
        return web.json_response({"errcode": 0, "errmsg": "ok", "result": children})

    async def list_users(self, request: web.Request) -> web.Response:
        received = await self.record(request)
        if (failure := self.injected(PATH_USERS)) is not None:
            return failure
        if self.bad_token(received.token):
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        dept_id = int(received.body.get("dept_id") or ROOT_DEPARTMENT)
        cursor, size = int(received.body.get("cursor") or 0), int(received.body.get("size") or 0)
        if not 1 <= size <= USER_PAGE_SIZE:
            return web.json_response({"errcode": 40001, "errmsg": "size must be 1 to 100"})
        members = [u for u in self.users if dept_id in u.dept_ids]
        page = members[cursor:cursor + size]
        more = cursor + size < len(members)
        result: dict[str, Any] = {"has_more": more, "list": [
            {"userid": u.userid, "name": u.name, "dept_id_list": list(u.dept_ids)} for u in page]}
        if more:
            result["next_cursor"] = cursor + size
        return web.json_response({"errcode": 0, "errmsg": "ok", "result": result})

    async def socket(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=403, text="bad ticket")
        self._tickets.discard(ticket)
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                self.frames.append(json.loads(message.data))
        return socket


def param_of(received: Received) -> dict[str, Any]:
    """The msgParam of a robot message, parsed."""
    return dict(json.loads(received.body["msgParam"]))


@contextlib.asynccontextmanager
async def serve(fake: FakeDingTalk) -> AsyncIterator[str]:
    """The fake on a free local port; yields its base URL (both DINGTALK_API_URL and DINGTALK_OAPI_URL)."""
    runner = web.AppRunner(fake.application(), shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fake.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield fake.base_url
    finally:
        for socket in list(fake.sockets):
            await socket.close()
        await runner.cleanup()


@contextlib.contextmanager
def serve_in_thread(fake: FakeDingTalk) -> Iterator[str]:
    """The fake on its own event loop in a thread, for code that runs its own loop (the CLI in-process)."""
    import threading

    loop = asyncio.new_event_loop()
    started, stop = threading.Event(), asyncio.Event()

    async def main() -> None:
        async with serve(fake):
            started.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield fake.base_url
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
