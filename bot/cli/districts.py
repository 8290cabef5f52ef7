"""Districts from the shell: `district create NAME`, `district list`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from bot.cli.bootstrap import invite_link_line
from bot.cli.common import sub_app, with_database
from bot.cli.policy import refuse_a_file_with_mistakes
from bot.clock import SystemClock

if TYPE_CHECKING:
    from storage.db import Database

district_app = sub_app("district", "Districts: a county education bureau and its schools.")


@district_app.command("create")
def district_create(
    name: str = typer.Argument(..., help="The district's (its bureau's) name, e.g. 华容县教育局."),
    timezone: str = typer.Option("Asia/Shanghai", help="IANA time zone: the default of its schools."),
    language: str = typer.Option("zh", help="zh or en: the default of its schools."),
    policy: str = typer.Option("default", help="A preset (default, seed-000 … seed-004) or a policy YAML file: "
                                               "the policy its schools follow."),
) -> None:
    """Create a district and its bureau office; prints their ids and a one-use leader invite for the bureau."""
    from bot.people.districts import create_district
    refuse_a_file_with_mistakes(policy)

    async def work(db: Database) -> None:
        created = await create_district(db, name, timezone=timezone, language=language, policy=policy,
                                        now=SystemClock().now())
        typer.echo(f"district id: {created.district_id}")
        typer.echo(f"bureau school id: {created.bureau_school_id}")
        typer.echo(f"leader invite: {created.leader_invite}")
        typer.echo(await invite_link_line(db, created.leader_invite))
    with_database(work)


@district_app.command("list")
def district_list() -> None:
    """Each district with its schools (the bureau first), their zone, policy and member counts."""
    from bot.people.districts import district_lines

    async def work(db: Database) -> None:
        districts = await district_lines(db)
        if not districts:
            typer.echo("no districts yet: create one with teachlog district create NAME")
        for district in districts:
            typer.echo(f"district {district.district_id}: {district.name}  (policy {district.policy})")
            for school in district.schools:
                what = "bureau" if school.bureau else f"zone {school.zone}" if school.zone else "no zone"
                policy = f", own policy {school.policy}" if school.own_policy else ""
                typer.echo(f"  school {school.school_id}: {school.name}  ({what}{policy})  "
                           f"{school.members} members, {school.joined} joined")
    with_database(work)
