"""The `teachlog` command (also `python -m bot`); each module adds its subcommands to one Typer app."""

from __future__ import annotations

import sys

from bot.cli import bootstrap  # noqa: F401  (registers its commands)
from bot.cli.common import app


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
