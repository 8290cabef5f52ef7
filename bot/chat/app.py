"""The chat engine with every flow of teachlog, in the order they are asked whether they want an event."""

from __future__ import annotations

import datetime as dt

from bot.chat.engine import ChatEngine
from bot.chat.flows.basics import Basics
from bot.chat.flows.groups import GroupLinks
from bot.chat.flows.join import Join
from bot.chat.flows.lookback import History, Mine, Undo
from bot.chat.flows.records import Records
from bot.chat.flows.reminders import Away, Back, RemindTomorrow
from bot.chat.flows.settings import Settings
from bot.core import Core

IDLE_TIMEOUT = dt.timedelta(minutes=15)


def build_engine(core: Core, idle_timeout: dt.timedelta | float = IDLE_TIMEOUT) -> ChatEngine:
    """`idle_timeout` closes an unfinished conversation (seconds, or a timedelta)."""
    timeout = idle_timeout if isinstance(idle_timeout, dt.timedelta) else dt.timedelta(seconds=idle_timeout)
    flows = [Join(), Mine(), History(), Undo(), Settings(), Away(), Back(), RemindTomorrow(), Records(),
             GroupLinks()]
    for flow in flows:
        if flow.idle_timeout is not None:
            flow.idle_timeout = timeout
    return ChatEngine(core, flows, fallback=Basics())
