"""`teachlog chat`: the bot in a terminal, as a new person with an invite, as a member, or in a demo school."""

from __future__ import annotations

import itertools
import secrets
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.common import CliError, app, fail, with_database
from bot.clock import Clock, SystemClock

if TYPE_CHECKING:
    from storage.db import Database
    from storage.models import Member

#: Where "now" comes from; tests replace it.
CLOCK: Clock = SystemClock()
LANGUAGES = ("zh", "en")


@app.command()
def chat(
    invite: str = typer.Option(None, "--invite", metavar="CODE", help="Join as a new person with this invite."),
    member: str = typer.Option(None, "--member", metavar="NAME|ID", help="Act as this existing member."),
    demo: bool = typer.Option(False, "--demo", help="Make (or reuse) a demo school and chat as its head teacher."),
    lang: str = typer.Option(None, "--lang", metavar="zh|en", help="The language your chat app would be set to."),
    files: Path = typer.Option(None, "--files", metavar="DIR", help="Where charts and files go (default: a new "
                               "temporary folder)."),
    school: int = typer.Option(None, "--school", help="With --member NAME: the member's school, when names repeat."),
) -> None:
    """Talk to the bot in a terminal: buttons are printed [N] label, a line #N taps button N of the latest
    message, other lines are messages and /commands. Reads piped input too, one message a line."""
    if sum((invite is not None, member is not None, demo)) != 1:
        fail("give one of --invite CODE, --member NAME|ID or --demo")
    if invite is not None and not invite.strip():
        fail("--invite needs the invite code, e.g. --invite skGLBEM9m-lP (teachlog invite create prints one)")
    if lang is not None and lang not in LANGUAGES:
        fail(f"unknown language {lang!r}: use zh or en")
    folder = files if files is not None else Path(tempfile.mkdtemp(prefix="teachlog-chat-"))

    async def work(db: Database) -> None:
        await converse(db, invite=invite, member=member, demo=demo, lang=lang, files=folder, school_id=school)
    with_database(work)


async def converse(db: Database, *, invite: str | None, member: str | None, demo: bool, lang: str | None,
                   files: Path, school_id: int | None) -> None:
    from bot.app_context import AppContext
    from bot.settings import Settings
    from handlers.terminal.screen import Screen
    from handlers.terminal.session import ChatSession

    core = AppContext(db=db, settings=Settings(), clock=CLOCK)
    interactive = sys.stdin.isatty()
    screen = Screen(typer.echo, files)
    user_id, first_lines = new_person_id(), [] if invite is None else [f"/start {invite}"]
    if member is not None or demo:
        chosen = await demo_member(db, screen) if demo else await find_member(db, member or "", school_id)
        user_id = await terminal_account(db, chosen)
        screen.out(f"teachlog chat: you are {chosen.display_name} (member {chosen.id}); files go to {files}")
        if demo:
            await sample_reminder(db, chosen, lang)
    session = ChatSession(core, screen, echo=not interactive, user_id=user_id, language_code=lang)
    if interactive:
        screen.out("Type a message or a /command; #N taps button N; Ctrl-D ends.")
    def prompt() -> None:
        if interactive:
            typer.echo("> ", nl=False)
    await session.run(itertools.chain(first_lines, sys.stdin), prompt)
    if interactive:
        typer.echo("")  # Ctrl-D ends the line the prompt is on


def new_person_id() -> str:
    """A terminal account id for somebody new: digits, like the other platforms' user ids."""
    return str(10**9 + secrets.randbelow(9 * 10**9))


async def find_member(db: Database, reference: str, school_id: int | None) -> Member:
    """The member with this id, or the one called this (spaces and case ignored); CliError otherwise."""
    from bot.people.students import student_key
    from storage import outbox
    from storage import repository as repo
    async with db.transaction() as session:
        if reference.strip().isdigit():
            found = await repo.get_member(session, int(reference))
            if found is None or (school_id is not None and found.school_id != school_id):
                raise CliError(f"no member with id {reference}")
            return found
        schools = [school_id] if school_id is not None else [s.id for s in await outbox.all_schools(session)]
        wanted = student_key(reference)
        matches = [m for s in schools for m in await repo.school_members(session, s)
                   if student_key(m.display_name) == wanted]
    if not matches:
        raise CliError(f"no member is called {reference!r}")
    if len(matches) > 1:
        ids = ", ".join(f"{m.id} (school {m.school_id})" for m in matches)
        raise CliError(f"{len(matches)} members are called {reference!r}: give the id instead, one of {ids}")
    return matches[0]


async def terminal_account(db: Database, member: Member) -> str:
    """The member's terminal account id, made now when they have none; used now, so their reminders come here."""
    from storage import repository as repo
    now = CLOCK.now()
    async with db.transaction() as session:
        accounts = [a for a in await repo.accounts_of(session, member.id) if a.platform == "terminal"]
        if accounts:
            await repo.mark_account_used(session, "terminal", accounts[0].external_id, now)
            return accounts[0].external_id
        await repo.add_account(session, member, "terminal", str(member.id), now)
        return str(member.id)


async def demo_member(db: Database, screen) -> Member:
    from bot.demo import open_demo
    demo = await open_demo(db, CLOCK.now())
    screen.out(f"teachlog chat: demo school {demo.school_name} (id {demo.school_id})" +
               (" made" if demo.created else " reused") + " in this database")
    return demo.head_teacher


async def sample_reminder(db: Database, member: Member, lang: str | None) -> None:
    """Put a sample reminder in the outbox for the demo's head teacher: it arrives as the chat opens."""
    from bot.notifications.sample_reminder import plan_sample_reminder
    from bot.people.schools import SchoolError
    try:
        await plan_sample_reminder(db, member.display_name, CLOCK.now(), school_id=member.school_id,
                                   client_language=lang)
    except SchoolError:  # no quota asks anything of her today: nothing to remind
        pass
