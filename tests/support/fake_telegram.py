"""An in-process fake of the Telegram Bot API server for end-to-end bot tests.

``FakeTelegram`` plugs into python-telegram-bot (PTB 22.x) through its official extension
point, a custom :class:`telegram.request.BaseRequest`.  The *real*
:class:`telegram.ext.Application`, ``Bot``, ``Updater`` (long polling), handlers, JobQueue and
rate limiter all run unmodified; only the HTTP hop to ``api.telegram.org`` is replaced by
:meth:`FakeTelegram.handle`, which answers like the Bot API (same JSON envelopes, same error
codes, so PTB raises the same ``telegram.error`` exceptions it would in production).
It emulates the methods teachlog calls — getMe, deleteWebhook, setWebhook, getUpdates, setMyCommands,
sendMessage, sendPhoto, sendDocument, sendMediaGroup, editMessageReplyMarkup, answerCallbackQuery,
getFile and the file download — plus fault injection; any other method is recorded in
``unknown_calls`` and answered ``true``.

Quick start::

    from telegram.ext import CommandHandler
    from tests.support.fake_telegram import FakeTelegram

    async def test_start():
        fake = FakeTelegram()                      # bot @teachlog_bot
        app = fake.application_builder().build()   # token + request + get_updates_request set
        app.add_handler(CommandHandler("start", start))
        async with fake.running(app):              # initialize() + start(); stop/shutdown after
            wang = fake.user(1001, "Wang")
            replies = await fake.say(app, wang, "/start")      # process_update path
            assert "欢迎" in fake.last_to(wang.id).text
            await fake.tap_button(app, wang, "今日记录")         # by label or callback_data
            assert fake.callback_answers[-1].user_id == wang.id

Equivalent manual wiring::

    app = (ApplicationBuilder().token("123:ABC")
           .request(fake.request).get_updates_request(fake.request).build())

Real long polling::

    fake.push(fake.private_text(wang, "/start"))     # queued "while the bot was down"
    async with fake.running(app, polling=True):       # start_polling(timeout=1, poll_interval=0)
        await fake.wait_until(lambda: fake.texts_to(wang.id), timeout=2)

Feeding updates
    ``user()`` makes a :class:`FakeUser`; ``private_text``, ``group_text``, ``private_photo``,
    ``private_document``, ``tap``, ``my_chat_member``/``blocked``/``unblocked`` build Bot API
    update *dicts* (incrementing ``update_id``/``message_id``).  Deliver them with
    ``await send(app, update)`` (direct ``Application.process_update``; waits for non-blocking
    handler tasks spawned by that update) or ``push(update)`` (queued for ``getUpdates``).
    ``say()`` / ``tap_button()`` combine build + send and return the messages sent meanwhile.

Reading back
    ``sent`` (every message the bot created, in order, as :class:`SentMessage`, kept up to date
    by edits/deletes), ``messages_to(chat_id)``, ``last_to(chat_id)``, ``texts_to(chat_id)``,
    ``edits``, ``callback_answers``, ``commands``,
    ``calls`` / ``calls_to(method)`` (every API call), ``unknown_calls`` (methods the fake does
    not emulate: answered ``true``), ``stats``; ``clear()`` forgets recorded traffic.
    ``SentMessage.inline_buttons`` -> ``[(text, callback_data), ...]``,
    ``SentMessage.reply_keyboard`` -> ``[[label, ...], ...]``.
    Handler exceptions: ``running()`` installs ``record_errors(app)`` (an extra PTB error
    handler; the app's own ones still run) so they land in ``handler_errors``;
    ``assert_no_errors()``, or ``say(..., raise_errors=True)`` to re-raise.
    For the polling path use ``await wait_until(predicate, timeout=2)``.

Fault injection / server state
    ``fail_next(method, kind=..., chat_id=None, count=1)`` with kind in ``retry_after`` (429),
    ``server_error`` (502), ``timeout`` (``TimedOut`` raised from ``do_request``; pass
    ``delivered=True`` to simulate "delivered but the response was lost"), ``network``
    (``NetworkError``), ``forbidden`` (403), ``migrated`` (400 + ``migrate_to_chat_id``),
    ``bad_request`` (400).  ``rate_limit(per_second=N, clock=...)`` enforces a global sliding
    window on ``sendMessage`` (429 + ``retry_after`` beyond it, counted in
    ``stats.rate_limited`` / ``stats.retry_after_served``).  ``block(user_id)`` makes sends to
    that chat fail with 403 like a user who blocked the bot; ``migrate(old, new)`` makes a group
    permanently answer ``ChatMigrated``.  ``hold(method, chat_id=..., delivered=True)`` makes the next matching
    call wait for ``release()`` before it is answered (with ``delivered`` it has already taken
    effect: the message is sent, only the answer is in flight), to kill a bot mid-call.

Realism checks that catch real bugs: ``parse_mode="HTML"`` text is validated like Telegram does
(unsupported/unclosed tags -> 400 "can't parse entities", e.g. ``<br>`` or an unescaped ``<``);
texts over 4096 / captions over 1024 UTF-16 units, empty texts, ``callback_data`` over 64 bytes,
editing with identical content ("message is not modified"), answering a callback query twice and
editing unknown messages all answer 400 like the real server.  MarkdownV2 is *not*
validated.

PTB gotchas (22.8)
    * One ``FakeRequest`` instance may serve as both ``request`` and ``get_updates_request``;
      PTB then calls ``initialize()``/``shutdown()`` on it twice (they are idempotent here).
    * ``bot.username``/``bot.id`` come from ``getMe`` during ``Application.initialize()``; the
      numeric prefix of the token is irrelevant.  ``process_update`` refuses to run before
      ``initialize()``.
    * ``RetryAfter.retry_after`` emits ``PTBDeprecationWarning`` unless the environment variable
      ``PTB_TIMEDELTA`` is set; use :func:`retry_after_seconds` in assertions.
    * PTB only turns a 429 into ``RetryAfter`` when ``retry_after`` is truthy; 0 becomes a plain
      ``NetworkError``.  Real Telegram sends integers >= 1; the fake accepts floats so delivery
      tests can use e.g. ``retry_after=0.05`` with ``AIORateLimiter``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import itertools
import json
import logging
import math
import re
import time
import urllib.parse
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest, RequestData

__all__ = [
    "ApiCall",
    "CallbackAnswer",
    "FakeRequest",
    "FakeStats",
    "FakeTelegram",
    "FakeUser",
    "Fault",
    "Hold",
    "SentMessage",
    "retry_after_seconds",
]

JSON = dict[str, Any]
_LOGGER = logging.getLogger(__name__)

FAULT_KINDS = frozenset(
    {"retry_after", "server_error", "timeout", "network", "forbidden", "migrated", "bad_request"}
)
# Methods that create a message the user sees (used for blocked/migrated chat checks).
_SEND_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendmediagroup",
    }
)
_UPDATE_TYPES_EXCLUDED_BY_DEFAULT = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
        "tg-time",
    }
)
_MEDIA_METHODS = {
    "sendphoto": "photo",
    "senddocument": "document",
}


def _norm(method: str) -> str:
    """``send_message`` / ``sendMessage`` / ``SENDMESSAGE`` -> ``sendmessage``."""
    return method.replace("_", "").lower()


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def retry_after_seconds(exc: BaseException) -> float:
    """Seconds carried by a ``telegram.error.RetryAfter`` without PTB's deprecation warning."""
    value = getattr(exc, "_retry_after", None)
    if value is None:
        raise TypeError(f"{exc!r} is not a RetryAfter")
    return value.total_seconds()


class ApiError(Exception):
    """Raised inside the fake server to answer with ``{"ok": false, ...}``."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user as the fake knows it; ``to_dict()`` is the Bot API ``User`` object."""

    id: int
    first_name: str = "Wang"
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "zh"
    is_bot: bool = False

    def to_dict(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    def private_chat(self) -> JSON:
        data: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        return data


@dataclass
class SentMessage:
    """A message created by the bot (``send*`` call), kept current by edits and deletes."""

    chat_id: int
    message_id: int
    method: str
    text: str | None = None
    """Text exactly as the bot sent it (HTML tags included); see :attr:`plain_text`."""
    caption: str | None = None
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    """Parsed reply markup dict (inline keyboard, reply keyboard, remove_keyboard, force_reply)."""
    photo: bytes | None = None
    document: bytes | None = None
    file_bytes: bytes | None = None
    """Uploaded bytes for any media method (photo/document/video/...)."""
    filename: str | None = None
    mime_type: str | None = None
    file_ref: str | None = None
    """``file_id``/URL when the media was sent by reference instead of uploaded."""
    reply_to_message_id: int | None = None
    params: JSON = field(default_factory=dict)
    """Raw request parameters of the creating call."""
    date: int = 0
    edits: list[ApiCall] = field(default_factory=list)
    payload: JSON = field(default_factory=dict, repr=False)
    """Current Bot API ``Message`` JSON (what callback queries carry)."""

    @property
    def content(self) -> str | None:
        """Text for text messages, caption for media."""
        return self.text if self.text is not None else self.caption

    @property
    def plain_text(self) -> str | None:
        """What the user sees: HTML tags stripped and entities decoded (if parse_mode=HTML)."""
        return self.payload.get("text", self.payload.get("caption"))

    @property
    def inline_keyboard(self) -> list[list[JSON]]:
        if not self.reply_markup:
            return []
        return self.reply_markup.get("inline_keyboard") or []

    @property
    def inline_buttons(self) -> list[tuple[str, str | None]]:
        """Flattened ``[(text, callback_data), ...]`` (callback_data None for URL buttons...)."""
        return [(b.get("text", ""), b.get("callback_data")) for row in self.inline_keyboard for b in row]

    @property
    def has_inline_keyboard(self) -> bool:
        return bool(self.inline_keyboard)

    @property
    def reply_keyboard(self) -> list[list[str]]:
        """Rows of reply-keyboard button labels (empty if none)."""
        if not self.reply_markup or "keyboard" not in self.reply_markup:
            return []
        return [
            [b if isinstance(b, str) else b.get("text", "") for b in row]
            for row in self.reply_markup["keyboard"]
        ]

    @property
    def removes_keyboard(self) -> bool:
        return bool(self.reply_markup and self.reply_markup.get("remove_keyboard"))


@dataclass
class ApiCall:
    """One Bot API call as received by the fake."""

    method: str
    params: JSON
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)
    """part name -> (filename, bytes, mime type) for multipart uploads."""
    status: int = 200
    error: str | None = None
    at: float = 0.0


@dataclass
class CallbackAnswer:
    callback_query_id: str
    user_id: int | None
    data: str | None
    text: str | None
    show_alert: bool
    url: str | None
    params: JSON


@dataclass
class Fault:
    """A pending injected failure (see :meth:`FakeTelegram.fail_next`)."""

    method: str
    kind: str
    chat_id: int | str | None = None
    remaining: int = 1
    retry_after: float = 3
    migrate_to_chat_id: int | None = None
    description: str | None = None
    delivered: bool = False
    hits: int = 0

    def matches(self, method: str, params: JSON) -> bool:
        if self.remaining <= 0 or _norm(self.method) != _norm(method):
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)


@dataclass
class Hold:
    """A call that waits for :meth:`release` before it is answered (see :meth:`FakeTelegram.hold`)."""

    method: str
    chat_id: int | str | None = None
    delivered: bool = True
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def matches(self, method: str, params: JSON) -> bool:
        if self.reached.is_set() or _norm(self.method) != _norm(method):
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)

    def release(self) -> None:
        self.released.set()


@dataclass
class FakeStats:
    calls: Counter = field(default_factory=Counter)
    """method -> number of calls received (successful or not)."""
    errors: Counter = field(default_factory=Counter)
    """HTTP status (or "timeout"/"network") -> number of error answers."""
    retry_after_served: int = 0
    """All 429 answers (injected + rate limiter)."""
    rate_limited: int = 0
    """429 answers produced by the rate limiter only."""
    faults_fired: int = 0


@dataclass
class _RateLimit:
    per_second: float
    window: float
    methods: frozenset[str]
    per_chat: float | None
    retry_after: float | None
    clock: Callable[[], float]
    hits: deque = field(default_factory=deque)
    chat_hits: dict[str, deque] = field(default_factory=dict)


# --------------------------------------------------------------------------- request


class FakeRequest(BaseRequest):
    """The ``BaseRequest`` PTB uses; forwards every call to its :class:`FakeTelegram`."""

    def __init__(self, server: FakeTelegram, name: str = "request") -> None:
        self.server = server
        self.name = name
        self.initialize_calls = 0
        self.shutdown_calls = 0
        self._shut_down = False

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        self.initialize_calls += 1
        self._shut_down = False

    async def shutdown(self) -> None:
        self.shutdown_calls += 1
        self._shut_down = True

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._shut_down:
            # Same behaviour as HTTPXRequest after shutdown (PTB wraps it into NetworkError).
            raise RuntimeError(f"FakeRequest {self.name!r} is shut down; call initialize() first")
        if method == "GET":
            return self.server._download(url)
        api_method = url.rstrip("/").rsplit("/", 1)[-1]
        params, files = _extract(request_data)
        return await self.server.handle(api_method, params, files)


def _read_content(content: Any) -> bytes:
    if isinstance(content, bytes | bytearray):
        return bytes(content)
    if hasattr(content, "read"):
        with contextlib.suppress(Exception):
            content.seek(0)
        data = content.read()
        return data.encode() if isinstance(data, str) else bytes(data)
    return bytes(content)


def _extract(request_data: RequestData | None) -> tuple[JSON, dict[str, tuple[str, bytes, str]]]:
    if request_data is None:
        return {}, {}
    params = copy.deepcopy(request_data.parameters)
    files: dict[str, tuple[str, bytes, str]] = {}
    for part, (filename, content, mime) in request_data.multipart_data.items():
        files[part] = (filename, _read_content(content), mime)
    # JSON-string parameters (e.g. via api_kwargs) are decoded for convenience.
    for key in ("reply_markup", "commands", "scope", "menu_button", "media", "reply_parameters"):
        if isinstance(params.get(key), str):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    return params, files


# --------------------------------------------------------------------------- HTML check


def _html_to_plain(text: str) -> str:
    """Validate Telegram-HTML like the Bot API and return the visible text."""
    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(text)

    def offset(pos: int) -> int:
        return len(text[:pos].encode())

    while i < n:
        ch = text[i]
        if ch == "<":
            end = text.find(">", i)
            if end == -1:
                raise _bad_request(f"can't parse entities: Unclosed start tag at byte offset {offset(i)}")
            inner = text[i + 1 : end]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise _bad_request(
                        f"can't parse entities: Unexpected end tag at byte offset {offset(i)}"
                    )
                if name and name != stack[-1]:
                    raise _bad_request(
                        f"can't parse entities: Unmatched end tag at byte offset {offset(i)}, "
                        f'expected "</{stack[-1]}>", found "</{name}>"'
                    )
                stack.pop()
            else:
                match = re.match(r"([A-Za-z][A-Za-z0-9-]*)(\s.*)?$", inner, re.S)
                name = match.group(1).lower() if match else inner.split(" ", 1)[0]
                if not match or name not in _HTML_TAGS:
                    raise _bad_request(
                        f'can\'t parse entities: Unsupported start tag "{name}" at byte offset '
                        f"{offset(i)}"
                    )
                attrs = match.group(2) or ""
                if name == "span" and "tg-spoiler" not in attrs:
                    raise _bad_request(
                        'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte '
                        f"offset {offset(i)}"
                    )
                stack.append(name)
            i = end + 1
        elif ch == "&":
            match = re.match(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot);", text[i:])
            if match:
                out.append(html.unescape(match.group(0)))
                i += len(match.group(0))
            else:
                out.append(ch)
                i += 1
        else:
            out.append(ch)
            i += 1
    if stack:
        raise _bad_request(
            f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{stack[-1]}"'
        )
    return "".join(out)


# --------------------------------------------------------------------------- the server


class FakeTelegram:
    """In-process Telegram Bot API server.  See the module docstring for usage."""

    def __init__(
        self,
        bot_username: str = "teachlog_bot",
        bot_id: int = 7_000_000_001,
        *,
        bot_first_name: str = "TeachLog",
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], float] = time.time,
        strict_not_modified: bool = True,
    ) -> None:
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_first_name = bot_first_name
        self.clock = clock
        self.now = now  # the Unix time stamped on messages: the bot's clock in harness tests
        self.strict_not_modified = strict_not_modified
        self.token = f"{bot_id}:TEST-TOKEN-teachlog"
        self.request = FakeRequest(self)

        self._update_ids = itertools.count(10_001)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)

        self._pending: list[JSON] = []  # unconfirmed updates, ascending update_id
        self._waiters: set[asyncio.Future] = set()
        self._allowed_updates: list[str] | None = None

        self._chats: dict[int, JSON] = {}
        self._users: dict[int, FakeUser] = {}
        self._chat_usernames: dict[str, int] = {}
        self._messages: dict[tuple[int, int], SentMessage] = {}
        self._open_queries: dict[str, JSON] = {}
        self._files: dict[str, tuple[str, bytes, str]] = {}  # file_id -> (name, bytes, mime)
        self._file_paths: dict[str, str] = {}  # file_path -> file_id
        self.blocked_users: set[int] = set()
        self.migrated_chats: dict[int, int] = {}
        self.faults: list[Fault] = []
        self.holds: list[Hold] = []
        self._rate_limit: _RateLimit | None = None

        self.webhook: JSON | None = None
        """The last setWebhook's parameters (url, secret_token, …), until deleteWebhook."""
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        """(scope JSON, language_code) -> commands, as set by setMyCommands."""
        self.stats = FakeStats()
        self.sent: list[SentMessage] = []
        self.edits: list[ApiCall] = []
        self.calls: list[ApiCall] = []
        self.unknown_calls: list[ApiCall] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.handler_errors: list[BaseException] = []
        """Exceptions raised by handlers (see :meth:`record_errors`)."""
        self._recording_apps: set[int] = set()

    # ------------------------------------------------------------------ wiring

    def make_request(self, name: str = "request") -> FakeRequest:
        """A fresh ``BaseRequest`` bound to this server (e.g. a separate get_updates_request)."""
        return FakeRequest(self, name)

    def application_builder(self) -> ApplicationBuilder:
        """``ApplicationBuilder`` with token, ``request`` and ``get_updates_request`` set."""
        return (
            ApplicationBuilder()
            .token(self.token)
            .request(self.request)
            .get_updates_request(self.make_request("get_updates_request"))
        )

    @contextlib.asynccontextmanager
    async def running(
        self,
        app: Application,
        *,
        polling: bool = False,
        timeout: float = 1,
        poll_interval: float = 0,
        drop_pending_updates: bool = False,
        record_errors: bool = True,
        **polling_kwargs: Any,
    ) -> AsyncIterator[Application]:
        """``initialize()`` + ``start()`` (+ ``updater.start_polling`` if ``polling``); undone on exit.

        ``record_errors`` installs :meth:`record_errors` so handler exceptions land in
        :attr:`handler_errors` (and are still logged).
        """
        if record_errors:
            self.record_errors(app)
        await app.initialize()
        try:
            await app.start()
            try:
                if polling:
                    await app.updater.start_polling(
                        poll_interval=poll_interval,
                        timeout=timeout,
                        drop_pending_updates=drop_pending_updates,
                        **polling_kwargs,
                    )
                try:
                    yield app
                finally:
                    if app.updater is not None and app.updater.running:
                        await app.updater.stop()
            finally:
                if app.running:
                    await app.stop()
        finally:
            await app.shutdown()

    def record_errors(self, app: Application) -> None:
        """Add an error handler that appends handler exceptions to :attr:`handler_errors`.

        PTB runs *all* error handlers, so the application's own error handler still runs.
        """
        if id(app) in self._recording_apps:
            return
        self._recording_apps.add(id(app))

        async def _record(update: object, context: Any) -> None:
            self.handler_errors.append(context.error)
            _LOGGER.error("handler raised while processing %r", update, exc_info=context.error)

        app.add_error_handler(_record)

    def assert_no_errors(self) -> None:
        if self.handler_errors:
            raise AssertionError(f"handlers raised: {self.handler_errors!r}") from self.handler_errors[0]

    # ------------------------------------------------------------------ users / builders

    def user(
        self,
        id: int,  # noqa: A002 - mirrors the Bot API field name
        first_name: str = "Wang",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh",
    ) -> FakeUser:
        user = FakeUser(id, first_name, last_name, username, language_code)
        self._users[id] = user
        self._chats[id] = user.private_chat()
        if username:
            self._chat_usernames[username.lower()] = id
        return user

    def _now(self) -> int:
        return int(self.now())

    def _next_update(self, **payload: Any) -> JSON:
        return {"update_id": next(self._update_ids), **payload}

    def _entities_for(self, text: str) -> list[JSON]:
        if not text.startswith("/"):
            return []
        token = text.split(maxsplit=1)[0] if text.strip() else text
        return [{"type": "bot_command", "offset": 0, "length": _utf16_len(token)}]

    def _incoming_message(self, user: FakeUser, chat: JSON, **content: Any) -> JSON:
        message: JSON = {
            "message_id": next(self._message_ids),
            "from": user.to_dict(),
            "chat": dict(chat),
            "date": content.pop("date", None) or self._now(),
        }
        reply_to = content.pop("reply_to", None)
        if reply_to is not None:
            message["reply_to_message"] = (
                reply_to.payload if isinstance(reply_to, SentMessage) else reply_to
            )
        message.update({k: v for k, v in content.items() if v is not None})
        return message

    def private_text(
        self,
        user: FakeUser,
        text: str,
        *,
        reply_to: SentMessage | JSON | None = None,
        date: int | None = None,
    ) -> JSON:
        """A ``message`` update in the user's private chat; ``/cmd`` gets a bot_command entity."""
        self._users.setdefault(user.id, user)
        chat = self._chats.setdefault(user.id, user.private_chat())
        entities = self._entities_for(text)
        message = self._incoming_message(
            user, chat, text=text, entities=entities or None, reply_to=reply_to, date=date
        )
        return self._next_update(message=message)

    def group_text(
        self,
        user: FakeUser,
        chat_id: int,
        text: str,
        *,
        title: str = "教研组",
        chat_type: str | None = None,
        reply_to: SentMessage | JSON | None = None,
        date: int | None = None,
    ) -> JSON:
        """A ``message`` update in a group (``-100...`` ids default to supergroup)."""
        chat = self._register_group(chat_id, title, chat_type)
        entities = self._entities_for(text)
        message = self._incoming_message(
            user, chat, text=text, entities=entities or None, reply_to=reply_to, date=date
        )
        return self._next_update(message=message)

    def _register_group(self, chat_id: int, title: str, chat_type: str | None) -> JSON:
        if chat_type is None:
            chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
        chat = {"id": chat_id, "type": chat_type, "title": title}
        self._chats[chat_id] = chat
        return chat

    def _register_file(self, data: bytes, filename: str, mime: str) -> tuple[str, str]:
        n = next(self._file_ids)
        file_id = f"FAKEFILE{n:06d}"  # ASCII like real file_ids
        self._files[file_id] = (filename, data, mime)
        return file_id, f"FAKEUNIQ{n:06d}"

    def private_photo(
        self, user: FakeUser, data: bytes, *, caption: str | None = None, chat_id: int | None = None
    ) -> JSON:
        """A photo message from the user (``getFile`` + download return ``data``)."""
        chat = self._chat(chat_id if chat_id is not None else user.id)
        file_id, unique = self._register_file(data, "photo.jpg", "image/jpeg")
        sizes = [
            {"file_id": file_id, "file_unique_id": unique, "width": 1280, "height": 960,
             "file_size": len(data)}
        ]
        message = self._incoming_message(user, chat, photo=sizes, caption=caption)
        return self._next_update(message=message)

    def private_document(
        self,
        user: FakeUser,
        data: bytes,
        *,
        filename: str = "file.xlsx",
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """A document message from the user (``getFile`` + download return ``data``)."""
        chat = self._chat(chat_id if chat_id is not None else user.id)
        file_id, unique = self._register_file(data, filename, mime_type)
        document = {"file_id": file_id, "file_unique_id": unique, "file_name": filename,
                    "mime_type": mime_type, "file_size": len(data)}
        message = self._incoming_message(user, chat, document=document, caption=caption)
        return self._next_update(message=message)

    def tap(self, user: FakeUser, message: SentMessage, data: str) -> JSON:
        """A ``callback_query`` update: ``user`` pressed a button carrying ``data`` on ``message``."""
        query_id = f"{next(self._query_ids)}{user.id}"
        query: JSON = {
            "id": query_id,
            "from": user.to_dict(),
            "message": copy.deepcopy(message.payload),
            "chat_instance": f"ci{message.chat_id}",
            "data": data,
        }
        self._open_queries[query_id] = query
        return self._next_update(callback_query=query)

    def my_chat_member(
        self, user: FakeUser, *, old: str, new: str, chat_id: int | None = None
    ) -> JSON:
        """A ``my_chat_member`` update about the bot's membership changing from old to new."""
        chat = self._chat(chat_id if chat_id is not None else user.id)
        bot = self.bot_user()
        return self._next_update(
            my_chat_member={
                "chat": chat,
                "from": user.to_dict(),
                "date": self._now(),
                "old_chat_member": self._member_dict(bot, old),
                "new_chat_member": self._member_dict(bot, new),
            }
        )

    def group_migrated(self, user: FakeUser, chat_id: int, new_chat_id: int) -> JSON:
        """The service message in the old group saying it became the supergroup ``new_chat_id``."""
        chat = self._register_group(chat_id, "教研组", "group")
        return self._next_update(message=self._incoming_message(user, chat, migrate_to_chat_id=new_chat_id))

    def blocked(self, user: FakeUser, *, apply: bool = True) -> JSON:
        """User blocked the bot (``member`` -> ``kicked``); ``apply`` also 403s further sends."""
        if apply:
            self.block(user.id)
        return self.my_chat_member(user, old="member", new="kicked")

    def unblocked(self, user: FakeUser, *, apply: bool = True) -> JSON:
        if apply:
            self.unblock(user.id)
        return self.my_chat_member(user, old="kicked", new="member")

    # ------------------------------------------------------------------ delivering updates

    def push(self, *updates: JSON) -> None:
        """Queue updates for ``getUpdates`` (wakes a pending long poll)."""
        for update in updates:
            self._pending.append(copy.deepcopy(update))
        self._pending.sort(key=lambda u: u["update_id"])
        for waiter in list(self._waiters):
            if not waiter.done():
                waiter.set_result(None)

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a ``getUpdates`` offset."""
        return list(self._pending)

    async def send(
        self,
        app: Application,
        update: JSON,
        *,
        settle_timeout: float = 5.0,
        raise_errors: bool = False,
    ) -> list[SentMessage]:
        """``process_update`` directly; returns messages sent meanwhile.

        Non-blocking (``block=False``) handler tasks spawned by this update are awaited too
        (up to ``settle_timeout``).  With ``raise_errors`` (needs :meth:`record_errors`, which
        :meth:`running` installs) the first handler exception of this update is re-raised.
        """
        before = len(self.sent)
        errors_before = len(self.handler_errors)
        tasks_attr = "_Application__create_task_tasks"  # PTB-internal set of create_task tasks
        known = set(getattr(app, tasks_attr, ()))
        obj = Update.de_json(copy.deepcopy(update), app.bot)
        await app.process_update(obj)
        spawned = {t for t in getattr(app, tasks_attr, ()) if t not in known and not t.done()}
        if spawned:
            await asyncio.wait(spawned, timeout=settle_timeout)
        if raise_errors and len(self.handler_errors) > errors_before:
            raise self.handler_errors[errors_before]
        return self.sent[before:]

    async def say(
        self, app: Application, user: FakeUser, text: str, *, raise_errors: bool = False,
        **kwargs: Any,
    ) -> list[SentMessage]:
        """The user types ``text`` in the private chat; returns the bot's new messages."""
        return await self.send(app, self.private_text(user, text, **kwargs),
                               raise_errors=raise_errors)

    async def tap_button(
        self,
        app: Application,
        user: FakeUser,
        text_or_data: str,
        message: SentMessage | None = None,
        *,
        chat_id: int | None = None,
        raise_errors: bool = False,
    ) -> list[SentMessage]:
        """Press the inline button labelled (or with callback_data) ``text_or_data``.

        Uses ``message`` or else the latest bot message with an inline keyboard in
        ``chat_id`` (default: the user's private chat).  Returns the bot's new messages.
        """
        target_chat = chat_id if chat_id is not None else user.id
        if message is None:
            message = next(
                (m for m in reversed(self.messages_to(target_chat))
                 if m.has_inline_keyboard),
                None,
            )
            if message is None:
                raise AssertionError(
                    f"no bot message with an inline keyboard in chat {target_chat}; texts sent: "
                    f"{self.texts_to(target_chat)!r}"
                )
        buttons = [b for row in message.inline_keyboard for b in row]
        button = next((b for b in buttons if b.get("text") == text_or_data), None) or next(
            (b for b in buttons if b.get("callback_data") == text_or_data), None
        )
        if button is None:
            raise AssertionError(
                f"no inline button {text_or_data!r} on message {message.message_id} "
                f"({message.content!r}); available (text, callback_data): {message.inline_buttons!r}"
            )
        if "callback_data" not in button:
            raise AssertionError(f"button {button!r} is not a callback button; cannot tap it")
        return await self.send(app, self.tap(user, message, button["callback_data"]),
                               raise_errors=raise_errors)

    async def wait_until(
        self, predicate: Callable[[], Any], *, timeout: float = 2.0, interval: float = 0.005
    ) -> Any:
        """Poll ``predicate`` until truthy (for the polling path); AssertionError on timeout."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if asyncio.get_running_loop().time() >= deadline:
                raise AssertionError(
                    f"condition not met within {timeout}s; sent so far: "
                    f"{[(m.chat_id, m.content) for m in self.sent]!r}"
                )
            await asyncio.sleep(interval)

    # ------------------------------------------------------------------ reading back

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == chat_id]

    def last_to(self, chat_id: int) -> SentMessage:
        messages = self.messages_to(chat_id)
        if not messages:
            raise AssertionError(
                f"the bot sent nothing to chat {chat_id}; chats with messages: "
                f"{sorted({m.chat_id for m in self.sent})!r}"
            )
        return messages[-1]

    def texts_to(self, chat_id: int) -> list[str | None]:
        """Text (or caption) of every message sent to the chat, in order."""
        return [m.content for m in self.messages_to(chat_id)]

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if _norm(c.method) == _norm(method)]

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        return self._messages[(chat_id, message_id)]

    def clear(self) -> None:
        """Forget recorded traffic (sent, edits, calls, answers, stats); keep server state."""
        self.sent.clear()
        self.edits.clear()
        self.calls.clear()
        self.unknown_calls.clear()
        self.callback_answers.clear()
        self.handler_errors.clear()
        self.stats = FakeStats()

    # ------------------------------------------------------------------ state / faults

    def block(self, user_id: int) -> None:
        self.blocked_users.add(user_id)

    def unblock(self, user_id: int) -> None:
        self.blocked_users.discard(user_id)

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """From now on, sends to ``chat_id`` answer 400 ``migrate_to_chat_id=new_chat_id``."""
        self.migrated_chats[chat_id] = new_chat_id
        old = self._chats.get(chat_id, {})
        self._register_group(new_chat_id, old.get("title", "教研组"), "supergroup")

    def fail_next(
        self,
        method: str,
        *,
        kind: str,
        chat_id: int | str | None = None,
        count: int = 1,
        retry_after: float = 3,
        migrate_to_chat_id: int | None = None,
        description: str | None = None,
        delivered: bool = False,
    ) -> Fault:
        """Make the next ``count`` calls of ``method`` (optionally only for ``chat_id``) fail."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        fault = Fault(method, kind, chat_id, count, retry_after, migrate_to_chat_id, description,
                      delivered)
        self.faults.append(fault)
        return fault

    def hold(self, method: str, *, chat_id: int | str | None = None, delivered: bool = True) -> Hold:
        """Hold the answer to the next ``method`` call (optionally only for ``chat_id``) until released;
        ``await hold.reached.wait()`` tells when it arrived."""
        held = Hold(method, chat_id, delivered)
        self.holds.append(held)
        return held

    def rate_limit(
        self,
        per_second: float | None,
        *,
        window: float = 1.0,
        methods: Iterable[str] = ("sendMessage",),
        per_chat: float | None = None,
        retry_after: float | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Global sliding-window limit: at most ``per_second`` accepted calls per ``window``.

        Beyond it: 429 with ``retry_after`` (default: seconds until the window frees up,
        rounded up, >= 1).  ``per_chat`` additionally limits calls per chat in the same window.
        ``None`` disables limiting.  ``clock`` defaults to the server's clock.
        """
        if per_second is None:
            self._rate_limit = None
            return
        self._rate_limit = _RateLimit(
            per_second=per_second,
            window=window,
            methods=frozenset(_norm(m) for m in methods),
            per_chat=per_chat,
            retry_after=retry_after,
            clock=clock or self.clock,
        )

    # ------------------------------------------------------------------ request handling

    async def handle(
        self, method: str, params: JSON, files: dict[str, tuple[str, bytes, str]] | None = None
    ) -> tuple[int, bytes]:
        """Answer one Bot API call: returns (HTTP status, JSON bytes) or raises TimedOut etc."""
        files = files or {}
        call = ApiCall(method, params, files, at=self.clock())
        self.calls.append(call)
        self.stats.calls[method] += 1
        try:
            result = await self._dispatch(method, params, files, call)
        except ApiError as err:
            call.status, call.error = err.code, err.description
            self.stats.errors[err.code] += 1
            if err.code == 429:
                self.stats.retry_after_served += 1
            return err.code, json.dumps(err.payload()).encode()
        except (TimedOut, NetworkError) as exc:
            call.status, call.error = 0, str(exc)
            self.stats.errors["timeout" if isinstance(exc, TimedOut) else "network"] += 1
            raise
        return 200, json.dumps({"ok": True, "result": result}).encode()

    async def _dispatch(
        self, method: str, params: JSON, files: dict[str, tuple[str, bytes, str]], call: ApiCall
    ) -> Any:
        norm = _norm(method)
        fault = next((f for f in self.faults if f.matches(method, params)), None)
        if fault is not None:
            fault.remaining -= 1
            fault.hits += 1
            self.stats.faults_fired += 1
            if fault.remaining <= 0:
                self.faults.remove(fault)
            if fault.kind == "timeout":
                if fault.delivered:
                    self._route(norm, method, params, files, call)
                raise TimedOut(fault.description or "Timed out")
            if fault.kind == "network":
                raise NetworkError(fault.description or "httpx.ConnectError: [Errno 111] Connection refused")
            raise self._fault_error(fault, params)

        chat_key = params.get("chat_id")
        if norm in _SEND_METHODS and chat_key is not None:
            chat_id = self._chat_id(chat_key)
            if chat_id in self.blocked_users:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if chat_id in self.migrated_chats:
                raise ApiError(
                    400,
                    "Bad Request: group chat was upgraded to a supergroup chat",
                    {"migrate_to_chat_id": self.migrated_chats[chat_id]},
                )
        self._check_rate_limit(norm, params)
        if norm == "getupdates":
            if self.webhook is not None:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                    "use deleteWebhook to delete the webhook first")
            return await self._get_updates(params)
        held = next((h for h in self.holds if h.matches(method, params)), None)
        if held is not None:
            held.reached.set()
            result = self._route(norm, method, params, files, call) if held.delivered else None
            await held.released.wait()
            return result if held.delivered else self._route(norm, method, params, files, call)
        return self._route(norm, method, params, files, call)

    def _fault_error(self, fault: Fault, params: JSON) -> ApiError:
        if fault.kind == "retry_after":
            return ApiError(
                429,
                fault.description or f"Too Many Requests: retry after {fault.retry_after:g}",
                {"retry_after": fault.retry_after},
            )
        if fault.kind == "server_error":
            return ApiError(502, fault.description or "Bad Gateway")
        if fault.kind == "forbidden":
            return ApiError(403, fault.description or "Forbidden: bot was blocked by the user")
        if fault.kind == "migrated":
            new_id = fault.migrate_to_chat_id
            if new_id is None:
                old = abs(int(params.get("chat_id", fault.chat_id or 1)))
                new_id = -int(f"100{old}")
            return ApiError(
                400,
                fault.description or "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": new_id},
            )
        return ApiError(400, fault.description or "Bad Request: injected failure")

    def _check_rate_limit(self, norm: str, params: JSON) -> None:
        limit = self._rate_limit
        if limit is None or norm not in limit.methods:
            return
        now = limit.clock()
        checks: list[tuple[deque, float]] = [(limit.hits, limit.per_second)]
        if limit.per_chat is not None:
            chat = str(params.get("chat_id"))
            checks.append((limit.chat_hits.setdefault(chat, deque()), limit.per_chat))
        for hits, allowed in checks:
            while hits and hits[0] <= now - limit.window:
                hits.popleft()
            if len(hits) >= allowed:
                wait = limit.retry_after
                if wait is None:
                    wait = max(1, math.ceil(hits[0] + limit.window - now))
                self.stats.rate_limited += 1
                raise ApiError(
                    429, f"Too Many Requests: retry after {wait:g}", {"retry_after": wait}
                )
        for hits, _ in checks:
            hits.append(now)

    def _route(
        self, norm: str, method: str, params: JSON, files: dict[str, tuple[str, bytes, str]],
        call: ApiCall,
    ) -> Any:
        handler = getattr(self, f"_api_{norm}", None)
        if handler is not None:
            return handler(params, files)
        if norm in _MEDIA_METHODS:
            return self._send_media(method, _MEDIA_METHODS[norm], params, files)
        self.unknown_calls.append(call)
        return True

    # ------------------------------------------------------------------ updates

    async def _get_updates(self, params: JSON) -> list[JSON]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or [])
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        selected = self._select_updates(limit)
        if selected or timeout <= 0:
            return selected
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait({waiter}, timeout=timeout)
        finally:
            self._waiters.discard(waiter)
            if not waiter.done():
                waiter.cancel()
        return self._select_updates(limit)

    def _select_updates(self, limit: int) -> list[JSON]:
        allowed = self._allowed_updates
        out = []
        for update in self._pending:
            kind = next(k for k in update if k != "update_id")
            if allowed:
                if kind not in allowed:
                    continue
            elif kind in _UPDATE_TYPES_EXCLUDED_BY_DEFAULT:
                continue
            out.append(copy.deepcopy(update))
            if len(out) >= limit:
                break
        return out

    # ------------------------------------------------------------------ helpers

    def bot_user(self) -> JSON:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_first_name,
                "username": self.bot_username}

    def _chat_id(self, value: Any) -> int:
        if isinstance(value, int):
            return value
        text = str(value)
        if text.startswith("@"):
            chat_id = self._chat_usernames.get(text[1:].lower())
            if chat_id is None:
                raise _bad_request("chat not found")
            return chat_id
        try:
            return int(text)
        except ValueError:
            raise _bad_request("chat not found") from None

    def _chat(self, chat_id: int) -> JSON:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
            else:
                chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
                chat = {"id": chat_id, "type": chat_type, "title": f"Chat {chat_id}"}
            self._chats[chat_id] = chat
        return dict(chat)

    @staticmethod
    def _member_dict(user: JSON, status: str) -> JSON:
        base: JSON = {"status": status, "user": user}
        if status == "creator":
            base.update(is_anonymous=False)
        elif status == "administrator":
            base.update(
                can_be_edited=False, is_anonymous=False, can_manage_chat=True,
                can_delete_messages=True, can_manage_video_chats=True, can_restrict_members=True,
                can_promote_members=False, can_change_info=True, can_invite_users=True,
                can_post_stories=False, can_edit_stories=False, can_delete_stories=False,
                can_pin_messages=True,
            )
        elif status == "restricted":
            base.update(
                is_member=True, until_date=0, can_change_info=False, can_invite_users=False,
                can_pin_messages=False, can_send_messages=False, can_send_polls=False,
                can_send_other_messages=False, can_add_web_page_previews=False,
                can_manage_topics=False, can_send_audios=False, can_send_documents=False,
                can_send_photos=False, can_send_videos=False, can_send_video_notes=False,
                can_send_voice_notes=False, can_edit_tag=False, can_react_to_messages=False,
            )
        elif status == "kicked":
            base.update(until_date=0)
        elif status not in ("member", "left"):
            raise ValueError(f"unknown chat member status {status!r}")
        return base

    def _checked_markup(self, params: JSON) -> JSON | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise _bad_request("BUTTON_DATA_INVALID")
                actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
                if not actions:
                    raise _bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                    )
        return markup

    @staticmethod
    def _visible(text: str, parse_mode: str | None) -> str:
        if parse_mode and parse_mode.upper() == "HTML":
            return _html_to_plain(text)
        return text

    def _reply_to_id(self, params: JSON) -> int | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, Mapping):
            return reply.get("message_id")
        return params.get("reply_to_message_id")

    def _new_message(self, method: str, params: JSON, content: JSON, **fields: Any) -> SentMessage:
        chat_id = self._chat_id(params["chat_id"])
        markup = fields.pop("reply_markup", None)
        message = SentMessage(
            chat_id=chat_id,
            message_id=next(self._message_ids),
            method=method,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            reply_to_message_id=self._reply_to_id(params),
            params=params,
            date=self._now(),
            **fields,
        )
        payload: JSON = {
            "message_id": message.message_id,
            "from": self.bot_user(),
            "chat": self._chat(chat_id),
            "date": message.date,
            **content,
        }
        if markup and "inline_keyboard" in markup:  # Message.reply_markup is inline-only
            payload["reply_markup"] = markup
        message.payload = payload
        self.sent.append(message)
        self._messages[(chat_id, message.message_id)] = message
        return message

    def _find_message(self, params: JSON, action: str) -> SentMessage:
        if "chat_id" not in params or "message_id" not in params:
            raise _bad_request(f"message to {action} not found")
        key = (self._chat_id(params["chat_id"]), int(params["message_id"]))
        message = self._messages.get(key)
        if message is None:
            raise _bad_request(f"message to {action} not found")
        return message

    # ------------------------------------------------------------------ API methods

    def _api_getme(self, params: JSON, files: Any) -> JSON:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_deletewebhook(self, params: JSON, files: Any) -> bool:
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = None
        return True

    def _api_setwebhook(self, params: JSON, files: Any) -> bool:
        if not str(params.get("url") or "").startswith(("https://", "http://")):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = dict(params)
        return True

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _api_setmycommands(self, params: JSON, files: Any) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
        self.commands[self._commands_key(params)] = commands
        return True

    def _api_sendmessage(self, params: JSON, files: Any) -> JSON:
        text = str(params.get("text", ""))
        if not text.strip():
            raise _bad_request("message text is empty")
        visible = self._visible(text, params.get("parse_mode"))
        if not visible.strip():
            raise _bad_request("message text is empty")
        if _utf16_len(visible) > 4096:
            raise _bad_request("message is too long")
        markup = self._checked_markup(params)
        content: JSON = {"text": visible}
        entities = self._entities_for(visible) if params.get("parse_mode") is None else []
        if entities:
            content["entities"] = entities
        return self._new_message("sendMessage", params, content, text=text,
                                 reply_markup=markup).payload

    def _caption(self, params: JSON) -> tuple[str | None, JSON]:
        caption = params.get("caption")
        if caption is None:
            return None, {}
        visible = self._visible(str(caption), params.get("parse_mode"))
        if _utf16_len(visible) > 1024:
            raise _bad_request("message caption is too long")
        return str(caption), {"caption": visible}

    def _media_input(
        self, value: Any, part: str, files: dict[str, tuple[str, bytes, str]]
    ) -> tuple[str | None, bytes | None, str | None, str | None]:
        """Return (filename, bytes, mime, file_ref) for a media parameter."""
        if isinstance(value, str) and value.startswith("attach://"):
            part = value[len("attach://") :]
            value = None
        if value is None:
            if part not in files:
                raise _bad_request("there is no file in the request")
            name, data, mime = files[part]
            return name, data, mime, None
        ref = str(value)
        if ref in self._files:
            name, data, mime = self._files[ref]
            return name, data, mime, ref
        return None, None, None, ref

    def _file_object(self, kind: str, filename: str | None, data: bytes | None, mime: str | None,
                     ref: str | None) -> Any:
        if data is not None and (ref is None or ref not in self._files):
            file_id, unique = self._register_file(data, filename or kind, mime or "")
        else:
            file_id, unique = ref or "FAKEREF", f"UNIQ-{abs(hash(ref)) % 10**8}"
        size = len(data) if data is not None else 0
        base: JSON = {"file_id": file_id, "file_unique_id": unique, "file_size": size}
        if kind == "photo":
            return [
                {**base, "file_id": f"{file_id}", "width": 90, "height": 90},
                {**base, "width": 1280, "height": 960},
            ]
        if kind == "document":
            obj = {**base, "file_name": filename or "document"}
            if mime:
                obj["mime_type"] = mime
            return obj
        raise _bad_request(f"the fake sends photos and documents, not {kind}")

    def _send_media(self, method: str, kind: str, params: JSON,
                    files: dict[str, tuple[str, bytes, str]]) -> JSON:
        filename, data, mime, ref = self._media_input(params.get(kind), kind, files)
        caption, caption_content = self._caption(params)
        markup = self._checked_markup(params)
        content = {kind: self._file_object(kind, filename, data, mime, ref), **caption_content}
        fields: JSON = {"caption": caption, "file_bytes": data, "filename": filename,
                        "mime_type": mime, "file_ref": ref, "reply_markup": markup}
        if kind == "photo":
            fields["photo"] = data
        elif kind == "document":
            fields["document"] = data
        return self._new_message(method, params, content, **fields).payload

    def _api_sendphoto(self, params: JSON, files: Any) -> JSON:
        return self._send_media("sendPhoto", "photo", params, files)

    def _api_senddocument(self, params: JSON, files: Any) -> JSON:
        return self._send_media("sendDocument", "document", params, files)

    def _api_sendmediagroup(self, params: JSON, files: Any) -> list[JSON]:
        media = params.get("media") or []
        if not 2 <= len(media) <= 10:
            raise _bad_request("wrong number of media files")
        results = []
        for item in media:
            kind = item.get("type", "photo")
            filename, data, mime, ref = self._media_input(item.get("media"), kind, files)
            sub_params = {**params, **{k: v for k, v in item.items() if k != "media"}}
            caption, caption_content = self._caption(item)
            content = {kind: self._file_object(kind, filename, data, mime, ref), **caption_content}
            fields: JSON = {"caption": caption, "file_bytes": data, "filename": filename,
                            "mime_type": mime, "file_ref": ref}
            if kind == "photo":
                fields["photo"] = data
            elif kind == "document":
                fields["document"] = data
            results.append(self._new_message("sendMediaGroup", sub_params, content, **fields).payload)
        return results

    def _record_edit(self, method: str, params: JSON, message: SentMessage) -> None:
        record = ApiCall(method, params, at=self.clock())
        self.edits.append(record)
        message.edits.append(record)
        message.payload["edit_date"] = self._now()

    def _apply_markup_edit(self, message: SentMessage, markup: JSON | None) -> None:
        message.reply_markup = markup
        if markup and "inline_keyboard" in markup:
            message.payload["reply_markup"] = markup
        else:
            message.payload.pop("reply_markup", None)

    def _api_editmessagereplymarkup(self, params: JSON, files: Any) -> JSON | bool:
        if params.get("inline_message_id"):
            self.edits.append(ApiCall("editMessageReplyMarkup", params, at=self.clock()))
            return True
        message = self._find_message(params, "edit")
        markup = self._checked_markup(params)
        if self.strict_not_modified and markup == message.payload.get("reply_markup"):
            raise _bad_request(_NOT_MODIFIED)
        self._apply_markup_edit(message, markup)
        self._record_edit("editMessageReplyMarkup", params, message)
        return copy.deepcopy(message.payload)

    def _api_answercallbackquery(self, params: JSON, files: Any) -> bool:
        query_id = str(params.get("callback_query_id"))
        query = self._open_queries.pop(query_id, None)
        if query is None:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                user_id=query["from"]["id"],
                data=query.get("data"),
                text=params.get("text"),
                show_alert=bool(params.get("show_alert", False)),
                url=params.get("url"),
                params=params,
            )
        )
        return True

    def _api_getfile(self, params: JSON, files: Any) -> JSON:
        file_id = str(params.get("file_id"))
        if file_id not in self._files:
            raise _bad_request("invalid file_id")
        name, data, _ = self._files[file_id]
        suffix = re.sub(r"[^A-Za-z0-9.]", "", name.rsplit(".", 1)[-1]) if "." in name else ""
        path = f"documents/file_{file_id[-6:]}" + (f".{suffix}" if suffix else "")
        self._file_paths[path] = file_id
        return {"file_id": file_id, "file_unique_id": f"U{file_id}", "file_size": len(data),
                "file_path": path}

    def _download(self, url: str) -> tuple[int, bytes]:
        url = urllib.parse.unquote(url)
        for path, file_id in self._file_paths.items():
            if url.endswith("/" + path):
                return 200, self._files[file_id][1]
        return 404, json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode()
