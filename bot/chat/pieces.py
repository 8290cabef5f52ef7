"""A long text cut at line ends into pieces a platform accepts; each adapter says how it counts and how long."""

from __future__ import annotations

from collections.abc import Callable


def split_at_lines(text: str, limit: int, *, length: Callable[[str], int] = len,
                   hard_cut: int | None = None) -> list[str]:
    """Pieces of at most `limit` (as `length` counts); a single over-long line is cut every `hard_cut`
    characters (default `limit`, for a `length` that counts characters). Blank pieces are dropped."""
    cut = hard_cut or limit
    pieces, current = [], ""
    for line in text.split("\n"):
        while length(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if current and length(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    pieces.append(current)
    return [piece for piece in pieces if piece.strip()]
