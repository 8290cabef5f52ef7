"""Standings kept between notification rounds: asked again, only the members who changed are computed again.

A county's Friday asks for every school's standing on the same day twice — the reminders at 16:30, the leaders'
digests at 17:00 — and most of its 18,000 members have not moved in between. A kept standing holds each member's
result with the line it was computed from, ``standing_version`` included (bumped by every write that can move
where the member stands: :attr:`storage.models.Member.standing_version`). Asked again for the same day, the
schools' member lines are read (one statement) and compared:

* a school whose policy text or start of counting changed, or that nothing is kept of, is computed whole;
* otherwise only its members whose line differs — another version, name, role or dates, a newcomer — are
  computed again, together across the schools; members who left drop out; the others are what was kept.

The lines are read before what they are compared against, in the same transaction, so a write committed
meanwhile is either in the lines with its new version or counted in a result that the next ask recomputes
(its version then differs): never missed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.people.schools import policy_of
from bot.quotas.standing import MemberStanding, SchoolStanding, computed_standings, schools_to_stand
from storage import repository as repo
from storage.db import Database
from storage.models import School

#: More members than this changed since the kept standings: their schools are computed whole instead (one scan
#: of the period serves them better than a long list of member ids).
MOST_CHANGED = 3_000
#: Kept standings of days this much older than the day asked are dropped.
KEPT_DAYS = dt.timedelta(days=7)


@dataclass(frozen=True)
class _Kept:
    basis: tuple[str, dt.date | None]
    lines: Mapping[int, repo.MemberLine]
    members: Mapping[int, MemberStanding]


def _reusable(kept: _Kept | None, whole: bool) -> Mapping[int, MemberStanding]:
    """The kept members' standings that may be taken again: none for a school computed whole."""
    return kept.members if kept is not None and not whole else {}


def _basis(school: School) -> tuple[str, dt.date | None]:
    """What every member's result of the school depends on besides their own line and data."""
    return school.policy_text, school.counts_from


class KeptStandings:
    """:func:`bot.quotas.standing.school_standings` over `db`, with what it computed kept for the next ask."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._kept: dict[tuple[int, dt.date], _Kept] = {}

    async def __call__(self, school_id: int, today: dt.date) -> SchoolStanding:
        return (await self.many([school_id], today))[school_id]

    async def many(self, school_ids: Sequence[int], today: dt.date) -> dict[int, SchoolStanding]:
        """Each school's standing on `today` (its local date), by school id; LookupError for an unknown school."""
        ids = list(dict.fromkeys(school_ids))
        if not ids:
            return {}
        async with self.db.transaction() as session:
            schools = await schools_to_stand(session, ids)
            lines = await repo.member_lines_of_schools(session, ids)
            # What the lines are compared with, and what is taken for the members that did not change: as it is
            # now, whatever another ask of the same day keeps meanwhile.
            previous = {school_id: self._kept.get((school_id, today)) for school_id in ids}
            whole, changed = self._to_compute(schools, lines, previous)
            found: list[dict[int, SchoolStanding]] = []
            if whole:
                found.append(await computed_standings(session, schools, whole, today, None))
            if changed:
                member_ids = [line.id for school_lines in changed.values() for line in school_lines]
                found.append(await computed_standings(session, schools, changed, today, member_ids))
        computed: dict[int, dict[int, MemberStanding]] = {}
        for standings in found:
            for school_id, standing in standings.items():
                computed.setdefault(school_id, {}).update((m.member_id, m) for m in standing.members)
        for key in [key for key in self._kept if key[1] < today - KEPT_DAYS]:
            del self._kept[key]
        return {school_id: self._keep(schools[school_id], lines[school_id], today, computed.get(school_id, {}),
                                      _reusable(previous[school_id], school_id in whole))
                for school_id in ids}

    @staticmethod
    def _to_compute(schools: Mapping[int, School], lines: Mapping[int, Sequence[repo.MemberLine]],
                    previous: Mapping[int, _Kept | None]
                    ) -> tuple[dict[int, Sequence[repo.MemberLine]], dict[int, list[repo.MemberLine]]]:
        """The schools to compute whole (with all their lines), and of the others the lines that changed."""
        whole: dict[int, Sequence[repo.MemberLine]] = {}
        changed: dict[int, list[repo.MemberLine]] = {}
        for school_id, school_lines in lines.items():
            kept = previous[school_id]
            if kept is None or kept.basis != _basis(schools[school_id]):
                whole[school_id] = school_lines
                continue
            different = [line for line in school_lines if kept.lines.get(line.id) != line]
            if different:
                changed[school_id] = different
        if sum(len(school_lines) for school_lines in changed.values()) > MOST_CHANGED:
            whole.update({school_id: lines[school_id] for school_id in changed})
            changed = {}
        return whole, changed

    def _keep(self, school: School, lines: Sequence[repo.MemberLine], today: dt.date,
              computed: Mapping[int, MemberStanding], kept: Mapping[int, MemberStanding]) -> SchoolStanding:
        """The school's standing from what was just computed and what was kept of the others; kept in turn."""
        members = tuple(computed.get(line.id) or kept[line.id] for line in lines)
        self._kept[(school.id, today)] = _Kept(_basis(school), {line.id: line for line in lines},
                                               {member.member_id: member for member in members})
        return SchoolStanding(school.id, school.name, today, policy_of(school), members)
