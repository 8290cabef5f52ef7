"""What arrives from a chat: who wrote, where, and a command, a text, a tap on a choice, a file or a voice message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.chat.actions import Action, decode, draft_id_of


@dataclass(frozen=True)
class ChatAddress:
    """A chat on a platform: a private chat with one person, a group or a channel (its id as text)."""

    platform: str
    chat_id: str


@dataclass(frozen=True)
class Person:
    """The account an event came from, and what the platform says about it."""

    platform: str
    user_id: str
    #: The language the person's app is set to (an IETF tag such as "zh-hans"), when the platform says.
    language_code: str | None = None
    display_name: str | None = None
    username: str | None = None


@dataclass(frozen=True)
class Command:
    """`/name args`: the name lowercased, without the slash or a @botname."""

    name: str
    args: str = ""

    @property
    def words(self) -> list[str]:
        return self.args.split()


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Tap:
    """A tap on a choice: the data the platform gave back, as the core encoded it."""

    data: str

    @property
    def action(self) -> Action | None:
        """The typed action, or None when the data is malformed or forged."""
        return decode(self.data)

    @property
    def draft_id(self) -> str | None:
        return draft_id_of(self.data)


@dataclass(frozen=True)
class Upload:
    """A file or photo sent to the bot, with its caption.

    Where the platform keeps the file (Telegram does), `file_id` is its id there and `data` may be left empty:
    a flow that keeps the file stores the id, and fetches the bytes through the adapter only when it needs them.
    """

    name: str
    data: bytes
    caption: str = ""
    file_id: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True)
class OtherMessage:
    """Anything else a person sent (a sticker, a location…): flows answer it, they cannot use it."""

    kind: str = "other"


@dataclass(frozen=True)
class Voice:
    """A voice message, with the text the platform recognised in it (None when it recognised none)."""

    recognition: str | None
    duration_seconds: float | None = None


MembershipChange = Literal["blocked", "unblocked", "removed", "moved"]


@dataclass(frozen=True)
class BotMembership:
    """The bot's own place in the chat changed, as the platform reports it; nobody is answered
    (:mod:`bot.chat.membership`). In a private chat the person `blocked` or `unblocked` the bot; a group
    `removed` it, or `moved` to the chat `moved_to` (a Telegram group becoming a supergroup)."""

    change: MembershipChange
    moved_to: str | None = None


Body = Command | Text | Tap | Upload | Voice | OtherMessage | BotMembership


@dataclass(frozen=True)
class Event:
    chat: ChatAddress
    person: Person
    body: Body
    #: A one-to-one chat with the bot (not a group or channel).
    private: bool = True
    #: The platform's id of the message a tap came from, for adapters that edit it.
    message_id: str | None = field(default=None, compare=False)
    #: Accounts the message mentions by tapping their name (user ids on the same platform).
    mentions: tuple[str, ...] = ()
    #: The platform's id of this delivery (Telegram's update_id, Slack's event_id), where a platform may deliver
    #: one update twice: the engine answers an update once.
    update_id: str | None = field(default=None, compare=False)

    @property
    def command(self) -> Command | None:
        return self.body if isinstance(self.body, Command) else None

    @property
    def text(self) -> str | None:
        return self.body.text if isinstance(self.body, Text) else None

    @property
    def tap(self) -> Tap | None:
        return self.body if isinstance(self.body, Tap) else None

    @property
    def action(self) -> Action | None:
        return self.body.action if isinstance(self.body, Tap) else None
