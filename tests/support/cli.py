"""Run `teachlog` commands in-process, as the CLI tests do."""

from __future__ import annotations

from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))
