"""Reply and inline keyboards; button labels come from the catalogs."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.actions import Action, ForDraft, encode
from bot.i18n import LANGUAGES, Translator, translator

LOG_BUTTON = "📝 {label}"
MINE_BUTTON = "📊 {label}"


def log_button_text(t: Translator) -> str:
    return LOG_BUTTON.format(label=t("Log"))


def mine_button_text(t: Translator) -> str:
    return MINE_BUTTON.format(label=t("My progress"))


def log_button_pattern() -> str:
    """Matches the Log button in every language, so a member who switches language keeps a working keyboard."""
    labels = {log_button_text(translator(lang)) for lang in LANGUAGES}
    return "^(" + "|".join(sorted(labels)) + ")$"


def mine_button_pattern() -> str:
    labels = {mine_button_text(translator(lang)) for lang in LANGUAGES}
    return "^(" + "|".join(sorted(labels)) + ")$"


def main_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup([[KeyboardButton(log_button_text(t)), KeyboardButton(mine_button_text(t))]],
                               resize_keyboard=True, is_persistent=True)


def rows(buttons: list[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]


def inline(buttons: Sequence[tuple[str, Action | ForDraft]], per_row: int = 2) -> InlineKeyboardMarkup:
    """Inline buttons, `per_row` to a row, each carrying its action's callback data."""
    return InlineKeyboardMarkup(rows([InlineKeyboardButton(text, callback_data=encode(action))
                                      for text, action in buttons], per_row))
