"""Rows of a spreadsheet a school already has: a CSV (UTF-8, with or without BOM) or an .xlsx workbook.

The first non-empty row is the header; header names are matched through a table of
English and Chinese aliases. Every data row keeps its line in the file (the sheet's row
number for .xlsx), so a bad row can be reported where a spreadsheet user finds it.
Rows whose cells are all empty are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


class TableError(ValueError):
    """The file as a whole cannot be read (not UTF-8, no header, a required column missing)."""


@dataclass(frozen=True)
class TableRow:
    line: int
    cells: Mapping[str, str]
    """Column name → the cell's text, stripped ('' when empty or missing)."""


def _raw_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1):
                yield number, [_cell_text(value) for value in values]
        finally:
            workbook.close()
        return
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError(f"the file is not UTF-8 text (byte {error.start + 1}); save it as CSV UTF-8") from None
    reader = csv.reader(io.StringIO(text))
    line = 1
    for cells in reader:
        yield line, cells
        line = reader.line_num + 1


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(path: Path, aliases: Mapping[str, str], required: tuple[str, ...]) -> list[TableRow]:
    """The data rows of `path`, cells keyed by column (`aliases` maps a header name, casefolded, to its column)."""
    rows = _raw_rows(path)
    header: dict[int, str] | None = None
    found: list[TableRow] = []
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = {index: aliases[name.strip().casefold()] for index, name in enumerate(cells)
                      if name.strip().casefold() in aliases}
            missing = [column for column in required if column not in header.values()]
            if missing:
                names = ", ".join(repr(cell.strip()) for cell in cells if cell.strip())
                raise TableError(f"line {line}: the header needs the column(s) {', '.join(missing)}; found {names}")
            continue
        found.append(TableRow(line, {column: (cells[index].strip() if index < len(cells) else "")
                                     for index, column in header.items()}))
    if header is None:
        raise TableError(f"the file is empty: it needs a header row with {', '.join(required)}")
    return found
