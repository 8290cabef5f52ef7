"""What every `teachlog` subcommand shares: the Typer app, database access, one-line failures."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import typer

from bot.core import PlatformStartError
from bot.policy.sources import PolicySourceError
from bot.schools import SchoolError
from bot.settings import ConfigError, Settings
from storage.db import Database
from storage.migrate import upgrade

T = TypeVar("T")

app = typer.Typer(help="teachlog: log and keep up with outreach to families.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)


class CliError(Exception):
    """Ends the command with a one-line message and exit status 1."""


#: Errors whose message is meant for the operator, shown without a traceback.
OPERATOR_ERRORS: tuple[type[Exception], ...] = (CliError, ConfigError, SchoolError, PolicySourceError,
                                                 PlatformStartError)


def fail(message: str) -> NoReturn:
    typer.echo(f"teachlog: {message}", err=True)
    raise typer.Exit(1)


def sub_app(name: str, help_text: str) -> typer.Typer:
    group = typer.Typer(help=help_text, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


def with_database(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work(db)` against the configured database, brought up to date first."""
    async def runner() -> T:
        db = Database(Settings().database_url)
        try:
            await upgrade(db)
            return await work(db)
        finally:
            await db.dispose()
    try:
        return asyncio.run(runner())
    except OPERATOR_ERRORS as error:
        fail(str(error))
