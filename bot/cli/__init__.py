"""The `teachlog` command (also `python -m bot`); each module adds its subcommands to one Typer app."""

from __future__ import annotations

import sys

from bot.cli import bootstrap  # noqa: F401  (registers its commands)
from bot.cli import export  # noqa: F401  (export)
from bot.cli import imports  # noqa: F401  (members import, entries import)
from bot.cli import notify  # noqa: F401  (worker, notify, school reminders)
from bot.cli import pairs  # noqa: F401  (pair, roster)
from bot.cli import policy  # noqa: F401  (policy)
from bot.cli import progress  # noqa: F401  (progress)
from bot.cli.common import app


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
