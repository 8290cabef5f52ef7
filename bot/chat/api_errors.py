"""A web API's error answers as the core's delivery exceptions, by a table of its error codes.

Platforms whose API answers an error with an HTTP status and a code (Slack's `{"ok": false, "error": …}`)
declare which codes mean the recipient is gone, which are worth trying again, and which ask to slow down; the
core reads any answer by that table: a 429 or a rate-limit code is RetryLater after its Retry-After (or the
table's default), a code of a gone recipient Unreachable, a 5xx or a transient code TransientFailure, anything
else PermanentFailure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.chat.pacing import retry_after_seconds
from bot.notifications.messenger import DeliveryError, PermanentFailure, RetryLater, TransientFailure, Unreachable


@dataclass(frozen=True)
class ErrorCodes:
    """What a platform's error codes mean for a delivery: the table its adapter fills in."""

    #: How the platform is named in the delivery error's text ("Slack: channel_not_found").
    platform: str
    unreachable: frozenset[str] = frozenset()
    transient: frozenset[str] = frozenset()
    rate_limited: frozenset[str] = frozenset()
    #: The wait when a rate-limited answer names none.
    default_retry_seconds: float = 30.0

    def error_of(self, status: int, code: str, headers: Mapping[str, Any]) -> DeliveryError:
        """The delivery exception for an error answer: its HTTP status, the platform's code, its headers."""
        if status == 429 or code in self.rate_limited:
            seconds = retry_after_seconds(headers, self.default_retry_seconds)
            return RetryLater(seconds, f"{self.platform}: {code or status}, retry after {seconds:g} s")
        if code in self.unreachable:
            return Unreachable(f"{self.platform}: {code}")
        if status >= 500 or code in self.transient:
            return TransientFailure(f"{self.platform}: {code or status}")
        return PermanentFailure(f"{self.platform}: {code or status}")
