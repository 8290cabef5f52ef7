"""Conversation steps that are saved before they are answered, so a crash never leaves a chat in an older step.

python-telegram-bot learns a conversation's next state only when a callback
returns, after its replies went out, and its persistence flushes every few
seconds: a bot killed in between came back in an older step than the one the
teacher sees. Every callback of a conversation built by
:func:`checkpointed_conversation` therefore runs with its replies held back;
when it returns, the next state and the person's `user_data` (the draft) are
written to `chat_state` in one transaction, and only then are the replies sent.
"""

from __future__ import annotations

import contextvars
import copy
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler, TypeHandler

from bot.chat_state import ChatStateStore
from handlers.telegram.persistence import CONVERSATION_KIND, USER_DATA

log = logging.getLogger(__name__)

Callback = Callable[[Any, Any], Coroutine[Any, Any, Any]]
Send = Callable[[], Awaitable[object]]

_held: contextvars.ContextVar[list[Send] | None] = contextvars.ContextVar("held_replies", default=None)


def hold(send: Send) -> bool:
    """Keep `send` for after the step is saved; False outside a checkpointed step (send it now)."""
    held = _held.get()
    if held is None:
        return False
    held.append(send)
    return True


def conversation_key(handler: ConversationHandler, update: Update) -> tuple[int | str, ...]:
    """The key python-telegram-bot files this update's conversation under (per chat and/or user)."""
    key: list[int | str] = []
    if handler.per_chat and update.effective_chat is not None:
        key.append(update.effective_chat.id)
    if handler.per_user and update.effective_user is not None:
        key.append(update.effective_user.id)
    if handler.per_message and update.callback_query is not None:
        query = update.callback_query
        key.append(query.inline_message_id or (query.message.message_id if query.message else ""))
    return tuple(key)


class Checkpoint:
    """Wraps the callbacks of one conversation so each step is written before it is answered."""

    def __init__(self, store: ChatStateStore, conversation: ConversationHandler) -> None:
        self.store, self.conversation = store, conversation

    def wrap(self, callback: Callback, *, ends: bool = False) -> Callback:
        async def step(update: Any, context: Any) -> object:
            held: list[Send] = []
            token = _held.set(held)
            try:
                new_state = await callback(update, context)
            except Exception:
                log.warning("a conversation step failed; %d held replies were not sent", len(held))
                raise
            finally:
                _held.reset(token)
            await self.save(update, context, ConversationHandler.END if ends else new_state)
            for send in held:
                await send()
            return new_state

        step.checkpointed = True  # type: ignore[attr-defined]
        return step

    async def save(self, update: Any, context: Any, new_state: object) -> None:
        changes: dict[tuple[str, str], dict | None] = {}
        if isinstance(update, Update):
            if new_state is not None:
                kind = CONVERSATION_KIND.format(name=self.conversation.name)
                row_key = json.dumps(list(conversation_key(self.conversation, update)))
                changes[kind, row_key] = None if new_state == ConversationHandler.END else {"state": new_state}
            if update.effective_user is not None and context.user_data is not None:
                changes[USER_DATA, str(update.effective_user.id)] = copy.deepcopy(dict(context.user_data))
        await self.store.write(changes)


def is_checkpointed(handler: BaseHandler) -> bool:
    return bool(getattr(handler.callback, "checkpointed", False))


def conversation_handlers(conversation: ConversationHandler) -> list[BaseHandler]:
    handlers = list(conversation.entry_points) + list(conversation.fallbacks)
    for state_handlers in conversation.states.values():
        handlers += state_handlers
    return handlers


def checkpointed_conversation(store: ChatStateStore, **options: Any) -> ConversationHandler:
    """A persistent ConversationHandler whose every step is saved before its replies are sent."""
    conversation: ConversationHandler = ConversationHandler(persistent=True, **options)
    checkpoint = Checkpoint(store, conversation)
    timeout_handlers = conversation.states.setdefault(ConversationHandler.TIMEOUT, [])
    if conversation.conversation_timeout is not None and not timeout_handlers:
        # Without a handler of its own, a timed-out conversation must still be forgotten in the database.
        timeout_handlers.append(TypeHandler(Update, _nothing_to_say))
    for handler in conversation_handlers(conversation):
        ends = handler in timeout_handlers
        handler.callback = checkpoint.wrap(handler.callback, ends=ends)
    if not timeout_handlers:
        del conversation.states[ConversationHandler.TIMEOUT]
    return conversation


async def _nothing_to_say(update: object, context: object) -> None:
    return None
