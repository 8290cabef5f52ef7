"""The chat engine: routes each event to a flow, keeps the conversation state, returns what to answer.

The state is saved before the outcome is returned, so an adapter that sends
the replies afterwards never shows a step the database does not have.

Each step runs with its conversation locked in the database (see
:mod:`storage.conversation_locks`), so several processes can serve one
platform: one person's steps run one at a time, each on the state the last one
saved, and an update delivered twice is answered once.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence

from bot.app_context import AppContext
from bot.chat.caller import Caller, caller_of
from bot.chat.conversations import Conversation, ConversationKey, ConversationStore
from bot.chat.events import ChatAddress, Event, Person, Text
from bot.chat.flow import Flow
from bot.chat.replies import Outcome
from bot.chat.turn import Turn
from bot.observability.log_context import bind_member
from bot.observability.steps import observed_step
from bot.people.usernames import UsernameBook

log = logging.getLogger(__name__)


class ChatEngine:
    def __init__(self, core: AppContext, flows: Sequence[Flow], fallback: Flow) -> None:
        """`flows` are asked in order whether they want an event; `fallback` answers the rest."""
        self.core, self.flows, self.fallback = core, list(flows), fallback
        self.by_name = {flow.name: flow for flow in [*flows, fallback]}
        self.store = ConversationStore(core.db)
        self.usernames = UsernameBook(core.db)
        #: One step per conversation in this process at a time, so that only one of them waits for its database
        #: lock (see :meth:`ConversationStore.hold`), which is what orders steps across processes.
        self._locks: defaultdict[ConversationKey, asyncio.Lock] = defaultdict(asyncio.Lock)
        #: When this process last saved each conversation, on the monotonic clock, and the revision it saved
        #: (see :meth:`idled`).
        self._moved: dict[ConversationKey, tuple[float, str | None]] = {}

    @staticmethod
    def key_of(event: Event) -> ConversationKey:
        return ConversationKey(event.chat.platform, event.chat.chat_id, event.person.user_id)

    async def settled(self) -> None:
        """Wait for what the flows left running after their answers (`teachlog chat` before it ends)."""
        for flow in (*self.flows, self.fallback):
            await flow.settled()

    def route(self, event: Event) -> Flow:
        return next((flow for flow in self.flows if flow.wants(event)), self.fallback)

    async def handle(self, event: Event) -> Outcome:
        key = self.key_of(event)
        with observed_step(event):
            async with self._locks[key], self.store.hold(key, event.update_id) as held:
                if held.duplicate:
                    log.info("update %s on %s was answered already", event.update_id, key.platform)
                    return Outcome(answered_before=True)
                outcome, saved = await self._step(key, event, held.conversation)
                await held.finish(saved, self.core.clock.now())
            if saved is not held.conversation:  # the same object: the step left it as it was (a malformed tap)
                self._remember(key, saved)
        await self.remember_handle(event.person)
        return outcome

    async def remember_handle(self, person: Person) -> None:
        """Note a member's @handle for `/report @name` — after the event, so one who just joined is noted too.
        A failure to note it never costs the person their answer."""
        try:
            await self.usernames.remember(person.platform, person.user_id, person.username)
        except Exception:
            log.warning("could not note %s's handle on %s", person.user_id, person.platform, exc_info=True)

    async def _step(self, key: ConversationKey, event: Event,
                    conversation: Conversation | None) -> tuple[Outcome, Conversation | None]:
        """What to answer, and the conversation as the step leaves it (None: none open)."""
        caller = await caller_of(self.core, event.person)
        bind_member(caller.profile.member_id if caller.profile else None)
        if event.tap is not None and event.action is None:
            return self.malformed_tap(caller), conversation
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
        saved = Conversation(flow.name, step, turn.data, self.core.clock.now(), event.person.language_code,
                             uuid.uuid4().hex[:12]) if step is not None else None
        outcome = turn.outcome
        outcome.replies[:0] = prelude.replies
        return outcome, saved

    def _remember(self, key: ConversationKey, saved: Conversation | None) -> None:
        if saved is None:
            self._moved.pop(key, None)
        else:
            self._moved[key] = (time.monotonic(), saved.revision)

    @staticmethod
    def malformed_tap(caller: Caller) -> Outcome:
        """Data no button of ours carries (forged, or garbled): a popup, and nothing changes."""
        return Outcome(popup=caller.t("This button does not work. Use the buttons of my latest message, "
                                      "or send /help."))

    def idled(self, key: ConversationKey, conversation: Conversation) -> bool:
        """Idle past its flow's timeout on the core's clock, or in real time since it last moved in this process.

        The real time counts too because a test's clock stands still while a short timeout runs out; it counts
        only while the conversation is as this process saved it (another process may have moved it since).
        """
        flow = self.by_name.get(conversation.flow)
        if flow is None or flow.idle_timeout is None:
            return False
        if conversation.at is not None and self.core.clock.now() - conversation.at >= flow.idle_timeout:
            return True
        moved_at, revision = self._moved.get(key, (None, None))
        return moved_at is not None and revision == conversation.revision \
            and time.monotonic() - moved_at >= flow.idle_timeout.total_seconds()

    async def _close_idle(self, conversation: Conversation, event: Event, caller: Caller) -> Outcome:
        turn = Turn(self.core, event, caller, conversation.data)
        await self.by_name[conversation.flow].on_idle(turn, conversation.step)
        return turn.outcome

    async def expire_idle(self) -> list[tuple[ChatAddress, Outcome]]:
        """Close every conversation idle past its flow's timeout; what to tell each chat.

        Also forgets the platform updates handled long ago (see :meth:`ConversationStore.forget_handled`).
        """
        await self.store.forget_handled(self.core.clock.now())
        closed = []
        for key, conversation in (await self.store.all()).items():
            if not self.idled(key, conversation):
                continue
            async with self._locks[key], self.store.hold(key) as held:
                current = held.conversation
                if current is None or not self.idled(key, current):
                    continue
                person = Person(key.platform, key.user_id, current.language_code)
                event = Event(key.address, person, Text(""))
                outcome = await self._close_idle(current, event, await caller_of(self.core, person))
                await held.finish(None, self.core.clock.now())
            self._remember(key, None)
            closed.append((key.address, outcome))
        return closed
