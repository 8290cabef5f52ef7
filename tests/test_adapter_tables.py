"""What the core does for every adapter from the small tables the adapter declares: how text is written
(TextStyle), how a message's parts look (Look), what an API's error codes mean (ErrorCodes), who a user id is
(PersonLookup), how a webhook's payloads are taken (payload_app), how a connection opens, runs and closes
(listen_until) and how a refused or failed start reads (start_errors)."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app_context import PlatformStartError
from bot.chat.actions import UndoEntry
from bot.chat.api_errors import ErrorCodes
from bot.chat.events import Person
from bot.chat.http_intake import payload_app
from bot.chat.layout import Message
from bot.chat.listening import Connection, listen_until, refused, start_errors, unreachable
from bot.chat.look import Look
from bot.chat.markup import Marks, TextStyle
from bot.chat.person_lookup import PersonLookup
from bot.chat.replies import Choice
from bot.notifications.messenger import PermanentFailure, RetryLater, TransientFailure, Unreachable

STARS = TextStyle(Marks("*", "_", "`"), escapes=(("&", "&amp;"), ("<", "&lt;")), line_break="  \n",
                  command_prefix="/app")


def test_a_text_style_writes_the_cores_marks_commands_escapes_and_line_breaks_the_platforms_way():
    assert STARS.styled("<b>/log</b> a &lt; b\nnext", is_html=True) == "*/app log* a &lt; b  \nnext"
    assert STARS.styled("a <b> & c", is_html=False) == "a &lt;b> &amp; c"
    assert STARS.preview("<b>Send /mine</b>", is_html=True) == "Send /app mine"
    assert TextStyle().styled("<b>kept</b>", is_html=True) == "<b>kept</b>"


def test_a_look_puts_sections_of_styled_text_before_rows_of_buttons_each_with_its_own_id():
    look: Look[tuple] = Look(button=lambda label, data, id_: (label, id_),
                             row=lambda buttons, id_: ("row", id_, buttons),
                             section=lambda text: ("section", text), section_length=12, style=STARS)
    choices = ((Choice("a", UndoEntry(1)), Choice("b", UndoEntry(2))), (Choice("c", UndoEntry(3)),))
    parts = look.parts(Message("<b>first</b> line\nsecond line", html=True, choices=choices))
    assert parts == [("section", "*first* line"), ("section", "second line"),
                     ("row", "choice-0", [("a", "choice-0-0"), ("b", "choice-0-1")]),
                     ("row", "choice-1", [("c", "choice-1-0")])]


def test_an_error_code_table_names_each_answer_for_the_outbox():
    codes = ErrorCodes("Chat", unreachable=frozenset({"gone"}), transient=frozenset({"busy"}),
                       rate_limited=frozenset({"slow_down"}), default_retry_seconds=7)
    waited = codes.error_of(429, "", {"retry-after": "3"})
    assert isinstance(waited, RetryLater) and waited.seconds == 3
    assert codes.error_of(200, "slow_down", {}).seconds == 7  # type: ignore[attr-defined]
    assert isinstance(codes.error_of(200, "gone", {}), Unreachable)
    assert isinstance(codes.error_of(502, "", {}), TransientFailure)
    assert isinstance(codes.error_of(200, "busy", {}), TransientFailure)
    assert str(codes.error_of(400, "bad_blocks", {})) == "Chat: bad_blocks"
    assert isinstance(codes.error_of(400, "bad_blocks", {}), PermanentFailure)


async def test_a_person_is_asked_of_the_platform_once_and_a_failed_answer_is_the_id_and_the_name_sent():
    asked: list[str] = []

    async def ask(user_id: str, fallback: str | None) -> Person:
        asked.append(user_id)
        if user_id == "U2":
            raise OSError("down")
        return Person("chat", user_id, "zh", "Li Lei", "li")

    people = PersonLookup("chat", ask, (OSError,))
    assert (await people.person("U1")).display_name == "Li Lei"
    await people.person("U1")
    fallback = await people.person("U2", "wang")
    assert (fallback.display_name, fallback.language_code) == ("wang", None)
    await people.person("U2")
    assert asked == ["U1", "U2", "U2"], "a person is kept once known; a failure is asked again next time"


async def test_a_webhook_takes_readable_payloads_with_the_secret_and_refuses_the_rest():
    taken: list[int] = []

    async def take(number: int) -> None:
        taken.append(number)

    app = payload_app("/hook", lambda body: int(body), take, header="X-Secret", secret="s3")
    async with TestClient(TestServer(app)) as client:
        assert (await client.post("/hook", data=b"1")).status == 401
        assert (await client.post("/hook", data=b"x", headers={"X-Secret": "s3"})).status == 400
        assert (await client.post("/hook", data=b"2", headers={"X-Secret": "s3"})).status == 200
    assert taken == [2]


async def test_listening_opens_steps_in_order_and_closes_them_the_last_first_when_stopped():
    said: list[str] = []

    def step(name: str) -> Connection:
        async def note(what: str) -> None:
            said.append(f"{what} {name}")
        return Connection(lambda: note("open"), lambda: note("close"))

    stop = asyncio.Event()
    stop.set()
    await listen_until(stop, step("server"), step("webhook"))
    assert said == ["open server", "open webhook", "close webhook", "close server"]


def refused_by(error: Exception) -> Connection:
    """A step (or its loop) that fails with `error`; the platform's line for it names it."""
    async def fail() -> None:
        raise error
    return Connection(fail, run=fail, refusals=((type(error), lambda failure: f"refused: {failure}"),))


async def test_a_refused_step_is_one_line_and_what_was_opened_before_is_closed():
    closed: list[str] = []

    async def close() -> None:
        closed.append("server")

    with pytest.raises(PlatformStartError, match="refused: token"):
        await listen_until(asyncio.Event(), Connection(close=close), refused_by(PermissionError("token")))
    assert closed == ["server"]


async def test_a_loop_that_ends_with_a_refusal_ends_listening_with_its_line_after_closing():
    closed: list[str] = []

    async def close() -> None:
        closed.append("stream")

    loop = refused_by(PermissionError("credentials"))
    with pytest.raises(PlatformStartError, match="refused: credentials"):
        await listen_until(asyncio.Event(), Connection(run=loop.run, close=close, refusals=loop.refusals))
    assert closed == ["stream"]


@pytest.mark.parametrize(("answer", "line"), [
    (lambda error: str(error), "App refused APP_TOKEN (invalid_auth): check the token"),
    (None, "App refused APP_TOKEN: check the token"),
])
def test_refused_credentials_and_a_failed_connection_are_one_line_each(answer, line):
    rows = (refused(PermissionError, "App", "APP_TOKEN", "check the token", answer),
            unreachable(KeyError, "reach the App API"))
    with pytest.raises(PlatformStartError) as raised, start_errors(*rows):
        raise PermissionError("invalid_auth")
    assert str(raised.value) == line
    with pytest.raises(PlatformStartError, match=r"^cannot reach the App API: ConnectionRefusedError$"), \
            start_errors(*rows):
        raise ConnectionRefusedError()
