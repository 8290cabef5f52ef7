"""The conversation a person is in, per chat, saved in `chat_state` at every step before its replies go out."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from bot.chat.events import ChatAddress
from bot.chat.key_value_store import ChatStateStore
from storage import conversation_locks
from storage import repository as repo
from storage.db import Database

KIND = "chat"


@dataclass(frozen=True)
class ConversationKey:
    """One person in one chat: their conversation there is theirs alone, on any platform."""

    platform: str
    chat_id: str
    user_id: str

    @property
    def address(self) -> ChatAddress:
        return ChatAddress(self.platform, self.chat_id)

    def text(self) -> str:
        return json.dumps([self.platform, self.chat_id, self.user_id], ensure_ascii=False)

    @classmethod
    def from_text(cls, text: str) -> ConversationKey:
        platform, chat_id, user_id = json.loads(text)
        return cls(platform, chat_id, user_id)


@dataclass
class Conversation:
    """A flow in progress: which flow, which step it waits at, its data (JSON), and when it last moved."""

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    at: dt.datetime | None = None
    #: The language the person's app said at their last event, to close an idle conversation in it.
    language_code: str | None = None
    #: A token new at every save, so a process can tell whether the state is still the one it saved.
    revision: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"flow": self.flow, "step": self.step, "data": self.data,
                "at": self.at.isoformat() if self.at else None, "language_code": self.language_code,
                "revision": self.revision}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Conversation:
        at = value.get("at")
        return cls(value["flow"], value["step"], dict(value.get("data") or {}),
                   dt.datetime.fromisoformat(at) if at else None, value.get("language_code"), value.get("revision"))


class HeldConversation:
    """A conversation locked for one step (see :func:`storage.conversation_locks.hold`): what was saved, whether
    the event's update was answered already, and :meth:`finish` to save what the step left."""

    def __init__(self, held: conversation_locks.HeldConversation) -> None:
        self._held = held
        self.duplicate = held.duplicate
        self.conversation = Conversation.from_json(held.value) if held.value else None

    async def finish(self, conversation: Conversation | None, now: dt.datetime) -> None:
        await self._held.finish(conversation.to_json() if conversation is not None else None, now)


class ConversationStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def load(self, key: ConversationKey) -> Conversation | None:
        async with self.db.transaction() as session:
            value = await repo.load_chat_state_row(session, KIND, key.text())
        return Conversation.from_json(value) if value else None

    @contextlib.asynccontextmanager
    async def hold(self, key: ConversationKey, update_id: str | None = None) -> AsyncIterator[HeldConversation]:
        """Lock the conversation across processes while a step runs; `update_id` is checked and recorded."""
        update = conversation_locks.UpdateRef(key.platform, update_id) if update_id is not None else None
        async with conversation_locks.hold(self.db, KIND, key.text(), update) as held:
            yield HeldConversation(held)

    async def forget_handled(self, now: dt.datetime) -> None:
        """Forget the updates handled longer ago than a platform would deliver one again."""
        await conversation_locks.forget_handled(self.db, now - conversation_locks.HANDLED_FOR)

    async def all(self) -> dict[ConversationKey, Conversation]:
        rows = await ChatStateStore(self.db).load(KIND)
        return {ConversationKey.from_text(key): Conversation.from_json(value) for key, value in rows.items() if value}
