"""Text from people, made safe to store and to show.

PostgreSQL refuses the NUL character in text, so no incoming text may carry
one (:func:`without_nul`, applied by the chat runtime to every event an
adapter reads, whatever its platform). Names are shown side by side in rankings and lists, where
invisible format characters — bidi overrides and isolates such as U+202E,
marks such as U+200E, zero-width spaces — reorder or hide the text around
them; :func:`clean_name` removes them (and other control characters) from
every name that is stored, and keeps the rest, including the zero-width
joiners and tags inside emoji sequences.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import TypeVar, cast

NUL = "\x00"
ZERO_WIDTH_JOINER = "\u200d"
BLACK_FLAG = "\U0001f3f4"  # subdivision flags are 🏴 followed by tag characters
TAGS = range(0xE0020, 0xE0080)
T = TypeVar("T")


def without_nul(value: T) -> T:
    """`value` — text, lists, tuples and dicts of it, or dataclasses holding them — with every NUL character
    removed."""
    if isinstance(value, str):
        return cast(T, value.replace(NUL, ""))
    if isinstance(value, list | tuple):
        return cast(T, type(value)(without_nul(item) for item in value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: without_nul(getattr(value, field.name)) for field in dataclasses.fields(value)
                  if field.init}
        return cast(T, dataclasses.replace(value, **fields))
    if isinstance(value, dict):
        return cast(T, {key: without_nul(item) for key, item in value.items()})
    return value


def _is_emoji(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk") or char == "\ufe0f"


def _kept(text: str, i: int) -> bool:
    """Whether the control or format character at `i` belongs to an emoji sequence."""
    char = text[i]
    if char == ZERO_WIDTH_JOINER:
        return 0 < i < len(text) - 1 and _is_emoji(text[i - 1]) and _is_emoji(text[i + 1])
    if ord(char) in TAGS:
        return i > 0 and (text[i - 1] == BLACK_FLAG or ord(text[i - 1]) in TAGS)
    return False


def clean_name(text: str) -> str:
    """A name without control and format characters (except in emoji), its white space tidied; may be empty."""
    kept = []
    for i, char in enumerate(text):
        category = unicodedata.category(char)
        if category == "Cc" and char.isspace():
            kept.append(" ")
        elif category not in ("Cc", "Cf") or _kept(text, i):
            kept.append(char)
    return " ".join("".join(kept).split())
