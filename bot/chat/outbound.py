"""What a flow may ask of the platform besides answering the event: a message to another chat, a stored file.

The adapter that runs the engine provides it (Telegram's sends through the Bot
API and downloads files by their file id); where there is none, nothing is
delivered and no file can be fetched, and the flows say so.
"""

from __future__ import annotations

from typing import Protocol

from bot.chat.events import ChatAddress
from bot.chat.replies import Reply


class Outbound(Protocol):
    async def send(self, chat: ChatAddress, reply: Reply) -> bool:
        """Deliver `reply` to another chat (a member's direct messages); False when it could not be delivered."""

    async def fetch_file(self, platform: str, file_id: str) -> bytes:
        """The bytes of a file a person once sent on `platform`; raises when it can no longer be fetched."""


class Nowhere:
    """No platform behind the engine: nothing reaches another chat, no stored file can be fetched."""

    async def send(self, chat: ChatAddress, reply: Reply) -> bool:
        return False

    async def fetch_file(self, platform: str, file_id: str) -> bytes:
        raise LookupError(f"no {platform} file can be fetched here")
