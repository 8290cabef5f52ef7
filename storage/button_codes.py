"""Button codes: the short code that stands for a button's (label, action data), issued and read back.

Codes are made by the caller (`new_code`); one (label, data) keeps its code, and
putting it on a new message renews it. Codes not issued since `cutoff` are
forgotten. Safe across processes: a code or a (label, data) taken by another
writer at the same moment is retried in a savepoint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ButtonCode
from storage.rowcount import affected_rows

#: How many fresh codes are tried for one button before giving up (collisions are rare at 31⁵ codes).
ATTEMPTS = 8


async def code_for(session: AsyncSession, label: str, data: str, now: dt.datetime,
                   new_code: Callable[[], str]) -> str:
    """The code of (label, data), renewed at `now`; a new one when it has none."""
    for _ in range(ATTEMPTS):
        existing = await session.scalar(select(ButtonCode.code).where(ButtonCode.label == label,
                                                                      ButtonCode.data == data))
        if existing is not None:
            await session.execute(update(ButtonCode).where(ButtonCode.code == existing).values(issued_at=now))
            return existing
        code = new_code()
        try:
            async with session.begin_nested():
                session.add(ButtonCode(code=code, label=label, data=data, issued_at=now))
            return code
        except IntegrityError:
            continue  # the code was taken, or another process just gave (label, data) one: look again
    raise RuntimeError(f"no free button code after {ATTEMPTS} attempts")


async def codes_for(session: AsyncSession, buttons: Sequence[tuple[str, str]], now: dt.datetime,
                    new_code: Callable[[], str]) -> list[str]:
    return [await code_for(session, label, data, now, new_code) for label, data in buttons]


async def button_of(session: AsyncSession, code: str, since: dt.datetime) -> tuple[str, str] | None:
    """The (label, data) of a code issued at or after `since`; None for an unknown or forgotten code."""
    row = (await session.execute(select(ButtonCode.label, ButtonCode.data)
                                 .where(ButtonCode.code == code, ButtonCode.issued_at >= since))).first()
    return (row.label, row.data) if row is not None else None


async def forget_before(session: AsyncSession, cutoff: dt.datetime) -> int:
    """Deletes the codes not issued since `cutoff`; how many."""
    return affected_rows(await session.execute(delete(ButtonCode).where(ButtonCode.issued_at < cutoff)))
