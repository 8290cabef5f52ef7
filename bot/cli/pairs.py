"""Members paired with students (结对帮扶) or assigned to places (班级, 党支部, 联系点 …):
`pair add`, `pair list`, `pair remove`, `roster import`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.common import CliError, fail, sub_app, with_database
from bot.cli.text import count
from bot.people.place_kinds import PLACE_KINDS

if TYPE_CHECKING:
    from bot.people.assignments import AssignmentView
    from bot.people.pairings import PairingView, RosterReport
    from storage.db import Database

pair_app = sub_app("pair", "Members paired with students (结对帮扶) or assigned to places (班级, 联系点 …).")
roster_app = sub_app("roster", "Pair many members with students at once, from a CSV file.")

SCHOOL_OPTION = typer.Option(..., "--school", help="The school id.")
MEMBER_HELP = "A member id, or a display name unique in the school."
KIND_HELP = "The kind of place: " + ", ".join(f"{code} ({zh})" for code, zh in PLACE_KINDS.items()) + "."
PLACE_HELP = "A place instead of a student (with --kind): a class, branch, village, contact point …"


def student_or_place(student: str | None, place: str | None, kind: str | None) -> None:
    """Fail in one line unless exactly one of --student and --place is given, and --kind with --place."""
    if (student is None) == (place is None):
        fail("give either --student NAME or --place NAME --kind KIND")
    if place is not None and kind is None:
        fail("--place needs --kind (" + ", ".join(PLACE_KINDS) + ")")


@pair_app.command("add")
def pair_add(
    school: int | None = typer.Option(None, "--school", help="The school id; a bureau member's contact point "
                               "(--kind contact_point) finds the member's bureau without it."),
    member: str = typer.Option(..., help=MEMBER_HELP),
    student: str = typer.Option(None, help="The student's name (at most 60 characters)."),
    place: str = typer.Option(None, help=PLACE_HELP),
    kind: str = typer.Option(None, help=KIND_HELP),
    head: str = typer.Option(None, help="With --place: the person in charge there (plan 003's 负责人)."),
) -> None:
    """Pair a member with a student, or assign them to a place; the same again adds nothing."""
    from bot.people.assignments import CONTACT_POINT, add_assignment, bureau_of_member
    from bot.people.pairings import add_pairing
    student_or_place(student, place, kind)
    if school is None and kind != CONTACT_POINT:
        fail(f"give --school N (only a contact point, --kind {CONTACT_POINT}, finds a bureau member's school)")
    school_id: int = school if school is not None else with_database(lambda db: bureau_of_member(db, member))
    if place is not None:
        placed = with_database(lambda db: add_assignment(db, school_id, member, kind, place, head))
        view = placed.assignment
        where = f"{view.kind} {view.place}" + (f" (in charge: {view.head})" if view.head else "") + \
            (f", school {view.school_id} of the district" if view.school_id is not None else "")
        verb = "assigned" if placed.created else "already assigned;"
        typer.echo(f"{verb} {view.display_name} (#{view.member_id}) to {where}")
        return
    outcome = with_database(lambda db: add_pairing(db, school_id, member, student))
    who = f"{outcome.pairing.display_name} (#{outcome.pairing.member_id})"
    if outcome.created:
        typer.echo(f"paired {who} with {outcome.pairing.student_name}")
    else:
        typer.echo(f"{who} is already paired with {outcome.pairing.student_name}; nothing added")


@pair_app.command("list")
def pair_list(
    school: int = SCHOOL_OPTION,
    member: str = typer.Option(None, help=MEMBER_HELP + " Only this member's students."),
) -> None:
    """The school's pairings, one line per member: `NAME (#ID): STUDENT, STUDENT`; then the place assignments."""
    from bot.people.assignments import list_assignments
    from bot.people.pairings import list_pairings
    pairings = with_database(lambda db: list_pairings(db, school, member))
    places = with_database(lambda db: list_assignments(db, school, member))
    if not pairings and not places:
        typer.echo(f"no pairings for member {member}" if member else f"no pairings in school {school}")
        return
    if pairings:
        for line in pairing_lines(pairings):
            typer.echo(line)
    for line in assignment_lines(places):
        typer.echo(line)


def assignment_lines(places: list[AssignmentView]) -> list[str]:
    """``王芳 (#3) contact_point: 初二(3)班 (in charge: 李主任)`` per assignment."""
    return [f"{p.display_name} (#{p.member_id}) {p.kind}: {p.place}" + (f" (in charge: {p.head})" if p.head else "")
            for p in places]


def pairing_lines(pairings: list[PairingView]) -> list[str]:
    """``王芳 (#3): 李小明, 张伟`` per member, then a count."""
    by_member: dict[tuple[int, str], list[str]] = {}
    for pairing in pairings:
        by_member.setdefault((pairing.member_id, pairing.display_name), []).append(pairing.student_name)
    lines = [f"{name} (#{member_id}): {', '.join(students)}" for (member_id, name), students in by_member.items()]
    lines.append(f"{count(len(by_member), 'member')}, {count(len(pairings), 'pairing')}")
    return lines


@pair_app.command("remove")
def pair_remove(
    school: int = SCHOOL_OPTION,
    member: str = typer.Option(..., help=MEMBER_HELP),
    student: str = typer.Option(None, help="The student's name."),
    place: str = typer.Option(None, help=PLACE_HELP),
    kind: str = typer.Option(None, help=KIND_HELP),
) -> None:
    """Unpair a member and a student, or take them off a place."""
    from bot.people.assignments import remove_assignment
    from bot.people.pairings import remove_pairing
    student_or_place(student, place, kind)
    if place is not None:
        gone = with_database(lambda db: remove_assignment(db, school, member, kind, place))
        typer.echo(f"removed: {gone.display_name} (#{gone.member_id}) is no longer assigned to "
                   f"{gone.kind} {gone.place}")
        return
    removed = with_database(lambda db: remove_pairing(db, school, member, student))
    typer.echo(f"removed: {removed.display_name} (#{removed.member_id}) is no longer paired with "
               f"{removed.student_name}")


@roster_app.command("import")
def roster_import(
    file: Path = typer.Argument(..., help="CSV, UTF-8: a header row with member (教师, 成员) and student (学生)."),
    school: int = SCHOOL_OPTION,
) -> None:
    """Pair every good row of a roster in one go; prints what was done and each bad row with its line.

    Exit status 1 when some rows were bad (the good ones are imported all the same).
    """
    from bot.people.pairings import import_roster
    from bot.people.roster import RosterHeaderError
    text = read_roster_file(file)

    async def work(db: Database) -> RosterReport:
        try:
            return await import_roster(db, school, text)
        except RosterHeaderError as error:
            raise CliError(f"{file}:{error.line}: {error}; nothing was imported") from None

    report = with_database(work)
    for line in report_lines(str(file), report):
        typer.echo(line)
    if report.bad_rows:
        raise typer.Exit(1)


def read_roster_file(file: Path) -> str:
    from bot.people.roster import decode_roster
    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        return decode_roster(file.read_bytes())
    except ValueError as error:
        fail(f"{file}: {error}")


def report_lines(name: str, report: RosterReport) -> list[str]:
    """A summary line, ``FILE:LINE: reason`` for each bad row, and what to do about them."""
    summary = f"{name}: {report.paired} paired, {report.already_paired} already paired"
    if not report.bad_rows:
        return [summary]
    lines = [f"{summary}, {count(len(report.bad_rows), 'bad row')}"]
    lines += [f"{name}:{bad.line}: {bad.reason}" for bad in report.bad_rows]
    verb = "was" if report.good_rows == 1 else "were"
    imported = (f"the other {count(report.good_rows, 'row')} {verb} imported" if report.good_rows
                else "no row was imported")
    lines.append(f"{count(len(report.bad_rows), 'bad row')} skipped, {imported}; "
                 f"fix them and import the file again (pairs already made are kept, not repeated)")
    return lines
