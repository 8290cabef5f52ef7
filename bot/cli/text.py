"""Small helpers for the CLI's printed output: counted nouns, and columns that line up with Chinese text."""

from __future__ import annotations

import unicodedata


def count(number: int, singular: str, plural: str | None = None) -> str:
    """``1 rule``, ``2 rules``, ``3 activities`` (give the plural when adding an s is wrong)."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def one_line(message: str) -> str:
    """The message with every run of white space, line breaks included, made one space."""
    return " ".join(message.split())


def display_width(text: str) -> int:
    """Columns a terminal uses for the text: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int) -> str:
    """The text followed by spaces up to ``width`` terminal columns."""
    return text + " " * max(width - display_width(text), 0)


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Lines of a plain text table whose columns line up in a terminal, header first."""
    widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return ["  ".join(pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in [header, *rows]]
