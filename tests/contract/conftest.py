"""The contract suite runs once per installed platform."""

from __future__ import annotations

import pytest

from tests.contract.platforms import PLATFORMS, chats_on


@pytest.fixture(params=PLATFORMS)
async def chats(request, db, clock):
    async with chats_on(request.param, db, clock) as platform_chats:
        yield platform_chats
