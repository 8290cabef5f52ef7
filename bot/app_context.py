"""The application's collaborators, built once and handed to every platform adapter."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock, SystemClock
from bot.settings import Settings
from storage.db import Database


class PlatformStartError(Exception):
    """A chat platform could not start (bad credentials, server unreachable); one line for the operator."""


@dataclass
class AppContext:
    """The database, the settings and the clock every service and adapter of one process shares."""

    db: Database
    settings: Settings = field(default_factory=Settings)
    clock: Clock = field(default_factory=SystemClock)
