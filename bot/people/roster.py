"""Reading a roster of pairings from CSV: a header row, then one member and one student per row.

The header names the columns, in English or Chinese, in any order and case:
``member`` (or 教师, 成员) and ``student`` (or 学生); other columns are ignored.
Text is UTF-8, with or without the byte order mark spreadsheet programs write.
Rows whose cells are all empty are skipped. Line numbers are those of the file,
so a spreadsheet user can find the row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

MEMBER_COLUMN = "member"
STUDENT_COLUMN = "student"
HEADER_NAMES = {
    "member": MEMBER_COLUMN, "教师": MEMBER_COLUMN, "成员": MEMBER_COLUMN,
    "student": STUDENT_COLUMN, "学生": STUDENT_COLUMN,
}


class RosterHeaderError(ValueError):
    """The header row cannot be used, so nothing in the file can be; ``.line`` is where, the message says why."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class RosterRow:
    """One data row: its line in the file and its two cells (None when the row is too short to have one)."""

    line: int
    member: str | None
    student: str | None


def decode_roster(data: bytes) -> str:
    """Bytes of a roster file as text: UTF-8, the byte order mark dropped; ValueError when not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"the file is not UTF-8 text (byte {error.start + 1}); save it as CSV UTF-8") from None


def read_roster(text: str) -> list[RosterRow]:
    """The data rows of a roster; raises :class:`RosterHeaderError` when the header lacks a column."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header, header_line = _first_filled_row(reader)
    if header is None:
        raise RosterHeaderError(1, "the file is empty: it needs a header row with a member and a student column")
    positions = _column_positions(header, header_line)
    rows = []
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            rows.append(RosterRow(line, _cell(cells, positions[MEMBER_COLUMN]),
                                  _cell(cells, positions[STUDENT_COLUMN])))
        line = reader.line_num + 1
    return rows


def _first_filled_row(reader) -> tuple[list[str] | None, int]:
    for cells in reader:
        if any(cell.strip() for cell in cells):
            return cells, reader.line_num
    return None, 0


def _column_positions(header: list[str], line: int) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        column = HEADER_NAMES.get(name.strip().casefold())
        if column is None:
            continue
        if column in positions:
            raise RosterHeaderError(
                line, f"two {column} columns (columns {positions[column] + 1} and {index + 1})")
        positions[column] = index
    missing = [column for column in (MEMBER_COLUMN, STUDENT_COLUMN) if column not in positions]
    if missing:
        found = ", ".join(repr(name.strip()) for name in header)
        raise RosterHeaderError(
            line, f"the header needs a member column (member, 教师 or 成员) and a student column "
            f"(student or 学生); missing {' and '.join(missing)}, found {found}")
    return positions


def _cell(cells: list[str], index: int) -> str | None:
    return cells[index] if index < len(cells) else None
