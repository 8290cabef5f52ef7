"""Shared test helpers for teachlog.

``tests.support.fake_telegram`` provides :class:`FakeTelegram`, an in-process stand-in for
the Telegram Bot API server that a real ``telegram.ext.Application`` can talk to.
"""

from tests.support.fake_telegram import (
    ApiCall,
    CallbackAnswer,
    FakeRequest,
    FakeStats,
    FakeTelegram,
    FakeUser,
    Fault,
    SentMessage,
    retry_after_seconds,
)

__all__ = [
    "ApiCall",
    "CallbackAnswer",
    "FakeRequest",
    "FakeStats",
    "FakeTelegram",
    "FakeUser",
    "Fault",
    "SentMessage",
    "retry_after_seconds",
]
