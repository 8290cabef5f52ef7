"""How problems a family raised read while they are noted on an entry, and why a typed one is refused."""

from __future__ import annotations

from bot.i18n import N_, Translator

PROBLEM_TEXT_ERRORS = {
    "empty": N_("Please type the problem, or tap Done."),
    "too_long": N_("A problem can be at most {limit} characters; yours has {length}. Please shorten it."),
}


def noted_problems_text(texts: list[str], t: Translator) -> str:
    """The problems noted on a draft entry, numbered."""
    return "\n".join([t("Problems raised:"), *(f"{n}. {text}" for n, text in enumerate(texts, 1))])
