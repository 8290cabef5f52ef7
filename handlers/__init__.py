"""Talking to people: Telegram handlers and Slack listeners, and how messages are rendered."""
