"""The keyboard that stays under a private chat: 📝 Log and 📊 My progress, in the member's language."""

from __future__ import annotations

from bot.chat.replies import Keyboard
from bot.i18n import LANGUAGES, Translator, translator

LOG_BUTTON = "📝 {label}"
MINE_BUTTON = "📊 {label}"


def log_button_text(t: Translator) -> str:
    return LOG_BUTTON.format(label=t("Log"))


def mine_button_text(t: Translator) -> str:
    return MINE_BUTTON.format(label=t("My progress"))


def main_keyboard(t: Translator) -> Keyboard:
    return (log_button_text(t), mine_button_text(t))


def is_log_button(text: str | None) -> bool:
    """The Log button in any language, so a member who switches language keeps a working keyboard."""
    return text is not None and text in {log_button_text(translator(lang)) for lang in LANGUAGES}


def is_mine_button(text: str | None) -> bool:
    return text is not None and text in {mine_button_text(translator(lang)) for lang in LANGUAGES}
