"""How a student's or family's name is compared: "Wang Xiaoming", "wang  xiaoming" and "WangXiaoming" are one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def student_key(name: str) -> str:
    """Case-folded, with all white space removed (Chinese names carry no spaces; Latin ones vary)."""
    return "".join(name.split()).casefold()


def named(items: Sequence[T], reference: str, name_of: Callable[[T], str]) -> list[T]:
    """The items whose name is `reference` (compared as :func:`student_key` does), else those whose name holds it:
    one item when the reference is clear, several or none when it is not."""
    wanted = student_key(reference)
    if not wanted:
        return []
    exact = [item for item in items if student_key(name_of(item)) == wanted]
    return exact or [item for item in items if wanted in student_key(name_of(item))]
