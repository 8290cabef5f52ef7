"""DingTalk's OpenAPI, asynchronously: the app's access token, robot messages, the session webhook, media upload
and the legacy calls the directory needs — paced within the app's QPS, failures named as delivery exceptions.

Two hosts: the new API (`DINGTALK_API_URL`: the token, `oToMessages/batchSend`,
`groupMessages/send`) answers errors with an HTTP status and `{code, message}`;
the legacy host (`DINGTALK_OAPI_URL`: `media/upload`, `topapi/…`) answers HTTP 200
with `{errcode, errmsg}`. Both come down to :func:`delivery_error`.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiolimiter import AsyncLimiter

from bot.notifications.messenger import DeliveryError, PermanentFailure, QuotaExhausted, RetryLater, TransientFailure
from bot.settings import DingTalkConfig

#: `oToMessages/batchSend` takes at most this many userIds a call.
BATCH_USERS = 20
#: The app's calls a second (DingTalk's default per-app limit for an internal app is 20 QPS).
APP_QPS = 20
#: A robot posts at most 20 messages a minute to one group.
GROUP_MESSAGES_PER_MINUTE = 20
#: Refresh the access token this long before DingTalk's `expireIn` runs out.
TOKEN_MARGIN_SECONDS = 300
#: Throttling backoff: first wait, and the longest.
FIRST_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS = 1.0, 60.0
#: What `media/upload` takes as a `file` (anything else answers errcode 40005).
FILE_EXTENSIONS = frozenset({"doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "pdf", "rar"})

#: The new API's throttling codes (HTTP 403 or 429), and the legacy host's (HTTP 200).
THROTTLING_CODES = frozenset({"Throttling", "Throttling.Api", "Throttling.User",
                              "Forbidden.AccessDenied.QpsLimitForApi", "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
                              "Forbidden.AccessDenied.QpsLimitForApp", "Forbidden.AccessDenied.QpsLimitForAppkey"})
THROTTLING_ERRCODES = frozenset({90002, 90018, 90019})
#: The organisation's monthly API calls are used up (a free organisation's quota).
QUOTA_CODES = frozenset({"Forbidden.AccessDenied.ApiCountLimitForOrg"})
QUOTA_ERRCODES = frozenset({90020})
#: The access token was refused or has expired: fetch a new one and try once more.
TOKEN_ERRCODES = frozenset({40014, 42001, 40001})
TOKEN_CODES = frozenset({"InvalidAuthentication", "Forbidden.AccessDenied.AccessTokenPermissionDenied.Expired"})


class MonthlyQuotaExhausted(QuotaExhausted):
    """The organisation has used its monthly OpenAPI calls (errcode 90020, `ApiCountLimitForOrg`): nothing more
    goes out through the OpenAPI until the month turns; the outbox holds the platform."""


class CredentialsRefused(TransientFailure):
    """DingTalk refused DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET; the message is one line for the operator."""


class TokenRefused(DeliveryError):
    """The access token was refused: the caller fetches a new one and tries again once."""


@dataclass
class Backoff:
    """Exponential waits after consecutive throttling answers; a success starts over."""

    first: float = FIRST_BACKOFF_SECONDS
    ceiling: float = MAX_BACKOFF_SECONDS
    strikes: int = 0

    def next(self) -> float:
        self.strikes += 1
        return min(self.ceiling, self.first * 2 ** (self.strikes - 1))

    def reset(self) -> None:
        self.strikes = 0


def error_code(body: Mapping[str, Any]) -> tuple[str, int | None]:
    """The new API's `code` and the legacy host's `errcode` (0 or absent: none)."""
    errcode = body.get("errcode")
    return str(body.get("code") or ""), int(errcode) if isinstance(errcode, int) and errcode != 0 else None


def is_error(status: int, body: Mapping[str, Any]) -> bool:
    code, errcode = error_code(body)
    return status >= 400 or errcode is not None


def delivery_error(status: int, body: Mapping[str, Any], backoff: Backoff,
                   retry_after: str | None = None) -> DeliveryError:
    """The bot.notifications.messenger exception for an error answer of either host."""
    code, errcode = error_code(body)
    detail = f"DingTalk: {code or errcode or status} {body.get('message') or body.get('errmsg') or ''}".strip()
    if code in QUOTA_CODES or errcode in QUOTA_ERRCODES:
        return MonthlyQuotaExhausted(detail)
    if status == 429 or code in THROTTLING_CODES or code.startswith("Throttling") or errcode in THROTTLING_ERRCODES:
        seconds = backoff.next()
        if retry_after and retry_after.isdigit():
            seconds = max(seconds, float(retry_after))
        return RetryLater(seconds, f"{detail}, retry after {seconds:g} s")
    if status == 401 or code in TOKEN_CODES or errcode in TOKEN_ERRCODES:
        return TokenRefused(detail)
    if status >= 500 or errcode == -1:  # -1: the legacy host's "system busy"
        return TransientFailure(detail)
    return PermanentFailure(detail)


def uploadable(name: str, data: bytes) -> tuple[str, bytes]:
    """A file `media/upload` takes: as it is when DingTalk allows its extension, else zipped (a .csv in a .zip)."""
    stem, dot, extension = name.rpartition(".")
    if dot and extension.lower() in FILE_EXTENSIONS:
        return name, data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return f"{stem or name}.zip", buffer.getvalue()


def message_param(param: Mapping[str, Any]) -> str:
    """A msgParam as DingTalk takes it: JSON text (its size limit counts these UTF-8 bytes)."""
    return json.dumps(param, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class BatchResult:
    """What `batchSend` reports about its recipients: unknown staff ids, and those it held back by flow control."""

    invalid: tuple[str, ...] = ()
    flow_controlled: tuple[str, ...] = ()


@dataclass
class AccessToken:
    value: str = ""
    expires_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class DingTalkOpenAPI:
    """One app's OpenAPI client over an aiohttp session (its own unless one is given); an async context manager."""

    def __init__(self, config: DingTalkConfig, *, session: aiohttp.ClientSession | None = None,
                 qps: float = APP_QPS, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._session = session
        self._own_session = session is None
        self.limiter = AsyncLimiter(qps, 1)
        self.group_limiters: dict[str, AsyncLimiter] = {}
        self.backoff = Backoff()
        self.monotonic = monotonic
        self.token = AccessToken()

    async def __aenter__(self) -> DingTalkOpenAPI:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
        self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    # --- the access token ---

    async def access_token(self) -> str:
        """The app's token, fetched once and again shortly before it expires (concurrent callers share one fetch)."""
        async with self.token.lock:
            if self.token.value and self.monotonic() < self.token.expires_at:
                return self.token.value
            body = {"appKey": self.config.client_id, "appSecret": self.config.client_secret}
            status, answer, retry_after = await self.post(self.config.api_url + "/v1.0/oauth2/accessToken", body)
            if is_error(status, answer):
                error = delivery_error(status, answer, self.backoff, retry_after)
                if isinstance(error, (PermanentFailure, TokenRefused)):
                    raise CredentialsRefused(
                        f"DingTalk refused DINGTALK_CLIENT_ID/DINGTALK_CLIENT_SECRET ({error}): check the internal "
                        "app's AppKey and AppSecret.")
                raise error
            lifetime = float(answer.get("expireIn") or 7200)
            self.token.value = str(answer["accessToken"])
            self.token.expires_at = self.monotonic() + max(lifetime - TOKEN_MARGIN_SECONDS, lifetime / 2)
            return self.token.value

    def forget_token(self) -> None:
        self.token.value, self.token.expires_at = "", 0.0

    # --- calls ---

    async def post(self, url: str, body: Mapping[str, Any] | None = None, *, headers: Mapping[str, str] | None = None,
                   data: aiohttp.FormData | None = None) -> tuple[int, dict[str, Any], str | None]:
        """One paced POST: its status, its JSON body ({} when it has none) and its Retry-After."""
        async with self.limiter:
            try:
                async with self.session.post(url, json=body if data is None else None, data=data,
                                             headers=headers) as response:
                    try:
                        answer = await response.json(content_type=None)
                    except ValueError:
                        answer = {}
                    return response.status, answer if isinstance(answer, dict) else {}, \
                        response.headers.get("Retry-After")
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
                raise TransientFailure(f"DingTalk: {type(error).__name__}: {error}") from error

    async def call(self, url: str, body: Mapping[str, Any] | None = None, *, legacy: bool = False,
                   form: Callable[[], aiohttp.FormData] | None = None) -> dict[str, Any]:
        """A call with the access token (in a header on the new API, in the query on the legacy host).

        A refused token is fetched anew and the call made once more; other errors raise a DeliveryError.
        """
        for attempt in (1, 2):
            token = await self.access_token()
            if legacy:
                separator = "&" if "?" in url else "?"
                status, answer, retry_after = await self.post(f"{url}{separator}access_token={token}", body,
                                                              data=form() if form else None)
            else:
                status, answer, retry_after = await self.post(url, body,
                                                              headers={"x-acs-dingtalk-access-token": token})
            if not is_error(status, answer):
                self.backoff.reset()
                return answer
            error = delivery_error(status, answer, self.backoff, retry_after)
            if isinstance(error, TokenRefused) and attempt == 1:
                self.forget_token()
                continue
            raise error if not isinstance(error, TokenRefused) else TransientFailure(str(error))
        raise AssertionError("unreachable")

    # --- robot messages ---

    async def send_to_users(self, user_ids: Sequence[str], msg_key: str, msg_param: Mapping[str, Any]) -> BatchResult:
        """One message to each person's 1:1 chat with the robot, 20 people a call."""
        invalid: list[str] = []
        held: list[str] = []
        for start in range(0, len(user_ids), BATCH_USERS):
            answer = await self.call(self.config.api_url + "/v1.0/robot/oToMessages/batchSend", {
                "robotCode": self.config.robot_code, "userIds": list(user_ids[start:start + BATCH_USERS]),
                "msgKey": msg_key, "msgParam": message_param(msg_param)})
            invalid += [str(u) for u in answer.get("invalidStaffIdList") or ()]
            held += [str(u) for u in answer.get("flowControlledStaffIdList") or ()]
        return BatchResult(tuple(invalid), tuple(held))

    async def send_to_group(self, open_conversation_id: str, msg_key: str, msg_param: Mapping[str, Any]) -> None:
        """A message to a group the robot is in, within the per-group rate."""
        limiter = self.group_limiters.setdefault(open_conversation_id, AsyncLimiter(GROUP_MESSAGES_PER_MINUTE, 60))
        async with limiter:
            await self.call(self.config.api_url + "/v1.0/robot/groupMessages/send", {
                "robotCode": self.config.robot_code, "openConversationId": open_conversation_id,
                "msgKey": msg_key, "msgParam": message_param(msg_param)})

    async def reply_by_webhook(self, session_webhook: str, message: Mapping[str, Any]) -> None:
        """An answer through the incoming message's session webhook (no access token, no OpenAPI call counted)."""
        status, answer, retry_after = await self.post(session_webhook, message)
        if is_error(status, answer):
            error = delivery_error(status, answer, self.backoff, retry_after)
            raise error if not isinstance(error, TokenRefused) else PermanentFailure(str(error))
        self.backoff.reset()

    async def upload(self, name: str, data: bytes, kind: str = "file") -> tuple[str, str]:
        """Uploads a picture (`image`) or a file (`file`, zipped when DingTalk would refuse its type).

        Its media_id, and its name as uploaded (`entries.zip` for `entries.csv`).
        """
        if kind == "file":
            name, data = uploadable(name, data)

        def form() -> aiohttp.FormData:
            fields = aiohttp.FormData()
            fields.add_field("type", kind)
            fields.add_field("media", data, filename=name)
            return fields

        answer = await self.call(self.config.oapi_url + "/media/upload", legacy=True, form=form)
        return str(answer["media_id"]), name

    async def download(self, download_code: str) -> bytes:
        """A file a person sent the robot, by the download code of their message: `messageFiles/download` names a
        temporary link, which is then read (no token)."""
        answer = await self.call(self.config.api_url + "/v1.0/robot/messageFiles/download", {
            "downloadCode": download_code, "robotCode": self.config.robot_code})
        url = str(answer.get("downloadUrl") or "")
        if not url:
            raise PermanentFailure(f"DingTalk named no download link for {download_code}")
        try:
            async with self.session.get(url) as response:
                if response.status >= 400:
                    raise TransientFailure(f"DingTalk: the download link answered HTTP {response.status}")
                return await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            raise TransientFailure(f"DingTalk: {type(error).__name__}: {error}") from error

    async def legacy(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """A call to the legacy host (`topapi/…`), its answer's JSON."""
        return await self.call(self.config.oapi_url + path, body, legacy=True)
