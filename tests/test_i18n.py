"""Every message the bot can say has a Chinese translation, and placeholders survive translation."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from bot.i18n import choose_language, normalize_language, translations

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"t": None, "N_": None, "n": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def source_messages() -> set[str | tuple[str, str]]:
    """Every message id in the code; plural messages as (singular, plural)."""
    found = set()
    for package in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def chinese(message: str | tuple[str, str], count: int = 2) -> str:
    zh = translations("zh")
    return zh.gettext(message) if isinstance(message, str) else zh.ngettext(*message, count)


def english(message: str | tuple[str, str], count: int = 2) -> str:
    return message if isinstance(message, str) else message[0 if count == 1 else 1]


def test_every_message_in_the_code_has_a_chinese_translation():
    missing = sorted(str(m) for m in source_messages() for n in (1, 2) if chinese(m, n) == english(m, n))
    assert missing == [], "untranslated: " + "; ".join(missing)


def test_translations_keep_the_same_placeholders():
    for message in source_messages():
        for n in (1, 2):
            assert set(PLACEHOLDER.findall(chinese(message, n))) == set(PLACEHOLDER.findall(english(message, n))), \
                message


def test_language_codes_from_telegram_are_normalized():
    assert [normalize_language(c) for c in ("zh-hans", "zh_CN", "en-US", "EN", "fr", None)] == \
        ["zh", "zh", "en", "en", None, None]


def test_the_member_choice_wins_then_the_client_then_the_school():
    assert choose_language("en", "zh-hans", "zh") == "en"
    assert choose_language(None, "en-GB", "zh") == "en"
    assert choose_language(None, "fr", "en") == "en"
    assert choose_language(None, None, None) == "zh"


def plural_calls_in_source() -> set[tuple[str, str]]:
    """Every `t.n("singular", "plural", …)` in the code, read with the Python parser."""
    found = set()
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "n"
                    and len(node.args) >= 2 and all(isinstance(a, ast.Constant) for a in node.args[:2])):
                found.add((node.args[0].value, node.args[1].value))
    return found


def calls_in_source() -> set[str]:
    """Every `t("…")`, `who.t("…")` and `N_("…")` in the code, read with the Python parser: unlike
    Babel's extractor, it also sees calls inside f-strings."""
    found = set()
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in ("t", "N_") and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def test_babel_extracts_every_message_the_code_translates():
    assert calls_in_source() - source_messages() == set()


def test_every_plural_message_is_extracted_as_a_plural():
    """Babel's extractor drops the plural when `t` appears inside the call's own arguments."""
    assert plural_calls_in_source() - source_messages() == set()
