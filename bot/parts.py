"""Work on many schools split into parts of about so many members, a school never split between two parts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def in_parts(items: Iterable[T], members: Callable[[T], int], most: int | None) -> list[list[T]]:
    """`items` in order, in parts of at most `most` members (`members` counts an item's; an item with more than
    `most` is a part of its own); one part when `most` is None. Never an empty part, unless there are no items."""
    parts: list[list[T]] = [[]]
    counted = 0
    for item in items:
        size = members(item)
        if most is not None and parts[-1] and counted + size > most:
            parts.append([])
            counted = 0
        parts[-1].append(item)
        counted += size
    return parts
