"""The `dingtalk` platform of `teachlog run` and `teachlog worker`: the DingTalk port, listening on the Stream
connection (:class:`bot.chat.port_platform.PortPlatform` runs the rest). Members join by sending `加入 CODE`, or
come by `members sync`: DingTalk has no link that opens a robot with a text."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bot.chat.listening import start_errors
from bot.chat.port_platform import PortPlatform
from bot.chat.text_buttons import TextButtons
from bot.notifications.messenger import TransientFailure
from bot.platform_names import DINGTALK
from handlers.dingtalk.openapi import DingTalkOpenAPI
from handlers.dingtalk.port import DingTalkPort


class DingTalkPlatform(PortPlatform):
    """The `dingtalk` platform: a :class:`bot.chat.platform_plugin.Platform`."""

    name = DINGTALK

    @contextlib.asynccontextmanager
    async def connect(self, *, listening: bool) -> AsyncIterator[DingTalkPort]:
        """An access token before anything else, so refused credentials or an unreachable API are one line."""
        config = self.core.settings.require_dingtalk()
        async with DingTalkOpenAPI(config) as api:
            with start_errors((TransientFailure, str)):  # CredentialsRefused is one, with its own line
                await api.access_token()
            yield DingTalkPort(config, api, TextButtons(self.core.db, self.core.clock))
