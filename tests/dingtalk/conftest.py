"""The local DingTalk (tests/support/fake_dingtalk.py) on a free port, for the DingTalk adapter's tests."""

from __future__ import annotations

import pytest

from tests.support.fake_dingtalk import FakeDingTalk, serve


@pytest.fixture
async def fake():
    dingtalk = FakeDingTalk()
    async with serve(dingtalk):
        yield dingtalk
