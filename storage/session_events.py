"""Session events the application subscribes to: told when any session is about to write rows of some models,
and again once that session commits (a rollback ends it quietly). Queries nothing.

Used by caches of what those rows show (see :mod:`bot.people.profile_cache`): forgetting before the write and
again after the commit means a value read while the change was being made is not kept either.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session


def on_writes(models: tuple[type, ...], changed: Callable[[], None]) -> None:
    """Call `changed()` before any session flushes an added, changed or deleted instance of `models`, and again
    after that session commits."""
    written = ("written", models, changed)

    def before_flush(session: Session, _context: Any, _instances: Any) -> None:
        if any(isinstance(thing, models) for thing in itertools.chain(session.new, session.dirty, session.deleted)):
            session.info[written] = True
            changed()

    def after_commit(session: Session) -> None:
        if session.info.pop(written, False):
            changed()

    def after_rollback(session: Session) -> None:
        session.info.pop(written, None)

    event.listen(Session, "before_flush", before_flush)
    event.listen(Session, "after_commit", after_commit)
    event.listen(Session, "after_rollback", after_rollback)
