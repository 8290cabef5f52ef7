"""The runtime around the chat engine, the same for every platform: an adapter's port plugs into it.

It receives each payload the adapter hands over, reads it as an event through
the port (every NUL character removed, whatever the platform: PostgreSQL
refuses them), has the engine answer it, and shows the outcome through the port
and the one reply path (:mod:`bot.chat.reply_path`). A failure is logged and the
person gets an apology in their language. One scheduler (APScheduler's
AsyncIOScheduler) closes idle conversations and, in `teachlog run`, plans and
delivers notifications and warms the stored reports. :meth:`Runtime.run` runs
until SIGINT or SIGTERM and stops cleanly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import signal
from typing import Any

from bot.app_context import AppContext
from bot.chat.caller import caller_of
from bot.chat.engine_builder import IDLE_TIMEOUT, build_engine
from bot.chat.events import BotMembership, ChatAddress, Person
from bot.chat.membership import apply_membership
from bot.chat.port import ChatPort, FilePort, ListeningPort
from bot.chat.replies import Outcome, Reply
from bot.chat.reply_path import ReplyPath
from bot.chat.scheduled_jobs import Job, ScheduledJobs
from bot.clean_text import without_nul
from bot.i18n import N_, Translator, choose_language, translator
from bot.notifications.delivery import DeliveryPolicy
from bot.notifications.notifier import Notifier, TickReport, worker_name
from bot.notifications.weekly_facts import StandingSource, database_standing
from bot.observability.log_context import bind_update_id
from bot.observability.metrics import apology_sent, set_platform_connected
from bot.reporting.warm import ReportWarmer

log = logging.getLogger(__name__)

APOLOGY = N_("Sorry, something went wrong on my side. Please try again in a moment; "
             "if it keeps happening, tell your school's leader.")
#: Notifications are planned and delivered every minute, the first round soon after the start.
NOTIFY_INTERVAL_SECONDS = 60
FIRST_NOTIFY_SECONDS = 5
#: A round stops delivering after this long, so rounds never overlap; the next one carries on.
ROUND_BUDGET_SECONDS = 45
#: Stale stored report windows (a policy changed, the stored format, the day) are looked for this often, and
#: recomputed one at a time (see ReportWarmer); looking takes a dozen statements.
WARM_INTERVAL_SECONDS = 30


def idle_check_seconds(idle_timeout: dt.timedelta | float) -> float:
    """How often to look for idle conversations: a fraction of the timeout, at most every 30 s."""
    seconds = idle_timeout.total_seconds() if isinstance(idle_timeout, dt.timedelta) else float(idle_timeout)
    return max(0.05, min(30.0, seconds / 4))


class PortOutbound:
    """What flows reach beyond the chat they answer (:class:`bot.chat.outbound.Outbound`), through the port."""

    def __init__(self, port: ChatPort, replies: ReplyPath) -> None:
        self.port, self.replies = port, replies

    async def send(self, chat: ChatAddress, reply: Reply) -> bool:
        return chat.platform == self.port.name and await self.replies.answer(chat, reply)

    async def fetch_file(self, platform: str, file_id: str) -> bytes:
        """A file a person sent on this port's platform; LookupError for another platform's, or where the port
        fetches no files."""
        if platform != self.port.name or not isinstance(self.port, FilePort):
            raise LookupError(f"a {platform} file cannot be fetched on {self.port.name}")
        return await self.port.fetch_file(file_id)


class Runtime:
    """One platform's port, the engine, the reply path and the scheduler.

    With `notifications`, the scheduler also plans and delivers the platform's
    notifications and warms the stored reports (`teachlog run`, where no separate
    worker is needed).
    """

    def __init__(self, core: AppContext, port: ChatPort, *, idle_timeout: dt.timedelta | float = IDLE_TIMEOUT,
                 notifications: bool = False, standing: StandingSource | None = None,
                 policy: DeliveryPolicy = DeliveryPolicy()) -> None:
        self.core, self.port = core, port
        self.replies = ReplyPath(port)
        self.engine = build_engine(core, idle_timeout, PortOutbound(port, self.replies))
        self.idle_check = idle_check_seconds(idle_timeout)
        self.notifier = Notifier(core.db, core.clock, standing or database_standing(core.db), worker_name("bot"),
                                 platform=port.name, policy=policy) if notifications else None
        self.warmer = ReportWarmer(core.db) if notifications else None
        self.jobs = ScheduledJobs()

    # --- answering --------------------------------------------------------------------------------

    async def receive(self, raw: Any, what: str = "an update") -> None:
        """Answer one payload of the adapter's; nothing it does raises (failures are logged, people apologised to)."""
        try:
            event = await self.port.event_of(raw)
        except Exception:
            log.exception("%s could not be read", what)
            return
        if event is None:
            return
        event = without_nul(event)
        bind_update_id(event.update_id)
        if isinstance(event.body, BotMembership):  # the platform's word on the bot itself: nobody is answered
            try:
                await apply_membership(self.core, event, event.body)
            except Exception:
                log.exception("%s could not be handled", what)
            return
        try:
            outcome = await self.engine.handle(event)
        except Exception:
            log.error("%s could not be handled", what, exc_info=True)
            outcome = Outcome([Reply((await self.language_of(event.person))(APOLOGY))])
            apology_sent(self.port.name)
        if outcome.answered_before:  # a platform's second delivery of an update: the first one was answered
            return
        await self.answer(raw, event.chat, outcome)

    async def answer(self, raw: Any, chat: ChatAddress, outcome: Outcome) -> None:
        """The outcome of a payload: the payload acknowledged (a tap's popup), then each reply, in order.

        On a platform whose messages cannot be edited, the tapped buttons stay (the engine refuses a stale tap);
        on one without popups, the popup is a message of its own."""
        if outcome.clear_tapped and not self.port.capabilities.edits:
            outcome = dataclasses.replace(outcome, clear_tapped=False)
        if outcome.popup and not self.port.capabilities.popups:
            outcome = dataclasses.replace(outcome, popup=None, replies=[Reply(outcome.popup), *outcome.replies])
        try:
            await self.port.acknowledge(raw, outcome)
        except Exception as error:  # the replies still go out: the tap's spinner is the lesser loss
            log.warning("could not acknowledge a payload in %s chat %s: %s", chat.platform, chat.chat_id, error)
        await self.tell(chat, outcome)

    async def tell(self, chat: ChatAddress, outcome: Outcome) -> None:
        """An outcome's replies in a chat, not tied to a payload (idle expiry, a form's confirmation)."""
        for reply in outcome.replies:
            await self.replies.answer(chat, reply)

    async def language_of(self, person: Person) -> Translator:
        """The person's language; their app's language when even looking them up fails."""
        try:
            return (await caller_of(self.core, person)).t
        except Exception:  # the failure being apologised for may be the database itself
            return translator(choose_language(None, person.language_code, None))

    # --- scheduled work ---------------------------------------------------------------------------

    async def expire_idle(self) -> None:
        """Close idle conversations and tell their chats."""
        for address, outcome in await self.engine.expire_idle():
            if address.platform == self.port.name:
                await self.tell(address, outcome)

    async def notify(self) -> TickReport | None:
        """One round: plan what is due for every platform, deliver this platform's through the reply path."""
        if self.notifier is None:
            return None
        return await self.notifier.tick(self.replies, budget_seconds=ROUND_BUDGET_SECONDS)

    async def warm(self) -> None:
        if self.warmer is not None:
            await self.warmer.warm(self.core.clock.now())

    async def start(self) -> None:
        """Start the scheduler (in the running event loop); once."""
        if self.jobs.started:
            return
        jobs: list[tuple[Job, float, float]] = [(self.expire_idle, self.idle_check, self.idle_check)]
        if self.notifier is not None:
            jobs += [(self.notify, NOTIFY_INTERVAL_SECONDS, FIRST_NOTIFY_SECONDS),
                     (self.warm, WARM_INTERVAL_SECONDS, FIRST_NOTIFY_SECONDS + 1)]
        self.jobs.start(jobs)

    async def stop(self) -> None:
        """Stop the scheduler; a job in the middle of a round is cancelled (the outbox's leases cover it) and has
        ended when this returns."""
        await self.jobs.stop()

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Listen through the port until SIGINT, SIGTERM or `stop`; then stop the scheduler and close the database.
        A port that only sends (no `listen`) is refused before anything starts."""
        port = self.port
        if not isinstance(port, ListeningPort):
            raise TypeError(f"this {port.name} port only sends; it cannot listen")
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        try:
            await self.start()
            set_platform_connected(self.port.name, True)
            await port.listen(self, stop)
        finally:
            set_platform_connected(self.port.name, False)
            stop.set()
            await self.stop()
            await self.core.db.dispose()
            for signal_number in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signal_number)
