"""What every `teachlog` subcommand shares: the Typer app, database access, one-line failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer

if TYPE_CHECKING:
    from storage.db import Database

# The libraries behind the commands (SQLAlchemy, pydantic, openpyxl, …) are imported inside the functions
# that use them, so that `teachlog --help` and a mistyped option answer without loading them.

T = TypeVar("T")

app = typer.Typer(help="teachlog: log and keep up with outreach to families.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)


class CliError(Exception):
    """Ends the command with a one-line message and exit status 1."""


def operator_errors() -> tuple[type[Exception], ...]:
    """Errors whose message is meant for the operator, shown without a traceback."""
    from bot.app_context import PlatformStartError
    from bot.people.schools import SchoolError
    from bot.quotas.policy.sources import PolicySourceError
    from bot.settings import ConfigError
    from storage.errors import DatabaseFailure
    return CliError, ConfigError, SchoolError, PolicySourceError, PlatformStartError, DatabaseFailure


def fail(message: str) -> NoReturn:
    typer.echo(f"teachlog: {message}", err=True)
    raise typer.Exit(1)


def sub_app(name: str, help_text: str) -> typer.Typer:
    group = typer.Typer(help=help_text, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


def configure_logging(log_format: str = "text") -> None:
    """Log lines for the long-running commands (`run`, `worker`): INFO and up, without each HTTP request;
    `json` writes one JSON object per line (bot.observability.json_logs)."""
    from bot.observability.json_logs import log_handler
    logging.basicConfig(level=logging.INFO, handlers=[log_handler(log_format)])
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Alembic logs each plugin it sets up when it is first imported, which now happens after this call.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


@contextmanager
def one_line_errors(database_url: str) -> Iterator[None]:
    """End the command with one line for an operator's error or any database error: never SQL, never a password."""
    from storage.errors import DriverError, explain
    try:
        yield
    except operator_errors() as error:
        fail(str(error))
    except DriverError as error:
        fail(explain(error, database_url))


def with_database(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work(db)` against the configured database, brought up to date first."""
    from bot.database import app_database
    from bot.settings import Settings
    from storage.migrate import upgrade
    url = Settings().database_url

    async def runner() -> T:
        db = app_database(url)
        try:
            await upgrade(db)
            return await work(db)
        finally:
            await db.dispose()
    with one_line_errors(url):
        return asyncio.run(runner())
