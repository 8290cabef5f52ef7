"""The `teachlog` command (also `python -m bot`); each module adds its subcommands to one Typer app."""

from __future__ import annotations

import sys

from bot.cli import (
    bootstrap,  # noqa: F401  (registers its commands)
    chat,  # noqa: F401  (chat)
    database,  # noqa: F401  (db backup, db restore, db copy)
    districts,  # noqa: F401  (district)
    export,  # noqa: F401  (export)
    imports,  # noqa: F401  (members import, entries import)
    notify,  # noqa: F401  (worker, notify, school reminders)
    pairs,  # noqa: F401  (pair, roster)
    policy,  # noqa: F401  (policy)
    progress,  # noqa: F401  (progress)
    report,  # noqa: F401  (report)
    slack,  # noqa: F401  (slack manifest)
)
from bot.cli.common import app


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
