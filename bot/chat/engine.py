"""The chat engine: routes each event to a flow, keeps the conversation state, returns what to answer.

The state is saved before the outcome is returned, so an adapter that sends
the replies afterwards never shows a step the database does not have.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections import defaultdict
from collections.abc import Sequence

from bot.chat.caller import Caller, caller_of
from bot.chat.events import ChatAddress, Event, Person, Text
from bot.chat.flow import Flow
from bot.chat.replies import Outcome
from bot.chat.state import Conversation, ConversationKey, ConversationStore
from bot.chat.turn import Turn
from bot.core import Core
from bot.observability.log_context import bind_member
from bot.observability.steps import observed_step
from bot.people.usernames import UsernameBook

log = logging.getLogger(__name__)


class ChatEngine:
    def __init__(self, core: Core, flows: Sequence[Flow], fallback: Flow) -> None:
        """`flows` are asked in order whether they want an event; `fallback` answers the rest."""
        self.core, self.flows, self.fallback = core, list(flows), fallback
        self.by_name = {flow.name: flow for flow in [*flows, fallback]}
        self.store = ConversationStore(core.db)
        self.usernames = UsernameBook(core.db)
        self.open: set[ConversationKey] = set()
        self._locks: defaultdict[ConversationKey, asyncio.Lock] = defaultdict(asyncio.Lock)
        #: What this engine last loaded or saved for each key (JSON; None: no conversation), so a step needs
        #: no read. One process receives a platform's updates, so nobody else writes these rows meanwhile.
        self._known: dict[ConversationKey, dict | None] = {}
        #: When each conversation last moved in this process, on the monotonic clock (see :meth:`idled`).
        self._moved: dict[ConversationKey, float] = {}

    @staticmethod
    def key_of(event: Event) -> ConversationKey:
        return ConversationKey(event.chat.platform, event.chat.chat_id, event.person.user_id)

    async def load_open(self) -> None:
        """Learn which conversations are open, so :meth:`answers` can tell without the database."""
        self.open = set((await self.store.all()).keys())

    def answers(self, event: Event) -> bool:
        """Whether a flow other than the fallback takes this event, or a conversation of its person is open."""
        if event.tap is not None and event.action is None:
            return True
        return self.key_of(event) in self.open or any(flow.wants(event) for flow in self.flows)

    def route(self, event: Event) -> Flow:
        return next((flow for flow in self.flows if flow.wants(event)), self.fallback)

    async def handle(self, event: Event) -> Outcome:
        key = self.key_of(event)
        with observed_step(event):
            async with self._locks[key]:
                outcome = await self._handle(key, event)
        await self.remember_handle(event.person)
        return outcome

    async def remember_handle(self, person: Person) -> None:
        """Note a member's @handle for `/report @name` — after the event, so one who just joined is noted too.
        A failure to note it never costs the person their answer."""
        try:
            await self.usernames.remember(person.platform, person.user_id, person.username)
        except Exception:
            log.warning("could not note %s's handle on %s", person.user_id, person.platform, exc_info=True)

    async def _handle(self, key: ConversationKey, event: Event) -> Outcome:
        caller = await caller_of(self.core, event.person)
        bind_member(caller.profile.member_id if caller.profile else None)
        if event.tap is not None and event.action is None:
            return self.malformed_tap(caller)
        conversation = await self._load(key)
        prelude = Outcome()
        if conversation is not None and self.idled(key, conversation):
            prelude = await self._close_idle(conversation, event, caller)
            conversation = None
        flow = self.by_name.get(conversation.flow) if conversation else None
        if conversation is not None and flow is not None:
            turn = Turn(self.core, event, caller, conversation.data)
            step = await flow.resume(turn, conversation.step)
        else:
            flow = self.route(event)
            turn = Turn(self.core, event, caller)
            step = await flow.start(turn)
        saved = Conversation(flow.name, step, turn.data, self.core.clock.now(), event.person.language_code) \
            if step is not None else None
        if saved is not None or conversation is not None:
            await self.store.save(key, saved)
        self._known[key] = copy.deepcopy(saved.to_json()) if saved is not None else None
        if saved is None:
            self.open.discard(key)
            self._moved.pop(key, None)
        else:
            self.open.add(key)
            self._moved[key] = time.monotonic()
        outcome = turn.outcome
        outcome.replies[:0] = prelude.replies
        return outcome

    async def _load(self, key: ConversationKey) -> Conversation | None:
        if key in self._known:
            value = self._known[key]
            return Conversation.from_json(copy.deepcopy(value)) if value is not None else None
        conversation = await self.store.load(key)
        self._known[key] = copy.deepcopy(conversation.to_json()) if conversation is not None else None
        return conversation

    @staticmethod
    def malformed_tap(caller: Caller) -> Outcome:
        """Data no button of ours carries (forged, or garbled): a popup, and nothing changes."""
        return Outcome(popup=caller.t("This button does not work. Use the buttons of my latest message, "
                                      "or send /help."))

    def idled(self, key: ConversationKey, conversation: Conversation) -> bool:
        """Idle past its flow's timeout on the core's clock, or in real time since it last moved in this process.

        The real time counts too because a test's clock stands still while a short timeout runs out.
        """
        flow = self.by_name.get(conversation.flow)
        if flow is None or flow.idle_timeout is None:
            return False
        if conversation.at is not None and self.core.clock.now() - conversation.at >= flow.idle_timeout:
            return True
        moved = self._moved.get(key)
        return moved is not None and time.monotonic() - moved >= flow.idle_timeout.total_seconds()

    async def _close_idle(self, conversation: Conversation, event: Event, caller: Caller) -> Outcome:
        turn = Turn(self.core, event, caller, conversation.data)
        await self.by_name[conversation.flow].on_idle(turn, conversation.step)
        return turn.outcome

    async def expire_idle(self) -> list[tuple[ChatAddress, Outcome]]:
        """Close every conversation idle past its flow's timeout; what to tell each chat."""
        closed = []
        for key, conversation in (await self.store.all()).items():
            if not self.idled(key, conversation):
                continue
            async with self._locks[key]:
                current = await self.store.load(key)
                if current is None or not self.idled(key, current):
                    continue
                person = Person(key.platform, key.user_id, current.language_code)
                event = Event(key.address, person, Text(""))
                outcome = await self._close_idle(current, event, await caller_of(self.core, person))
                await self.store.save(key, None)
                self._known[key] = None
                self.open.discard(key)
                self._moved.pop(key, None)
            closed.append((key.address, outcome))
        return closed
