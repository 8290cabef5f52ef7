"""Notifications inside `teachlog run`: a JobQueue job that plans and delivers every minute."""

from __future__ import annotations

from telegram.ext import Application

from bot.core import Core
from bot.notifications.delivery import DeliveryPolicy
from bot.notifications.notifier import Notifier, TickReport, worker_name
from bot.notifications.weekly_facts import StandingSource, database_standing
from bot.platforms import TELEGRAM
from bot.reporting.warm import ReportWarmer
from handlers.telegram.common import Context
from handlers.telegram.messenger import TelegramMessenger

INTERVAL_SECONDS = 60
FIRST_RUN_SECONDS = 5
#: A round stops delivering after this long, so rounds never overlap; the next one carries on.
ROUND_BUDGET_SECONDS = 45


class NotificationJob:
    def __init__(self, core: Core, standing: StandingSource | None = None, *,
                 policy: DeliveryPolicy = DeliveryPolicy()) -> None:
        self.notifier = Notifier(core.db, core.clock, standing or database_standing(core.db), worker_name("bot"),
                                 platform=TELEGRAM, policy=policy, warmer=ReportWarmer(core.db))

    def schedule(self, application: Application, interval: float = INTERVAL_SECONDS) -> None:
        if application.job_queue is None:
            raise RuntimeError("python-telegram-bot is installed without its job-queue extra")
        application.job_queue.run_repeating(self.run, interval=interval, first=FIRST_RUN_SECONDS,
                                            name="notifications")

    async def run(self, context: Context) -> None:
        await self.tick(context.application)

    async def tick(self, application: Application) -> TickReport:
        """One round: plan what is due, deliver it through the application's (rate-limited) bot."""
        return await self.notifier.tick(TelegramMessenger(application.bot), budget_seconds=ROUND_BUDGET_SECONDS)
