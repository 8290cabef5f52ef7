"""What a chat platform implements so that `teachlog run --platform NAME` and `teachlog worker` can load it."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

if TYPE_CHECKING:
    from bot.app_context import AppContext
    from bot.notifications.messenger import Messenger


@dataclass(frozen=True)
class Capabilities:
    """The limits a platform shows messages within, as its adapter declares them; the core lays every reply out
    within them (:mod:`bot.chat.layout`), so no adapter splits texts or lays out buttons itself."""

    #: The longest text message, in characters.
    text_length: int
    #: The longest caption under a picture or file.
    caption_length: int
    #: How many buttons fit side by side on a phone.
    buttons_per_row: int
    #: Several pictures in one message (Telegram's media group).
    albums: bool
    #: A tapped message can be edited in place.
    edits: bool = True
    #: A tap can be answered with a notice of its own (Telegram's popup, Slack's note only the person sees);
    #: without, the core shows the notice as a message in the chat, before the replies.
    popups: bool = True
    #: Pictures show the reply's text as their caption (Telegram); without, the text goes first in a message of
    #: its own and each picture follows with its own caption (Slack shows a file's comment apart).
    picture_captions: bool = True
    #: How the platform counts the lengths above: "characters", or "utf-16" code units (Telegram).
    text_units: Literal["characters", "utf-16"] = "characters"
    #: How many people's 1:1 chats one call can show the same message in (DingTalk's batchSend: 20); 1 when
    #: every chat is a call of its own.
    batch_size: int = 1
    #: The fewest seconds between two messages to one chat (Slack's chat.postMessage: about one a second); the
    #: core's reply path spaces them, other chats not held up. 0 where the platform sets no such pace, or its
    #: own library keeps to it (Telegram's rate limiter).
    seconds_per_chat_message: float = 0.0

    def length(self, text: str) -> int:
        """The length of `text` as the platform counts it."""
        return len(text.encode("utf-16-le")) // 2 if self.text_units == "utf-16" else len(text)


class Platform(Protocol):
    """A chat platform, built with the application's collaborators and run by `teachlog run`.

    It is registered as an entry point in the `teachlog.platforms` group of
    pyproject.toml, named as `teachlog run --platform NAME` takes it.
    """

    #: The platform's key, as stored in `member_accounts.platform` and in chat addresses. Its limits
    #: (:class:`Capabilities`) are its port's, read where replies are laid out.
    name: str

    def __init__(self, core: AppContext) -> None: ...

    def run(self) -> None:
        """Receive updates and answer them until SIGINT or SIGTERM; also plan and deliver notifications."""

    def messenger(self) -> AbstractAsyncContextManager[Messenger]:
        """A messenger of its own for `teachlog worker`, which delivers without receiving updates."""

    async def invite_link(self, code: str) -> str | None:
        """A link that opens the bot with this invite code, or None when the platform has none."""


class RunsUntilStopped:
    """What the platforms of `teachlog run` share: built with the core, :meth:`serve` run until SIGINT or SIGTERM
    (the core's :class:`bot.chat.runtime.Runtime` handles the signals)."""

    name: ClassVar[str]

    def __init__(self, core: AppContext) -> None:
        self.core = core

    def run(self) -> None:
        asyncio.run(self.serve())

    async def serve(self) -> None:
        raise NotImplementedError
