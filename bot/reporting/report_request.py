"""Understanding `/report …`: which period, and optionally one member or one activity.

Words, in any order, English or Chinese (case and spacing ignored):

* a period — ``week`` (the default), ``month``, ``quarter``, ``term``, ``year``,
  with ``this``/``last``: ``last week``, 上周, 本月, 上个月, 本季度, 本学期,
  上学期, 今年, 去年 … Without ``last`` it is the running period, counted to
  today. ``year`` is the school year when the policy sets one (default preset:
  1 September), else the calendar year. A Chinese period may be glued to the
  next word: ``上周家访``.
* an activity — any of its names in the policy (家访, visit, hv …);
* a member — ``@name``, or a name that is no period or activity word: the
  member's display name (spaces and case ignored; a unique part of it is
  enough), or their handle on any platform that has one (Telegram's
  @username, Slack's display name) once the bot has seen it;
* ``school``/全校 — the school overview (what a group gets) in a private chat;
* a year — ``2025`` or ``2025年``: that year's report (the school year that
  begins in it when the policy sets one).

A member and an activity together are refused: the report is about one or the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.people.students import named
from bot.people.usernames import UsernameBook
from bot.quotas.policy import Policy
from storage import repository as repo
from storage.db import Database
from storage.models import Member

_THIS, _LAST = False, True
PERIOD_WORDS: dict[str, tuple[str, bool]] = {
    **dict.fromkeys(("week", "this week", "本周", "这周", "本星期", "这星期", "这个星期"), ("week", _THIS)),
    **dict.fromkeys(("last week", "上周", "上星期", "上个星期"), ("week", _LAST)),
    **dict.fromkeys(("month", "this month", "本月", "这个月", "这月"), ("month", _THIS)),
    **dict.fromkeys(("last month", "上月", "上个月"), ("month", _LAST)),
    **dict.fromkeys(("quarter", "this quarter", "本季度", "这个季度", "本季"), ("quarter", _THIS)),
    **dict.fromkeys(("last quarter", "上季度", "上个季度", "上季"), ("quarter", _LAST)),
    **dict.fromkeys(("term", "this term", "semester", "this semester", "本学期", "这学期", "这个学期"),
                    ("term", _THIS)),
    **dict.fromkeys(("last term", "last semester", "上学期", "上个学期"), ("term", _LAST)),
    **dict.fromkeys(("year", "this year", "今年", "本年", "本学年", "这学年"), ("year", _THIS)),
    **dict.fromkeys(("last year", "去年", "上学年", "上一学年"), ("year", _LAST)),
}
SCHOOL_WORDS = frozenset({"school", "全校", "学校"})
_GLUED_PERIODS = sorted((w for w in PERIOD_WORDS if not w.isascii()), key=len, reverse=True)
_LONGEST_PHRASE = 3
_YEAR = re.compile(r"^(20\d\d)年?$")


class ReportRequestError(ValueError):
    """The words cannot make one report; `.code` is 'member_and_activity'."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ReportRequest:
    kind: str = "week"
    previous: bool = False
    activity: str | None = None
    member: str | None = None
    school: bool = False
    year: int | None = None


def _split_glued(tokens: list[str]) -> list[str]:
    """'上周家访' → '上周', '家访'."""
    split: list[str] = []
    for token in tokens:
        if token in PERIOD_WORDS:
            split.append(token)
            continue
        head = next((w for w in _GLUED_PERIODS if token.startswith(w) and len(token) > len(w)), None)
        split += [head, token[len(head):]] if head else [token]
    return split


def parse_report_request(text: str, policy: Policy) -> ReportRequest:
    """The report that the words after `/report` ask for (see the module docstring)."""
    tokens = _split_glued(text.split())
    kind, previous, activity, school, year = "week", False, None, False, None
    name_parts: list[str] = []
    names: list[str] = []
    i = 0
    while i < len(tokens):
        for length in range(min(_LONGEST_PHRASE, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i:i + length]).casefold()
            if phrase in PERIOD_WORDS:
                kind, previous = PERIOD_WORDS[phrase]
            elif (found := policy.find_activity(phrase)) is not None:
                activity = found.code
            elif length == 1 and phrase in SCHOOL_WORDS:
                school = True
            elif length == 1 and (year_match := _YEAR.match(phrase)):
                kind, previous, year = "year", False, int(year_match.group(1))
            else:
                continue
            if name_parts:
                names.append(" ".join(name_parts))
                name_parts = []
            i += length
            break
        else:
            token = tokens[i]
            if token.startswith("@") and name_parts:
                names.append(" ".join(name_parts))
                name_parts = []
            name_parts.append(token)
            i += 1
    if name_parts:
        names.append(" ".join(name_parts))
    member = names[-1].strip() if names else None
    if member is not None and activity is not None:
        raise ReportRequestError("member_and_activity")
    return ReportRequest(kind, previous, activity, member or None, school, year)


@dataclass(frozen=True)
class MemberLookup:
    """The member a request names, or the candidates when the name fits several (or none)."""

    member: Member | None
    candidates: tuple[str, ...] = ()


async def find_member(db: Database, school_id: int, reference: str, usernames: UsernameBook,
                      mentioned_account: tuple[str, str] | None = None) -> MemberLookup:
    """The active member of the school that `reference` names.

    A mention of an account (`mentioned_account`: platform and user id, as a
    tapped name carries it) wins; then an ``@handle`` the bot has seen on any
    platform; then the display name: an exact match (spaces and case ignored),
    else the only name containing the text.
    """
    async with db.transaction() as session:
        if mentioned_account is not None:
            mentioned = await repo.member_by_account(session, *mentioned_account)
            if mentioned is not None and mentioned.active and mentioned.school_id == school_id:
                return MemberLookup(mentioned)
        members = await repo.school_members(session, school_id)
    if reference.startswith("@"):
        by_username = await usernames.member(school_id, reference[1:])
        if by_username is not None:
            return MemberLookup(by_username)
    found = named(members, reference.lstrip("@"), lambda m: m.display_name)
    if len(found) == 1:
        return MemberLookup(found[0])
    return MemberLookup(None, tuple(sorted(m.display_name for m in found)))
