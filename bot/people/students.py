"""How a student's or family's name is compared: "Wang Xiaoming", "wang  xiaoming" and "WangXiaoming" are one."""

from __future__ import annotations


def student_key(name: str) -> str:
    """Case-folded, with all white space removed (Chinese names carry no spaces; Latin ones vary)."""
    return "".join(name.split()).casefold()
