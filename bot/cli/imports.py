"""Bringing a school's spreadsheets in: `members import` (the staff roster) and `entries import` (past records)."""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from bot.cli.common import CliError, sub_app, with_database
from bot.clock import SystemClock

if TYPE_CHECKING:
    from bot.people.staff_import import BadRow
    from storage.db import Database

T = TypeVar("T")
members_app = sub_app("members", "A school's staff.")
entries_app = sub_app("entries", "Entries.")


def report_bad_rows(file: Path, bad_rows: list[BadRow]) -> None:
    for bad in bad_rows:
        typer.echo(f"{file.name}:{bad.line}: {bad.reason}", err=True)


async def read_file(reading: Awaitable[T], file: Path) -> T:
    """The import's report; a file that cannot be read at all is a one-line error."""
    from bot.reporting.tables import TableError
    try:
        return await reading
    except TableError as error:
        raise CliError(f"{file}: {error}") from None


@members_app.command("import")
def members_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or .xlsx: name, role, counts_from."),
    school: int = typer.Option(..., help="The school id."),
) -> None:
    """Pre-register staff from a roster; each bad row is reported with its line and every problem in it."""
    from bot.people.staff_import import import_staff
    async def work(db: Database) -> None:
        report = await read_file(import_staff(db, school, file, SystemClock().now()), file)
        if report.bad_rows:
            report_bad_rows(file, report.bad_rows)
            raise CliError(f"{len(report.bad_rows)} bad row(s); nothing was imported")
        typer.echo(f"{file.name}: {len(report.added)} added, {len(report.updated)} updated, "
                   f"{len(report.unchanged)} unchanged")
    with_database(work)


DIRECTORIES_GROUP = "teachlog.directories"


def load_directory(platform: str):
    """The platform's directory reader, loaded by its entry point (bot/ never imports handlers/ itself)."""
    from importlib.metadata import entry_points
    found = {ep.name: ep for ep in entry_points(group=DIRECTORIES_GROUP)}
    if platform not in found:
        raise CliError(f"no staff directory for platform {platform!r}: installed are "
                       f"{', '.join(sorted(found)) or 'none'}")
    return found[platform].load()


def parse_roles(roles: list[str]) -> dict[str, str]:
    """`DEPT=ROLE` options as {department: role}; a malformed one is a one-line error."""
    parsed = {}
    for option in roles:
        department, equals, role = option.partition("=")
        if not equals or not department.strip() or not role.strip():
            raise CliError(f"--role {option!r}: write it as DEPARTMENT=ROLE, e.g. --role 校领导=leader")
        parsed[department.strip()] = role.strip()
    return parsed


@members_app.command("sync")
def members_sync(
    platform: str = typer.Option(..., help="The chat platform whose directory to read: dingtalk."),
    school: int = typer.Option(..., help="The school id."),
    role: list[str] = typer.Option([], "--role", help="DEPARTMENT=ROLE: the role of that department's people "
                                                       "(others get the default role); may be repeated."),
) -> None:
    """Make every person of the organisation's directory a member, their account already linked."""
    from bot.people.staff_directory import sync_staff
    from bot.settings import Settings

    async def work(db: Database) -> None:
        roles = parse_roles(role)
        read_directory = load_directory(platform)
        people = await read_directory(Settings())
        report = await sync_staff(db, school, platform, people, roles, SystemClock().now())
        for name, given_role in report.added:
            typer.echo(f"added: {name} ({given_role})")
        for name in report.linked:
            typer.echo(f"linked: {name}")
        for name in report.updated:
            typer.echo(f"role changed: {name}")
        for name, reason in report.skipped:
            typer.echo(f"skipped: {name}: {reason}", err=True)
        typer.echo(f"{platform} directory: {len(report.added)} added, {len(report.linked)} linked, "
                   f"{len(report.updated)} updated, {len(report.unchanged)} unchanged")
    with_database(work)


@entries_app.command("import")
def entries_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="CSV or .xlsx: date, member, activity, student, duration, notes."),
    school: int = typer.Option(..., help="The school id."),
) -> None:
    """Bring in past records; good rows are stored once each, every bad row is reported with its line."""
    from bot.logbook.entries_import import import_entries
    async def work(db: Database) -> None:
        report = await read_file(import_entries(db, school, file, SystemClock().now()), file)
        report_bad_rows(file, report.bad_rows)
        typer.echo(f"{file.name}: {report.added} added, {report.already_there} already there, "
                   f"{len(report.bad_rows)} bad")
        if report.bad_rows:
            raise CliError(f"{len(report.bad_rows)} bad row(s) not imported: fix them and import the file again")
    with_database(work)
