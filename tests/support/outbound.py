"""An Outbound for flow tests: it keeps what flows send to other chats and serves files from a dict."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.chat.events import ChatAddress
from bot.chat.replies import Reply


@dataclass
class RecordingOutbound:
    #: file id → bytes, per platform.
    files: dict[tuple[str, str], bytes] = field(default_factory=dict)
    #: Chats that cannot be reached (blocked the bot).
    unreachable: set[ChatAddress] = field(default_factory=set)
    sent: list[tuple[ChatAddress, Reply]] = field(default_factory=list)

    async def send(self, chat: ChatAddress, reply: Reply) -> bool:
        if chat in self.unreachable:
            return False
        self.sent.append((chat, reply))
        return True

    async def fetch_file(self, platform: str, file_id: str) -> bytes:
        try:
            return self.files[(platform, file_id)]
        except KeyError:
            raise LookupError(f"no {platform} file {file_id}") from None

    def to(self, chat_id: str) -> list[Reply]:
        return [reply for address, reply in self.sent if address.chat_id == chat_id]
