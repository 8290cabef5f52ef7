"""What every Telegram handler module shares: the callback context type."""

from __future__ import annotations

from telegram.ext import ContextTypes

Context = ContextTypes.DEFAULT_TYPE
