"""How problems a family raised read while they are noted on an entry, and why a typed one is refused."""

from __future__ import annotations

from bot.i18n import Translator


def noted_problems_text(texts: list[str], t: Translator) -> str:
    """The problems noted on a draft entry, numbered."""
    return "\n".join([t("Problems raised:"), *(f"{n}. {text}" for n, text in enumerate(texts, 1))])
