"""The chat engine with every flow of teachlog, in the order they are asked whether they want an event."""

from __future__ import annotations

import datetime as dt

from bot.app_context import AppContext
from bot.chat.engine import ChatEngine
from bot.chat.flows.basics import Basics
from bot.chat.flows.export import Export
from bot.chat.flows.groups import GroupLinks
from bot.chat.flows.join import Join
from bot.chat.flows.log import Log
from bot.chat.flows.lookback import History, Mine, Undo
from bot.chat.flows.problems import Problems
from bot.chat.flows.records import Records
from bot.chat.flows.reminders import Away, Back, RemindTomorrow
from bot.chat.flows.report import Report
from bot.chat.flows.settings import Settings
from bot.chat.outbound import Nowhere, Outbound

IDLE_TIMEOUT = dt.timedelta(minutes=15)


def build_engine(core: AppContext, idle_timeout: dt.timedelta | float = IDLE_TIMEOUT,
                 outbound: Outbound | None = None) -> ChatEngine:
    """`idle_timeout` closes an unfinished conversation (seconds, or a timedelta); `outbound` is the platform's
    way to message other chats and fetch stored files (none by default)."""
    timeout = idle_timeout if isinstance(idle_timeout, dt.timedelta) else dt.timedelta(seconds=idle_timeout)
    reach = outbound or Nowhere()
    flows = [Log(), Join(), Mine(), History(), Undo(), Report(reach), Problems(reach), Export(reach), Settings(),
             Away(), Back(), RemindTomorrow(), Records(), GroupLinks()]
    for flow in flows:
        if flow.idle_timeout is not None:
            flow.idle_timeout = timeout
    return ChatEngine(core, flows, fallback=Basics())
