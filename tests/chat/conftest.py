"""The two members most flow tests talk as: Li Lei writes English, 王芳 Chinese."""

from __future__ import annotations

import pytest


@pytest.fixture
async def li(chat):
    return await chat.add_member("Li Lei", language="en")


@pytest.fixture
async def wang(chat):
    return await chat.add_member("王芳", language="zh")
