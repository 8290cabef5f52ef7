"""What a log line is about: the platform, the update and the member being handled, held in context variables.

The chat engine sets the platform and the member for each step (:func:`bot.observability.steps.observed_step`);
an adapter that knows its platform's update id binds it as the update arrives. Log lines written meanwhile, by
any logger, carry them (:mod:`bot.observability.json_logs`). Never names or texts: ids only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_platform: ContextVar[str | None] = ContextVar("teachlog_platform", default=None)
_update_id: ContextVar[str | None] = ContextVar("teachlog_update_id", default=None)
_member_id: ContextVar[int | None] = ContextVar("teachlog_member_id", default=None)


def bind_update_id(update_id: str | int | None) -> None:
    """Call where an update arrives, with the platform's id for it (Telegram's update_id, …)."""
    _update_id.set(None if update_id is None else str(update_id))


def bind_member(member_id: int | None) -> None:
    """The member whose update is being handled (None for someone who is not a member)."""
    _member_id.set(member_id)


@contextmanager
def handling(platform: str) -> Iterator[None]:
    """While one update of `platform` is handled; afterwards the platform, update and member are forgotten."""
    tokens = (_platform.set(platform), _member_id.set(None))
    try:
        yield
    finally:
        _platform.reset(tokens[0])
        _member_id.reset(tokens[1])
        _update_id.set(None)


def current() -> dict[str, str | int]:
    """The platform, update id and member id known here, by the names log lines use."""
    known = {"platform": _platform.get(), "update_id": _update_id.get(), "member_id": _member_id.get()}
    return {name: value for name, value in known.items() if value is not None}
