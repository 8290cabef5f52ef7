"""`teachlog export`: the school's entries over a range of days, as an .xlsx workbook or as CSV.

The same export a leader gets with /export (see :mod:`bot.reporting.exports`), written to a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.common import CliError, app, with_database
from bot.clock import Clock, SystemClock

if TYPE_CHECKING:
    from storage.db import Database

#: Where "today" comes from when a date is left out; tests replace it.
CLOCK: Clock = SystemClock()


@app.command()
def export(
    school: int = typer.Option(..., help="The school id."),
    start: str = typer.Option(None, "--from", metavar="YYYY-MM-DD", help="First day; default: the 1st of this month."),
    end: str = typer.Option(None, "--to", metavar="YYYY-MM-DD", help="Last day; default: today."),
    file_format: str = typer.Option(None, "--format", metavar="xlsx|csv",
                                    help="Default: from the output file's ending, else xlsx."),
    output: Path = typer.Option(None, "-o", "--output", help="The file to write; default: teachlog-FROM-TO.FORMAT."),
    language: str = typer.Option("zh", help="zh or en: the language of headers and labels."),
) -> None:
    """Export a school's entries (CSV), or entries, progress, paired students and contact points (xlsx)."""
    from bot.i18n import LANGUAGES
    from bot.people.schools import school_today
    from bot.reporting.exports import FORMATS, ExportRangeError, export_file_name, export_range, write_export
    chosen_format = file_format or (output.suffix.lstrip(".").lower() if output and output.suffix else "xlsx")

    async def work(db: Database) -> None:
        if chosen_format not in FORMATS:
            raise CliError(f"unknown format {chosen_format!r}: use xlsx or csv")
        if language not in LANGUAGES:
            raise CliError(f"unknown language {language!r}: use one of {', '.join(LANGUAGES)}")
        today = await school_today(db, school, CLOCK.now())
        typed = [text for text in (start, end) if text is not None]
        if start is None and end is not None:
            typed = [today.replace(day=1).isoformat(), end]
        try:
            first, last = export_range(typed, today)
        except ExportRangeError as error:
            raise CliError(str(error)) from None
        path = output or Path(export_file_name(first, last, chosen_format))
        try:
            with path.open("wb") as stream:
                count = await write_export(db, school, first, last, language=language, today=today,
                                           **{chosen_format: stream})
        except BaseException:
            path.unlink(missing_ok=True)  # no half-written file left behind
            raise
        typer.echo(f"wrote {count} entries from {first} to {last} to {path}")

    with_database(work)
