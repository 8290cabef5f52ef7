"""One event being answered: who sent it, the data of their conversation, and the replies so far."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bot.app_context import AppContext
from bot.chat.caller import Caller, not_a_member_text
from bot.chat.events import Event
from bot.chat.replies import Attachment, Choice, Keyboard, Outcome, Reply, in_rows
from bot.i18n import Translator
from bot.people.membership import Profile


class Turn:
    def __init__(self, core: AppContext, event: Event, caller: Caller, data: dict[str, Any] | None = None) -> None:
        self.core, self.event, self.caller = core, event, caller
        #: The conversation's data: JSON values only, saved with its step.
        self.data: dict[str, Any] = data if data is not None else {}
        self.outcome = Outcome()

    @property
    def t(self) -> Translator:
        return self.caller.t

    @property
    def profile(self) -> Profile | None:
        return self.caller.profile

    @property
    def member(self) -> Profile:
        return self.caller.member

    @property
    def today(self) -> dt.date:
        return self.caller.today

    def members_only(self) -> bool:
        """True for a member; a stranger is told how to join."""
        if self.profile is None:
            self.say(not_a_member_text(self.t))
            return False
        return True

    def now(self) -> dt.datetime:
        return self.core.clock.now()

    def say(self, text: str, *, choices: Sequence[Choice] = (), per_row: int = 2,
            rows: Sequence[Sequence[Choice]] | None = None, html: bool = False, keyboard: Keyboard = (),
            attachments: Sequence[Attachment] = ()) -> None:
        """Answer with a message; its choices `per_row` to a row unless `rows` lays them out."""
        laid_out = tuple(tuple(row) for row in rows) if rows is not None else in_rows(list(choices), per_row)
        self.outcome.replies.append(Reply(text, laid_out, html, tuple(attachments), keyboard))

    def popup(self, text: str | None) -> None:
        self.outcome.popup = text

    def clear_tapped(self) -> None:
        self.outcome.clear_tapped = True
