"""Telegram's sizes: 4,096 characters a message and 1,024 a caption, counted in UTF-16 code units."""

from __future__ import annotations

CAPTION_LIMIT = 1024
MESSAGE_LIMIT = 4096


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Text cut at line ends into pieces Telegram accepts (a single over-long line is cut hard)."""
    pieces, current = [], ""
    for line in text.split("\n"):
        while utf16_length(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit // 2])
            line = line[limit // 2:]
        candidate = f"{current}\n{line}" if current else line
        if current and utf16_length(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    pieces.append(current)
    return [piece for piece in pieces if piece.strip()]


def headline(text: str) -> str:
    """The first two lines (a report's title and dates), as the caption of pictures the whole text does not fit."""
    return "\n".join(text.splitlines()[:2])
