"""The `teachlog` command (also `python -m bot`); each module adds its subcommands to one Typer app."""

from __future__ import annotations

import sys

# each module registers its commands: bootstrap, export, notify (worker, notify, school reminders),
# pairs (pair, roster), policy, progress
from bot.cli import bootstrap, export, notify, pairs, policy, progress  # noqa: F401
from bot.cli.common import app


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
