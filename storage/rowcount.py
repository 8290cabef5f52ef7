"""How many rows an UPDATE or DELETE touched."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Result


def affected_rows(result: Result[Any]) -> int:
    """The row count of a DML statement's result.

    `AsyncSession.execute` is typed to return a plain `Result`, but an UPDATE or DELETE gives a
    `CursorResult`, the only kind that knows its row count.
    """
    if not isinstance(result, CursorResult):
        raise TypeError(f"expected the result of an UPDATE or DELETE, got a {type(result).__name__}")
    return result.rowcount
