"""slack-bolt adapter: the same chat core in a Slack workspace (slash command, DMs, modal, App Home)."""

from typing import Final

#: The platform's key in member_accounts and chat addresses (to move beside TELEGRAM in bot/platforms.py).
SLACK: Final = "slack"
