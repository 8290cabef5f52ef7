"""A flow: a conversation (join, log, …) or a one-step command, as the engine calls it."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from bot.chat.actions import Action
from bot.chat.commands import flow_for
from bot.chat.events import Event
from bot.chat.turn import Turn

#: What `start` and `resume` return when the conversation is over.
END = None


class Flow:
    """Subclasses set `name`, the tapped actions that start them, and implement `start`; the commands that
    start them are those the catalogue (`bot.chat.commands`) gives to their `name`.

    A flow that returns a step name from `start` or `resume` is a conversation:
    every later event of that person in that chat comes to its `resume` until
    it returns END, or it idles for `idle_timeout`.
    """

    name: ClassVar[str]
    #: Tapped actions it answers outside a conversation.
    actions: ClassVar[tuple[type[Action], ...]] = ()
    #: How long an open conversation of this flow may idle before it is closed; None for one-step flows.
    idle_timeout: dt.timedelta | None = None

    def wants(self, event: Event) -> bool:
        """Whether this flow answers the event when no conversation is open."""
        if event.command is not None:
            return flow_for(event.command.name, private=event.private) == self.name
        action = event.action
        return action is not None and isinstance(action, self.actions)

    async def start(self, turn: Turn) -> str | None:
        raise NotImplementedError

    async def resume(self, turn: Turn, step: str) -> str | None:
        """An event within the conversation, waiting at `step`."""
        raise NotImplementedError(f"{self.name} has no conversation to resume")

    async def settled(self) -> None:
        """Wait for what the flow left running after its answers (a report being prepared to follow)."""

    async def on_idle(self, turn: Turn, step: str) -> None:
        """The conversation idled past `idle_timeout` and is being closed: say so."""
