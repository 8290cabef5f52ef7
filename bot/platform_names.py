"""The names under which chat platforms' accounts and chats are stored (`member_accounts.platform`,
`outbox.platform`, `group_links.platform`)."""

from __future__ import annotations

from typing import Final

TELEGRAM: Final = "telegram"
SLACK: Final = "slack"
DINGTALK: Final = "dingtalk"

#: Platforms whose accounts have a handle people type as @name (Telegram's @username, Slack's display name).
WITH_HANDLES: Final = (TELEGRAM, SLACK)
