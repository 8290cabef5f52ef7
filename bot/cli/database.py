"""`teachlog db backup FILE`, `db restore FILE [--to URL]`, `db copy --to URL`: beside `db upgrade`.

A backup is taken while the bot runs (one read snapshot) and restores into SQLite or PostgreSQL
alike; restore and copy write only into an empty database. See :mod:`storage.backup` and
:mod:`storage.copy`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from bot.cli.bootstrap import db_app
from bot.cli.common import fail, one_line_errors
from bot.cli.text import count, table
from bot.clock import SystemClock

if TYPE_CHECKING:
    from storage.db import Database

T = TypeVar("T")


@db_app.command("backup")
def db_backup(file: Path = typer.Argument(..., help="The backup file to write (gzip), e.g. teachlog-2026-12-07.gz.")
              ) -> None:
    """Write every table to FILE in one consistent snapshot, while the bot may go on running."""
    from storage.backup import write_backup

    written = _with_databases(lambda source: write_backup(source, file, SystemClock().now()))
    rows = sum(t.rows for t in written.tables)
    typer.echo(f"backup written: {file} (schema {written.revision}, {count(len(written.tables), 'table')}, "
               f"{count(rows, 'row')}, {_size(file.stat().st_size)})")


@db_app.command("restore")
def db_restore(
    file: Path = typer.Argument(..., help="A file written by `teachlog db backup`."),
    to: str = typer.Option(None, "--to", metavar="URL",
                           help="The empty database to restore into (default: TEACHLOG_DATABASE_URL)."),
) -> None:
    """Restore a backup into an empty database: every checksum is checked first, then all is written at once."""
    from storage.backup import restore_backup

    restored = _with_databases(lambda target: restore_backup(target, file), url=to)
    header = restored.header
    typer.echo(f"restored {file} (taken {header.taken_at} from {header.source}, schema {header.revision}) "
               f"into {_shown(to)}")
    _print_counts(restored.counts)


@db_app.command("copy")
def db_copy(to: str = typer.Option(..., "--to", metavar="URL",
                                   help="The empty database to copy into, e.g. postgresql+asyncpg://USER@HOST/DB.")
            ) -> None:
    """Copy every table of the configured database into an empty one (e.g. from SQLite to PostgreSQL)."""
    from bot.database import verbatim_database
    from storage.copy import copy_database

    async def copy(source: Database):
        target = verbatim_database(to)
        try:
            return await copy_database(source, target)
        finally:
            await target.dispose()

    copied = _with_databases(copy)
    typer.echo(f"copied {_shown(None)} to {_shown(to)} (schema {copied.revision}); row counts checked:")
    _print_counts(copied.counts)
    typer.echo(f"to use it: export TEACHLOG_DATABASE_URL='{to}'")


def _with_databases(work: Callable[[Database], Awaitable[T]], url: str | None = None) -> T:
    """Run `work` on the database at `url` (default: the configured one), as it is: not upgraded first."""
    from bot.database import verbatim_database

    url = url or _configured_url()

    async def runner() -> T:
        db = verbatim_database(url)
        try:
            return await work(db)
        finally:
            await db.dispose()
    with _refusals(), one_line_errors(url):
        return asyncio.run(runner())


@contextmanager
def _refusals() -> Iterator[None]:
    from storage.table_rows import TransferRefused
    try:
        yield
    except TransferRefused as refused:
        fail(str(refused))


def _configured_url() -> str:
    from bot.settings import Settings
    return Settings().database_url


def _shown(url: str | None) -> str:
    from storage.errors import masked_url
    return masked_url(url or _configured_url())


def _print_counts(counts: Mapping[str, int]) -> None:
    for line in table(["table", "rows"], [[name, f"{rows:,}"] for name, rows in counts.items()]):
        typer.echo(line)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 ** 2:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 ** 2:,.1f} MB"
