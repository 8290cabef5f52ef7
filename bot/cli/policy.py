"""Policies from the shell: `policy check FILE`, `policy set --school ID|--district ID PRESET|FILE`, `policy list`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import fail, sub_app, with_database
from bot.cli.text import count, one_line, table
from bot.clock import Clock, SystemClock

if TYPE_CHECKING:
    from bot.quotas.policy import Policy
    from storage.db import Database

#: Where "today" comes from for the holiday warning; tests replace it.
CLOCK: Clock = SystemClock()

policy_app = sub_app("policy", "Policies: the activities and quota rules a school follows.")


@policy_app.command("check")
def policy_check(file: Path = typer.Argument(..., help="A policy YAML file.")) -> None:
    """Print every mistake as `FILE:LINE: message` (exit 1), or `FILE: ok (N activities, M rules)` and phase dates."""
    from bot.quotas.policy import check_policy_text, load_policy
    text = read_policy_file(file)
    problems = check_policy_text(text)
    for problem in problems:
        typer.echo(f"{file}:{problem.line}: {one_line(problem.message)}")
    if problems:
        raise typer.Exit(1)
    policy = load_policy(text)
    typer.echo(f"{file}: ok ({summary(policy)})")
    warn_of_unknown_holidays(str(file), text, policy)
    for phase in policy.phases:  # plan words such as 5月中旬 are shown as the dates they resolve to
        typer.echo(f"  phase {phase.name}: {phase.start} to {phase.end}  {phase.label_zh or phase.label_en}".rstrip())


@policy_app.command("set")
def policy_set(
    source: str = typer.Argument(..., metavar="PRESET|FILE|district",
                                 help="A preset (see `policy list`) or a YAML file; for a school of a district, a "
                                      "file saying `extends: district` adds its rules to the district's, and "
                                      "`district` makes it follow the district's again."),
    school: int = typer.Option(None, help="The school id."),
    district: int = typer.Option(None, help="The district id: every school following it gets the new policy."),
) -> None:
    """Give a school or a district a new policy; prints its name and its activities."""
    from bot.quotas.policy.sources import policy_from_text
    if (school is None) == (district is None):
        fail("give one of --school N or --district N")
    if source != "district":
        refuse_a_file_with_mistakes(source)
    following: list[int] = []
    if district is not None:
        name, text, following = with_database(lambda db: _set_district_policy(db, district, source))
    else:
        name, text = with_database(lambda db: _set_school_policy(db, school, source))
    policy = policy_from_text(text)
    who = f"district {district}" if district is not None else f"school {school}"
    typer.echo(f"{who} now follows policy {name}: {both_languages(policy.title_zh, policy.title_en)}")
    if district is not None:
        typer.echo(f"{count(len(following), 'school')} of the district follow it: their stored report windows "
                   "are recomputed in the background by `teachlog run` or `teachlog worker`")
    typer.echo(f"{summary(policy)}:")
    rows = [[activity.code, both_languages(activity.label_zh, activity.label_en)] for activity in policy.activities]
    for line in table(["code", "activity"], rows)[1:]:
        typer.echo(f"  {line}")
    # A school following or extending its district's: the policy in force is the district's (with its additions).
    own = district is not None or name in (source, Path(source).stem)
    in_force = source if own else "the district's policy"
    warn_of_unknown_holidays(in_force, text, policy)


async def _set_school_policy(db: Database, school_id: int, source: str) -> tuple[str, str]:
    """The school's own policy (or its district's again, for `district`): its name and the text in force."""
    from bot.people.districts import follow_district, set_own_policy
    from bot.people.schools import SchoolError
    from storage import repository as repo
    async with db.transaction() as session:
        school = await repo.get_school(session, school_id)
        if school is None:
            raise SchoolError(f"no school with id {school_id}")
        if source == "district":
            await follow_district(session, school)
        else:
            await set_own_policy(session, school, source)
        return school.policy_name, school.policy_text


async def _set_district_policy(db: Database, district_id: int, source: str) -> tuple[str, str, list[int]]:
    """The district's new policy stored at each school following it. Their stored report windows no longer fit
    the policy: the running bot or worker recomputes them (:mod:`bot.reporting.warm`), not this command, which
    would keep the shell waiting for minutes at a large school."""
    from bot.people.districts import set_district_policy
    name, following = await set_district_policy(db, district_id, source)
    from bot.quotas.policy.sources import load_policy_source
    _, text, _ = load_policy_source(source)
    return name, text, following


@policy_app.command("list")
def policy_list() -> None:
    """The presets shipped with teachlog, with their titles."""
    from bot.quotas.policy import load_preset, preset_names
    names = preset_names()
    width = max(len(name) for name in names)
    for name in names:
        policy = load_preset(name)
        typer.echo(f"{name.ljust(width)}  {both_languages(policy.title_zh, policy.title_en)}  ({summary(policy)})")


def warn_of_unknown_holidays(source: str, text: str, policy: Policy) -> None:
    """`SOURCE:LINE: warning: …` on stderr when the public holidays of years the policy spans are unknown."""
    from bot.quotas.holiday_horizon import policy_warning, years_without_holidays_in_policy
    from bot.quotas.policy.loader import key_line
    years = years_without_holidays_in_policy(policy, CLOCK.now().astimezone(zone_of(policy)).date())
    if years:
        line = key_line(text, ("calendar", "chinese_holidays"))
        typer.echo(f"{source}:{line}: {policy_warning(years)}", err=True)


def zone_of(policy: Policy) -> ZoneInfo:
    from bot.people.schools import DEFAULT_TIMEZONE
    return ZoneInfo(policy.timezone or DEFAULT_TIMEZONE)


def read_policy_file(file: Path) -> str:
    """The file's text; a one-line failure when it is missing or not UTF-8."""
    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text")


def refuse_a_file_with_mistakes(source: str) -> None:
    """Fail in one line, `FILE:LINE: message` pointing at `policy check`, when a policy file has mistakes."""
    from bot.quotas.policy import check_policy_text, preset_names
    from bot.quotas.policy.inheritance import extends_district
    if source in preset_names() or not Path(source).is_file():
        return
    file = Path(source)
    text = read_policy_file(file)
    if extends_district(text):
        return  # a part of a policy: checked once added to its district's
    problems = check_policy_text(text)
    if problems:
        first = problems[0]
        more = (f"; {count(len(problems) - 1, 'more mistake')}, see them all with: teachlog policy check {file}"
                if len(problems) > 1 else "")
        fail(f"{file}:{first.line}: {one_line(first.message)}{more}")


def summary(policy: Policy) -> str:
    return f"{count(len(policy.activities), 'activity', 'activities')}, {count(len(policy.rules), 'rule')}"


def both_languages(zh: str, en: str) -> str:
    return " / ".join(label for label in (zh, en) if label) or "(no title)"
