"""Tables written row by row to the files leaders open in Excel: .xlsx workbooks and CSV.

* **CSV** is UTF-8 with a byte order mark (without it Excel reads Chinese as
  mojibake) and CRLF line ends, as the csv module writes them. Text beginning
  with ``=``, ``+``, ``-`` or ``@`` gets a leading apostrophe so Excel shows it
  instead of running it as a formula.
* **.xlsx** workbooks are written in openpyxl's write-only mode: rows go to disk
  as they come, so a large export is never held in memory as cells. Every sheet
  has a bold, frozen header row and set column widths; dates and times are real
  Excel dates and times; text that looks like a formula stays text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import IO, Any

#: A column: its header and its width in characters.
Column = tuple[str, float]

FORMULA_PREFIXES = ("=", "+", "-", "@")
EXCEL_CELL_LIMIT = 32_767
NUMBER_FORMATS = {dt.datetime: "yyyy-mm-dd hh:mm", dt.date: "yyyy-mm-dd", dt.time: "hh:mm"}


def csv_text(value: Any) -> str:
    """A cell as CSV text: dates in ISO form, times as HH:MM, nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return str(value)


class CsvTable:
    """One table as CSV on a binary stream; `finish()` flushes it and leaves the stream open."""

    def __init__(self, stream: IO[bytes], headers: Sequence[str]) -> None:
        self._text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
        self._writer = csv.writer(self._text)
        self._writer.writerow(headers)

    def append(self, values: Sequence[Any]) -> None:
        self._writer.writerow([csv_text(value) for value in values])

    def finish(self) -> None:
        self._text.flush()
        self._text.detach()


class XlsxSheet:
    """A sheet of an :class:`XlsxBook`: the header row is written, rows follow with `append`."""

    def __init__(self, sheet, columns: Sequence[Column]) -> None:
        # openpyxl is loaded by the first workbook written, not by every process that could write one.
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter
        self._sheet, self._new_cell, self._illegal = sheet, WriteOnlyCell, ILLEGAL_CHARACTERS_RE
        self._wrapped = Alignment(wrap_text=True, vertical="top")
        for index, (_, width) in enumerate(columns):
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for title, _ in columns:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)

    def append(self, values: Sequence[Any]) -> None:
        self._sheet.append([self._cell(value) for value in values])

    def _cell(self, value: Any):
        if isinstance(value, str):
            cell = self._new_cell(self._sheet, value=self._illegal.sub("", value)[:EXCEL_CELL_LIMIT])
            cell.data_type = "s"  # never a formula, whatever it starts with
            if "\n" in value:
                cell.alignment = self._wrapped
            return cell
        for kind, number_format in NUMBER_FORMATS.items():
            if isinstance(value, kind):
                # types-openpyxl's WriteOnlyCell omits the dates and times that Cell takes
                cell = self._new_cell(self._sheet, value=value)  # type: ignore[arg-type]
                cell.number_format = number_format
                return cell
        return value


class XlsxBook:
    """A workbook written sheet by sheet; `save()` once at the end."""

    def __init__(self) -> None:
        from openpyxl import Workbook
        self._book = Workbook(write_only=True)

    def sheet(self, title: str, columns: Sequence[Column]) -> XlsxSheet:
        return XlsxSheet(self._book.create_sheet(title), columns)

    def save(self, stream: IO[bytes]) -> None:
        self._book.save(stream)
