"""Exports for leaders: a school's entries over a range of days as CSV, or as an .xlsx workbook with
sheets for the entries, progress on each rule, paired students' coverage, plan 003's
contact-point form (:mod:`bot.people.contact_points`) and, for plans that ask for them, the written
records (:mod:`bot.logbook.record_export`, whose files go in a zip beside the workbook).

The range is the school's local days ``start``–``end`` inclusive; typed like
``2026-11-01`` or ``11月1号`` (see :func:`export_range`); omitted, it is this month
so far. Entries are streamed from the database straight into every file being
written, in one pass: a large export is read once and never held in memory.
Removed entries are left out. Headers and labels are in the chosen language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import IO

from bot.i18n import N_, Translator, translator
from bot.logbook.dates import WhenError, parse_when
from bot.logbook.record_export import RECORD_COLUMNS, RECORDS_SHEET, record_listing
from bot.people.contact_points import CONTACT_POINT_COLUMNS, contact_point_rows
from bot.quotas.school_facts import SchoolFacts, activity_text, load_school_facts, role_text
from bot.quotas.standing import school_standing
from bot.reporting.export_files import Column, CsvTable, XlsxBook, XlsxSheet
from storage import exports as export_queries
from storage import pairings as pairing_queries
from storage import repository as repo
from storage.db import Database

FORMATS = ("xlsx", "csv")
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_DAYS_BACK_ALLOWED = 3660

ENTRY_COLUMNS: tuple[Column, ...] = (
    (N_("Date"), 12), (N_("Time"), 8), (N_("Member"), 14), (N_("Role"), 12), (N_("Activity"), 14),
    (N_("Student or family"), 16), (N_("Duration (minutes)"), 10), (N_("Notes"), 50),
    (N_("Colleague along"), 14), (N_("Logged at"), 17), (N_("Source"), 10),
)
PROGRESS_COLUMNS: tuple[Column, ...] = (
    (N_("Member"), 14), (N_("Role"), 12), (N_("Rule"), 36), (N_("Period from"), 12), (N_("Period to"), 12),
    (N_("Done so far"), 8), (N_("Target"), 8), (N_("Expected by now"), 10), (N_("Behind by"), 10), (N_("On pace"), 8),
    (N_("Students not reached yet"), 30),
)
ENTRIES_SHEET, PROGRESS_SHEET, STUDENTS_SHEET = N_("Entries"), N_("Progress"), N_("Paired students")
CONTACT_POINTS_SHEET = N_("Contact points")


class ExportRangeError(ValueError):
    """The days asked for cannot be exported; `.code` is 'unparseable', 'order' or 'too_many'."""

    def __init__(self, code: str, text: str = "") -> None:
        super().__init__({"unparseable": f"cannot read the date {text!r}: use YYYY-MM-DD",
                          "order": "the first date is after the second",
                          "too_many": "give at most two dates: from and to"}[code])
        self.code, self.text = code, text


# --- the range --------------------------------------------------------------------------------

def parse_export_day(text: str, today: dt.date) -> dt.date:
    """`2026-11-01` (any day, also ahead), or a phrase /log understands (`11月1号`, `上周五`) for a past day."""
    match = _ISO_DAY.match(text)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        end_of_today = dt.datetime.combine(today, dt.time(23, 59))
        return parse_when(text, end_of_today, max_days_back=_DAYS_BACK_ALLOWED).day
    except (ValueError, WhenError):
        raise ExportRangeError("unparseable", text) from None


def export_range(texts: Sequence[str], today: dt.date) -> tuple[dt.date, dt.date]:
    """From and to: both typed, only from (to today), or none (this month so far)."""
    if len(texts) > 2:
        raise ExportRangeError("too_many")
    start = parse_export_day(texts[0], today) if texts else today.replace(day=1)
    end = parse_export_day(texts[1], today) if len(texts) == 2 else today
    if start > end:
        raise ExportRangeError("order")
    return start, end


def export_file_name(start: dt.date, end: dt.date, file_format: str) -> str:
    return f"teachlog-{start.isoformat()}-{end.isoformat()}.{file_format}"


# --- writing ----------------------------------------------------------------------------------

async def write_export(db: Database, school_id: int, start: dt.date, end: dt.date, *, language: str,
                       today: dt.date, xlsx: IO[bytes] | None = None, csv: IO[bytes] | None = None) -> int:
    """Write the export to the streams given (an .xlsx workbook, CSV of the entries); the number of entries."""
    t = translator(language)
    facts = await load_school_facts(db, school_id)
    book = XlsxBook() if xlsx is not None else None
    sinks: list[XlsxSheet | CsvTable] = []
    if book is not None:
        sinks.append(book.sheet(t(ENTRIES_SHEET), _translated(ENTRY_COLUMNS, t)))
    table = CsvTable(csv, [t(title) for title, _ in ENTRY_COLUMNS]) if csv is not None else None
    if table is not None:
        sinks.append(table)
    count = 0
    async with db.transaction() as session:
        async for row in export_queries.stream_entries(session, school_id, start, end):
            values = entry_values(row, facts, t)
            for sink in sinks:
                sink.append(values)
            count += 1
    if table is not None:
        table.finish()
    if book is not None and xlsx is not None:
        await _write_summary_sheets(db, book, facts, start, end, min(end, today), t)
        book.save(xlsx)
    return count


def _translated(columns: Sequence[Column], t: Translator) -> list[Column]:
    return [(t(title), width) for title, width in columns]


def entry_values(row, facts: SchoolFacts, t: Translator) -> list:
    """One entry's cells, as the entries sheet and the CSV have them."""
    logged_at = row.logged_at.astimezone(facts.zone).replace(tzinfo=None, second=0, microsecond=0)
    return [
        row.occurred_on, row.occurred_time, facts.member_names.get(row.member_id, ""),
        facts.role_text(row.member_id, t),
        activity_text(facts.policy, row.activity_code, t), row.student_name, row.duration_minutes, row.notes,
        facts.member_names.get(row.covisitor_member_id) if row.covisitor_member_id else None,
        logged_at, row.source,
    ]


async def _write_summary_sheets(db: Database, book: XlsxBook, facts: SchoolFacts, start: dt.date, end: dt.date,
                                as_of: dt.date, t: Translator) -> None:
    progress = book.sheet(t(PROGRESS_SHEET), _translated(PROGRESS_COLUMNS, t))
    for values in await _progress_rows(db, facts, as_of, t):
        progress.append(values)
    student_activities = [a for a in facts.policy.activities if a.asks_for("student")]
    coverage_columns = [(t("Member"), 14), (t("Student"), 16), *[(a.label(t.language), 10) for a in student_activities],
                        (t("Last contact"), 12)]
    coverage = book.sheet(t(STUDENTS_SHEET), coverage_columns)
    for values in await _coverage_rows(db, facts, start, end, [a.code for a in student_activities]):
        coverage.append(values)
    contact_points = book.sheet(t(CONTACT_POINTS_SHEET), _translated(CONTACT_POINT_COLUMNS, t))
    for values in await contact_point_rows(db, facts, start, end, t):
        contact_points.append(values)
    if facts.policy.records:  # only plans that ask for written records get the sheet
        records = book.sheet(t(RECORDS_SHEET), _translated(RECORD_COLUMNS, t))
        for values in (await record_listing(db, facts, start, end, t)).rows:
            records.append(values)


async def _progress_rows(db: Database, facts: SchoolFacts, as_of: dt.date, t: Translator) -> list[list]:
    """One row per member and rule running on `as_of`, as bot.quotas.standing computes it."""
    standing = await school_standing(db, facts.school_id, as_of)
    rows = []
    for member in standing.members:
        for progress in member.rules:
            rule = standing.policy.rule(progress.rule_id)
            rows.append([
                member.display_name, role_text(standing.policy, member.role, t), rule.label(t.language),
                progress.period_start, progress.period_end, progress.done, progress.target,
                progress.expected_by_now, progress.behind_by, t("yes") if progress.on_pace else t("no"),
                t.listing(progress.students_missing),
            ])
    return rows


async def _coverage_rows(db: Database, facts: SchoolFacts, start: dt.date, end: dt.date,
                         activities: Sequence[str]) -> list[list]:
    """One row per paired student of an active member: entries per activity in the range, last contact."""
    async with db.transaction() as session:
        pairings = await pairing_queries.school_pairings(session, facts.school_id)
        members = {m.id for m in await repo.school_members(session, facts.school_id)}
        counts = await export_queries.paired_student_activity_counts(session, facts.school_id, start, end)
        last_contacts = await export_queries.paired_student_last_contacts(session, facts.school_id, end)
    rows = []
    for pairing in pairings:
        if pairing.member_id not in members:
            continue
        key = (pairing.member_id, pairing.student_key)
        per_activity = counts.get(key, {})
        rows.append([facts.member_names[pairing.member_id], pairing.student_name,
                     *[per_activity.get(code, 0) for code in activities], last_contacts.get(key)])
    return rows
