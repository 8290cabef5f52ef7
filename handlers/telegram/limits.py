"""Telegram's sizes: 4,096 characters a message and 1,024 a caption, counted in UTF-16 code units."""

from __future__ import annotations

from bot.chat.pieces import split_at_lines

CAPTION_LIMIT = 1024
MESSAGE_LIMIT = 4096


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Text cut at line ends into pieces Telegram accepts (an over-long line is cut hard, surrogate pairs whole)."""
    return split_at_lines(text, limit, length=utf16_length, hard_cut=limit // 2)


def headline(text: str) -> str:
    """The first two lines (a report's title and dates), as the caption of pictures the whole text does not fit."""
    return "\n".join(text.splitlines()[:2])
