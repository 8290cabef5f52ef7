"""The `dingtalk` platform of `teachlog run` and `teachlog worker`: the runtime over the DingTalk port, listening
on the Stream connection."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bot.app_context import PlatformStartError
from bot.chat.platform_plugin import RunsUntilStopped
from bot.chat.reply_path import ReplyPath
from bot.chat.runtime import Runtime
from bot.chat.text_buttons import TextButtons
from bot.notifications.messenger import TransientFailure
from bot.platform_names import DINGTALK
from bot.settings import ConfigError
from handlers.dingtalk.openapi import DingTalkOpenAPI
from handlers.dingtalk.port import DingTalkPort
from handlers.dingtalk.render import CAPABILITIES


async def check_credentials(api: DingTalkOpenAPI) -> None:
    """An access token before anything else, so refused credentials or an unreachable API are one line."""
    try:
        await api.access_token()
    except TransientFailure as error:  # CredentialsRefused is one, with its own line
        raise PlatformStartError(str(error)) from None


class DingTalkPlatform(RunsUntilStopped):
    """The `dingtalk` platform of `teachlog run`: a :class:`bot.chat.platform_plugin.Platform`."""

    name = DINGTALK
    capabilities = CAPABILITIES

    @contextlib.asynccontextmanager
    async def port(self) -> AsyncIterator[DingTalkPort]:
        config = self.core.settings.require_dingtalk()
        async with DingTalkOpenAPI(config) as api:
            await check_credentials(api)
            yield DingTalkPort(config, api, TextButtons(self.core.db, self.core.clock))

    async def serve(self) -> None:
        """Until SIGINT/SIGTERM: the Stream connection, and the notification jobs alongside."""
        async with self.port() as port:
            await Runtime(self.core, port, notifications=True).run()

    @contextlib.asynccontextmanager
    async def messenger(self) -> AsyncIterator[ReplyPath]:
        """The reply path over a port of its own for `teachlog worker`; refused credentials are a ConfigError."""
        try:
            async with self.port() as port:
                yield ReplyPath(port)
        except PlatformStartError as error:
            raise ConfigError(str(error)) from None

    async def invite_link(self, code: str) -> str | None:
        """DingTalk has no link that opens a robot with a text: members send `加入 CODE`, or come by `members sync`."""
        return None
