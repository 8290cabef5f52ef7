"""Every installed chat platform implements the Platform interface that `teachlog run --platform NAME` loads."""

from __future__ import annotations

import inspect
from importlib.metadata import entry_points

import pytest

from bot.app_context import AppContext
from bot.chat.key_value_store import BOT_KIND, ChatStateStore

INSTALLED = sorted(ep.name for ep in entry_points(group="teachlog.platforms"))


def test_telegram_and_slack_are_installed():
    assert {"telegram", "slack"} <= set(INSTALLED)


@pytest.mark.parametrize("name", INSTALLED)
def test_a_platform_has_a_name_run_messenger_and_invite_link(name):
    [entry] = [ep for ep in entry_points(group="teachlog.platforms") if ep.name == name]
    platform_class = entry.load()
    assert platform_class.name == name
    assert callable(platform_class.run) and callable(platform_class.messenger)
    assert inspect.iscoroutinefunction(platform_class.invite_link)


async def test_a_telegram_invite_link_opens_the_bot_with_the_code_once_its_name_is_known(db, clock):
    from handlers.telegram.platform import TelegramPlatform

    platform = TelegramPlatform(AppContext(db=db, clock=clock))
    assert await platform.invite_link("ABC123") is None
    await ChatStateStore(db).save(BOT_KIND, "username", {"username": "teachlog_bot"})
    assert await platform.invite_link("ABC123") == "https://t.me/teachlog_bot?start=ABC123"
