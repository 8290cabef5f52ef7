"""python-telegram-bot handlers: joining, the log conversation, looking back, settings."""
