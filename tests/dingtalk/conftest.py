"""The local DingTalk (tests/support/fake_dingtalk.py) on a free port, for the DingTalk adapter's tests."""

from __future__ import annotations

import pytest

from tests.support.dingtalk_chat import DingTalkChat
from tests.support.fake_dingtalk import FakeDingTalk, serve


@pytest.fixture
async def fake():
    dingtalk = FakeDingTalk()
    async with serve(dingtalk):
        yield dingtalk


@pytest.fixture
async def dingtalk(db, clock, fake):
    """The bot on DingTalk over the local DingTalk: a conversation test's chat."""
    harness = DingTalkChat(db, clock, fake)
    await harness.start()
    yield harness
    await harness.stop()


class Ticking:
    """A monotonic clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticking() -> Ticking:
    return Ticking()


@pytest.fixture
async def api(fake, ticking):
    from bot.settings import DingTalkConfig
    from handlers.dingtalk.openapi import DingTalkOpenAPI

    config = DingTalkConfig(fake.client_id, fake.client_secret, fake.client_id, fake.base_url, fake.base_url)
    async with DingTalkOpenAPI(config, monotonic=ticking) as client:
        yield client
