"""Chinese and English messages from gettext catalogs.

Message ids are the English text; `locale/zh/LC_MESSAGES/teachlog.po` holds the
Chinese. Catalogs are read from the `.po` files through Babel when first used,
so no compiled `.mo` file has to be built or committed.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from functools import lru_cache
from importlib.resources import files
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("zh", "en")
DOMAIN = "teachlog"


@lru_cache(maxsize=None)
def translations(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    po_path = files("bot") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """`t("Saved.")` and `t.n("{n} visit", "{n} visits", n)` in one language."""

    def __init__(self, language: str) -> None:
        self.language = normalize_language(language) or "zh"
        self._catalog = translations(self.language)

    def __call__(self, message: str, **values: object) -> str:
        text = self._catalog.gettext(message)
        return text.format(**values) if values else text

    def n(self, singular: str, plural: str, count: int, **values: object) -> str:
        return self._catalog.ngettext(singular, plural, count).format(n=count, **values)

    @property
    def separator(self) -> str:
        """What a list of names is written with: 、 in Chinese, a comma in English."""
        return "、" if self.language == "zh" else ", "

    def listing(self, names: Iterable[str]) -> str:
        """Names as a list in this language: "城关中学、东山中学", "Li Lei, Wang Fang"."""
        return self.separator.join(names)


def normalize_language(code: str | None) -> str | None:
    """'zh-hans', 'zh_CN' → 'zh'; 'en-US' → 'en'; anything else → None."""
    if not code:
        return None
    head = code.replace("_", "-").split("-")[0].lower()
    return head if head in LANGUAGES else None


def choose_language(member_language: str | None, client_language: str | None, school_language: str | None) -> str:
    """The member's choice, else the chat client's language, else the school's, else Chinese."""
    for candidate in (member_language, client_language, school_language):
        language = normalize_language(candidate)
        if language:
            return language
    return "zh"


@lru_cache(maxsize=None)
def translator(language: str) -> Translator:
    return Translator(language)


def N_(message: str) -> str:
    """Marks a message for the catalog where it is translated later (tables of messages)."""
    return message
