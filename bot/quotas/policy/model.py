"""The policy of one school, as pydantic models.

A policy names the activity types teachers log, the roles members hold, the
school calendar (terms, blackout dates, campaign phases) and the quota rules:
*who* (roles) must do *what* (activity types), *how many* (a measure with a
minimum and optional maximum), *per* what period, and whether per member or
per paired student.

Each model checks only its own fields. Checks that look across the policy
(a rule naming an unknown role, overlapping terms, duplicate ids, …) live in
:func:`consistency_problems`, so the loader can report all of them at once with
line numbers; :class:`Policy` runs them too, so a policy built in Python is
just as safe as one loaded from YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from bot.people.place_kinds import PLACE_KINDS
from bot.quotas.policy.plan_dates import resolve_phase_bounds, resolve_plan_word

#: What an activity's log form may ask for.
ENTRY_FIELDS = ("student", "duration", "notes", "covisitor", "problems", "place")
#: What a rule counts: entries, distinct students/families, distinct days with an entry, or written records.
MEASURES = ("entries", "distinct_students", "days", "records")
#: Whom a rule is met for: the member as a whole, each of the member's paired students, or each assigned place.
SCOPES = ("member", "paired_student", "assigned_place")
#: Period kinds other than ``phase:<name>``.
PERIOD_KINDS = ("week", "month", "quarter", "term", "year")
LANGUAGES = ("zh", "en")

EntryField = Literal["student", "duration", "notes", "covisitor", "problems", "place"]
Measure = Literal["entries", "distinct_students", "days", "records"]
Scope = Literal["member", "paired_student", "assigned_place"]
Language = Literal["zh", "en"]

#: A location inside the policy document, e.g. ``("rules", 2, "roles", 0)``.
Path = tuple[str | int, ...]

_CODE = re.compile(r"[a-z][a-z0-9_]*")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_period(text: str) -> tuple[str, str | None]:
    """Split a period into its kind and phase name: ``"phase:research"`` → ``("phase", "research")``.

    Raises ValueError with a readable message for anything else than week,
    month, quarter, term, year or ``phase:<name>``.
    """
    text = text.strip()
    if text in PERIOD_KINDS:
        return text, None
    if text.startswith("phase:"):
        name = text.removeprefix("phase:").strip()
        if _SLUG.fullmatch(name):
            return "phase", name
    raise ValueError(f"bad period {text!r}: use week, month, quarter, term, year or phase:<name>")


def path_text(path: Path) -> str:
    """Render a path for people: ``("rules", 2, "roles")`` → ``rules[2].roles``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _check_code(value: str, what: str) -> str:
    if not _CODE.fullmatch(value):
        raise ValueError(f"bad {what} {value!r}: use lower-case letters, digits and _ (like home_visit)")
    return value


def _check_slug(value: str, what: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(f"bad {what} {value!r}: use lower-case letters, digits, - and _ (like 2026-autumn)")
    return value


def _as_tuple(value: Any) -> Any:
    """Let a single word stand for a one-item list, and an empty key for an empty list."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return value


class _Strict(BaseModel):
    """Immutable; unknown keys are errors (a typo must not silently drop a rule)."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True)


def in_language(lang: str | None, zh: str, en: str) -> str:
    """``en`` for English ("en", "en-US" …), ``zh`` for anything else; the other one if that is empty."""
    english = lang is not None and lang.lower().startswith("en")
    return (en or zh) if english else (zh or en)


class _Labelled(_Strict):
    """Something with a Chinese and an English label."""

    label_zh: str = ""
    label_en: str = ""

    def label(self, lang: str | None) -> str:
        """The label in ``lang`` (see :func:`in_language`), else the item's code, id or name."""
        return in_language(lang, self.label_zh, self.label_en) or self._fallback_label()

    def _fallback_label(self) -> str:
        return ""


class Role(_Labelled):
    """A role a member holds, e.g. ``leader`` (班子成员) or ``head_teacher`` (班主任)."""

    code: str

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return _check_code(value, "role code")

    def _fallback_label(self) -> str:
        return self.code


class ActivityType(_Labelled):
    """Something members log, with the fields its form asks for and the words that name it."""

    code: str
    #: What the log form asks for, in order; without ``fields`` it asks for the student and notes.
    fields: tuple[EntryField, ...] = ("student", "notes")
    aliases: tuple[str, ...] = ()

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return _check_code(value, "activity code")

    @field_validator("fields", "aliases", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_tuple(value)

    @field_validator("aliases")
    @classmethod
    def _clean_aliases(cls, aliases: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(a.strip() for a in aliases)
        if any(not a for a in cleaned):
            raise ValueError("an alias is empty")
        return cleaned

    def _fallback_label(self) -> str:
        return self.code

    def asks_for(self, field: str) -> bool:
        """Whether the log form for this activity asks for ``field``."""
        return field in self.fields

    def names(self) -> tuple[str, ...]:
        """Every word that names this activity: code, labels and aliases."""
        return tuple(n for n in (self.code, self.label_zh, self.label_en, *self.aliases) if n)


class RecordKind(_Labelled):
    """A written record a plan asks for (家访心得体会, 蹲点日记, 建议书 …): text typed in chat, or a photo or file."""

    code: str
    aliases: tuple[str, ...] = ()

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return _check_code(value, "record code")

    @field_validator("aliases", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_tuple(value)

    def _fallback_label(self) -> str:
        return self.code


class Term(_Labelled):
    """A school term, e.g. ``2026-autumn`` from 2026-09-01 to 2027-01-22 (inclusive)."""

    id: str
    start: date
    end: date

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> Any:
        return _check_slug(str(value), "term id") if isinstance(value, (str, int)) else value

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def _fallback_label(self) -> str:
        return self.id


class Phase(_Labelled):
    """A dated campaign phase rules can use as their period (``phase:<name>``) or their time (``during:``).

    ``start``/``end`` are ISO dates or the plan's words (``1月上旬``, ``5月中旬``,
    see :mod:`bot.quotas.policy.plan_dates`), which need ``year`` unless they write it.
    """

    name: str
    year: int | None = Field(default=None, ge=1900, le=2999)
    start: date
    end: date

    @model_validator(mode="before")
    @classmethod
    def _plan_words(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        year = value.get("year") if isinstance(value.get("year"), int) else None
        start, end = resolve_phase_bounds(value.get("start"), value.get("end"), year)
        return {**value, **({"start": start} if "start" in value else {}), **({"end": end} if "end" in value else {})}

    @field_validator("start", "end", mode="before")
    @classmethod
    def _explain_bad_word(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and not _ISO_DAY.fullmatch(value.strip()):
            resolve_plan_word(value, "start" if info.field_name == "start" else "end", None)  # raises the reason
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_slug(value, "phase name")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def _fallback_label(self) -> str:
        return self.name


class _Days(_Strict):
    """A single day (written as a bare date) or a range of days, both ends included."""

    start: date
    end: date | None = None

    @model_validator(mode="before")
    @classmethod
    def _single_day(cls, value: Any) -> Any:
        return {"start": value} if isinstance(value, (date, str)) else value

    @property
    def last_day(self) -> date:
        return self.end or self.start


class Blackout(_Days):
    """Days on which no activity is expected (vacations, exam weeks): a single day or a range."""

    reason: str = ""


class ListedDays(_Days):
    """Public holidays or make-up workdays (调休) the school lists itself: a day or a range, with a name."""

    name: str = ""


class CalendarConfig(_Strict):
    """The school calendar as written in the policy; :class:`bot.quotas.calendar.SchoolCalendar` computes with it."""

    chinese_holidays: bool = False
    school_year_start: str | None = None
    terms: tuple[Term, ...] = ()
    blackouts: tuple[Blackout, ...] = ()
    #: Per year, the public holidays and make-up workdays the school lists; they override chinese-calendar.
    holidays: dict[int, tuple[ListedDays, ...]] = {}
    workdays: dict[int, tuple[ListedDays, ...]] = {}

    @field_validator("terms", "blackouts", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_tuple(value)

    @field_validator("holidays", "workdays", mode="before")
    @classmethod
    def _lists_per_year(cls, value: Any) -> Any:
        if value is None:
            return {}
        return {year: _as_tuple(days) for year, days in value.items()} if isinstance(value, dict) else value

    @property
    def listed_years(self) -> frozenset[int]:
        """The years for which the policy lists its own holidays or make-up workdays."""
        return frozenset(self.holidays) | frozenset(self.workdays)

    @field_validator("school_year_start")
    @classmethod
    def _month_day(cls, value: str | None) -> str | None:
        if value is not None and _parse_month_day(value) is None:
            raise ValueError(f"bad school_year_start {value!r}: use MM-DD, like 09-01")
        return value

    @property
    def school_year_start_month_day(self) -> tuple[int, int] | None:
        """``(month, day)`` the school year starts on, or None for calendar years."""
        return None if self.school_year_start is None else _parse_month_day(self.school_year_start)


def _parse_month_day(text: str) -> tuple[int, int] | None:
    match = _MONTH_DAY.fullmatch(text.strip())
    if match is None:
        return None
    month, day = int(match[1]), int(match[2])
    try:
        date(2001, month, day)  # not a leap year: a year starting on 02-29 would not exist most years
    except ValueError:
        return None
    return month, day


class Rule(_Labelled):
    """A quota: roles × activities, measured, at least ``minimum`` (at most ``maximum``) per period."""

    id: str
    roles: tuple[str, ...]
    activities: tuple[str, ...] = ()
    measure: Measure = "entries"
    minimum: int = Field(alias="min", ge=0)
    maximum: int | None = Field(default=None, alias="max", ge=1)
    period: str
    scope: Scope = "member"
    #: The phase the rule runs in (plan 002's leader duties belong to its first phase); None: always.
    during: str | None = None
    #: First and last day the rule runs (instead of ``during``); periods are cut to them, targets prorated.
    starts: date | None = Field(default=None, alias="from")
    until: date | None = None
    #: With ``scope: assigned_place``: the kind of place counted (class, branch, contact_point …); None: all.
    place_kind: str | None = None
    #: With ``measure: records``: the record kind counted (``activities`` may then be left out).
    record: str | None = None
    #: In a district's policy: the bureau's own duty (``bureau``) or the schools' (``schools``); None: both.
    unit: Literal["bureau", "schools"] | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _check_slug(value, "rule id")

    @field_validator("roles", "activities", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_tuple(value)

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        parse_period(value)
        return value.strip()

    @field_validator("place_kind")
    @classmethod
    def _place_kind(cls, value: str | None) -> str | None:
        if value is not None and value not in PLACE_KINDS:
            raise ValueError(f"unknown place kind {value!r}: use one of {', '.join(PLACE_KINDS)}")
        return value

    @property
    def period_kind(self) -> str:
        """``week``, ``month``, ``quarter``, ``term``, ``year`` or ``phase``."""
        return parse_period(self.period)[0]

    @property
    def phase_name(self) -> str | None:
        return parse_period(self.period)[1]

    @property
    def per_student(self) -> bool:
        """Whether the minimum applies to each paired student rather than to the member."""
        return self.scope == "paired_student"

    @property
    def per_place(self) -> bool:
        """Whether the minimum applies to each place the member is assigned to (``scope: assigned_place``)."""
        return self.scope == "assigned_place"

    def applies_to(self, role: str) -> bool:
        return role in self.roles

    def _fallback_label(self) -> str:
        return self.id


class Policy(_Strict):
    """One school's policy file."""

    name: str = "custom"
    title_zh: str = ""
    title_en: str = ""
    language: Language | None = None
    timezone: str | None = None
    roles: tuple[Role, ...] = ()
    activities: tuple[ActivityType, ...] = ()
    calendar: CalendarConfig = CalendarConfig()
    phases: tuple[Phase, ...] = ()
    records: tuple[RecordKind, ...] = ()
    rules: tuple[Rule, ...] = ()

    @field_validator("roles", "activities", "phases", "records", "rules", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_tuple(value)

    @field_validator("calendar", mode="before")
    @classmethod
    def _empty_calendar(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r} (use an IANA name like Asia/Shanghai)") from None
        return value

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Policy:
        if info.context and info.context.get("structure_only"):
            return self
        problems = consistency_problems(
            roles=list(enumerate(self.roles)),
            activities=list(enumerate(self.activities)),
            terms=list(enumerate(self.calendar.terms)),
            blackouts=list(enumerate(self.calendar.blackouts)),
            phases=list(enumerate(self.phases)),
            rules=list(enumerate(self.rules)),
            records=list(enumerate(self.records)),
        )
        problems += listed_days_problems({
            "holidays": {year: list(enumerate(days)) for year, days in self.calendar.holidays.items()},
            "workdays": {year: list(enumerate(days)) for year, days in self.calendar.workdays.items()},
        })
        if problems:
            raise ValueError("; ".join(f"{path_text(path)}: {message}" for path, message in problems))
        return self

    # -- look-ups ---------------------------------------------------------------

    def title(self, lang: str | None) -> str:
        """The policy's title in ``lang`` (see :func:`in_language`), else its name."""
        return in_language(lang, self.title_zh, self.title_en) or self.name

    @property
    def role_codes(self) -> tuple[str, ...]:
        return tuple(role.code for role in self.roles)

    def _one(self, items: Iterable[Any], field: str, value: str, what: str) -> Any:
        for item in items:
            if getattr(item, field) == value:
                return item
        raise KeyError(f"no {what} {value!r} in policy {self.name!r}")

    def role(self, code: str) -> Role:
        """The role with this code; KeyError if there is none."""
        return self._one(self.roles, "code", code, "role")

    def activity(self, code: str) -> ActivityType:
        """The activity type with this code; KeyError if there is none."""
        return self._one(self.activities, "code", code, "activity")

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id; KeyError if there is none."""
        return self._one(self.rules, "id", rule_id, "rule")

    def phase(self, name: str) -> Phase:
        """The phase with this name; KeyError if there is none."""
        return self._one(self.phases, "name", name, "phase")

    def record_kind(self, code: str) -> RecordKind:
        """The record kind with this code; KeyError if there is none."""
        return self._one(self.records, "code", code, "record kind")

    def aliases_map(self) -> dict[str, str]:
        """Every lower-cased word naming an activity (code, labels, aliases) → its code.

        For the one-line parser: ``"家访"``, ``"home visit"``, ``"hv"`` → ``"home_visit"``.
        Names are unique across activities (the policy check refuses clashes).
        """
        return {name.lower(): activity.code for activity in self.activities for name in activity.names()}

    def find_activity(self, word: str) -> ActivityType | None:
        """The activity a word names (case-insensitive), or None."""
        code = self.aliases_map().get(word.strip().lower())
        return None if code is None else self.activity(code)

    def rules_for_role(self, role: str) -> list[Rule]:
        """The rules that apply to members holding ``role``, in file order."""
        return [rule for rule in self.rules if rule.applies_to(role)]


# -- checks across the policy ---------------------------------------------------

Located = Sequence[tuple[int, Any]]
Problem = tuple[Path, str]


def consistency_problems(
    *,
    roles: Located,
    activities: Located,
    terms: Located,
    blackouts: Located,
    phases: Located,
    rules: Located,
    records: Located = (),
    also_known: Mapping[str, Iterable[str]] | None = None,
) -> list[Problem]:
    """Everything wrong across a policy's parts, as ``(path, message)`` pairs.

    Each part is a list of ``(index in the file, validated item)``; the loader
    leaves out items it could not validate, and ``also_known`` adds the role
    codes / activity codes / phase names written on those, so a rule naming
    them is not reported a second time as "unknown".
    """
    known = {key: set(values) for key, values in (also_known or {}).items()}
    names = _Names(
        roles={role.code for _, role in roles},
        activities={activity.code: activity for _, activity in activities},
        phases={phase.name for _, phase in phases},
        records={kind.code for _, kind in records},
        also_known=known,
    )

    problems: list[Problem] = []
    if not roles and not known.get("roles"):
        problems.append((("roles",), "the policy defines no roles"))
    if not activities and not known.get("activities"):
        problems.append((("activities",), "the policy defines no activity types"))
    problems += _duplicates(("roles",), roles, "code", "role")
    problems += _duplicates(("activities",), activities, "code", "activity")
    problems += _duplicates(("calendar", "terms"), terms, "id", "term")
    problems += _duplicates(("phases",), phases, "name", "phase")
    problems += _duplicates(("rules",), rules, "id", "rule")
    problems += _duplicates(("records",), records, "code", "record kind")
    problems += _alias_clashes(activities)
    problems += _backwards_ranges(("calendar", "terms"), terms, "term", "id")
    problems += _backwards_ranges(("phases",), phases, "phase", "name")
    problems += _backwards_blackouts(blackouts)
    problems += _overlapping_terms(terms)
    for index, rule in rules:
        problems += _rule_problems(("rules", index), rule, names, has_terms=bool(terms))
    return problems


@dataclass(frozen=True)
class _Names:
    """What rules may refer to: the valid roles, activities and phases, plus names of broken ones."""

    roles: set[str]
    activities: dict[str, ActivityType]
    phases: set[str]
    records: set[str]
    also_known: dict[str, set[str]]

    def knows(self, kind: str, name: str) -> bool:
        return name in getattr(self, kind) or name in self.also_known.get(kind, set())

    def listing(self, kind: str) -> str:
        return ", ".join(sorted(getattr(self, kind))) or "none defined"


def _duplicates(base: Path, items: Located, key: str, what: str) -> list[Problem]:
    first_seen: dict[str, int] = {}
    problems = []
    for index, item in items:
        value = getattr(item, key)
        if value in first_seen:
            where = path_text((*base, first_seen[value]))
            problems.append(((*base, index, key), f"duplicate {what} {key} {value!r} (also {where})"))
        else:
            first_seen[value] = index
    return problems


def _alias_clashes(activities: Located) -> list[Problem]:
    owner: dict[str, str] = {}
    problems = []
    for index, activity in activities:
        named: list[tuple[Path, str]] = [
            (("code",), activity.code),
            (("label_zh",), activity.label_zh),
            (("label_en",), activity.label_en),
        ]
        named += [(("aliases", n), alias) for n, alias in enumerate(activity.aliases)]
        for where, name in named:
            if not name:
                continue
            other = owner.setdefault(name.lower(), activity.code)
            if other != activity.code:
                message = f"{name!r} already names activity {other!r}; a word can name only one activity"
                problems.append((("activities", index, *where), message))
    return problems


def _backwards_ranges(base: Path, items: Located, what: str, key: str) -> list[Problem]:
    return [
        ((*base, index, "end"), f"{what} {getattr(item, key)!r} ends ({item.end}) before it starts ({item.start})")
        for index, item in items
        if item.end < item.start
    ]


def _backwards_blackouts(blackouts: Located) -> list[Problem]:
    return [
        (("calendar", "blackouts", index, "end"), f"blackout ends ({item.end}) before it starts ({item.start})")
        for index, item in blackouts
        if item.end is not None and item.end < item.start
    ]


def _overlapping_terms(terms: Located) -> list[Problem]:
    ordered = sorted((t for t in terms if t[1].start <= t[1].end), key=lambda t: (t[1].start, t[0]))
    problems: list[Problem] = []
    for (prev_index, prev), (index, term) in zip(ordered, ordered[1:], strict=False):
        if term.start <= prev.end:
            where = path_text(("calendar", "terms", prev_index))
            problems.append(
                (
                    ("calendar", "terms", index, "start"),
                    f"term {term.id!r} starts {term.start}, before term {prev.id!r} ({where}) ends {prev.end}",
                )
            )
    return problems


def listed_days_problems(listed: Mapping[str, Mapping[int, Located]]) -> list[Problem]:
    """Listed holidays and make-up workdays outside the year they are listed under, backwards, or listed as both.

    ``listed`` maps ``holidays`` and ``workdays`` to, per year, the located :class:`ListedDays`.
    """
    problems: list[Problem] = []
    first_listed: dict[date, Path] = {}
    for key in ("holidays", "workdays"):
        for year, items in sorted(listed.get(key, {}).items()):
            for index, days in items:
                path: Path = ("calendar", key, year, index)
                if days.last_day < days.start:
                    message = f"the days end ({days.last_day}) before they start ({days.start})"
                    problems.append(((*path, "end"), message))
                    continue
                outside = [day for day in (days.start, days.last_day) if day.year != year]
                if outside:
                    problems.append((path, f"{outside[0]} is not in {year}: list it under {outside[0].year}"))
                    continue
                for day in _day_range(days.start, days.last_day):
                    other = first_listed.setdefault(day, path)
                    if other[1] != key:
                        problems.append((path, f"{day} is listed both as a holiday and as a workday "
                                               f"(also {path_text(other)})"))
                        break
    return problems


def _day_range(start: date, end: date) -> Iterable[date]:
    return (date.fromordinal(ordinal) for ordinal in range(start.toordinal(), end.toordinal() + 1))


def _rule_problems(path: Path, rule: Rule, names: _Names, *, has_terms: bool) -> list[Problem]:
    problems: list[Problem] = []
    if not rule.roles:
        problems.append(((*path, "roles"), "the rule applies to no role"))
    for n, role in enumerate(rule.roles):
        if not names.knows("roles", role):
            problems.append(((*path, "roles", n), f"unknown role {role!r} (roles: {names.listing('roles')})"))
    if rule.measure == "records":
        if rule.record is None:
            problems.append(((*path, "record"), "measure records needs record: <record kind>"))
        elif not names.knows("records", rule.record):
            message = f"unknown record kind {rule.record!r} (records: {names.listing('records')})"
            problems.append(((*path, "record"), message))
    elif rule.record is not None:
        problems.append(((*path, "record"), "record: is for rules with measure records"))
    if not rule.activities and rule.measure != "records":
        problems.append(((*path, "activities"), "the rule has no activity"))
    for n, code in enumerate(rule.activities):
        if not names.knows("activities", code):
            message = f"unknown activity {code!r} (activities: {names.listing('activities')})"
            problems.append(((*path, "activities", n), message))
    kind, phase = parse_period(rule.period)
    if kind == "phase" and not names.knows("phases", phase or ""):
        problems.append(((*path, "period"), f"unknown phase {phase!r} (phases: {names.listing('phases')})"))
    if kind == "term" and not has_terms:
        problems.append(((*path, "period"), "period 'term' needs calendar.terms"))
    if rule.during is not None and not names.knows("phases", rule.during):
        problems.append(((*path, "during"), f"unknown phase {rule.during!r} (phases: {names.listing('phases')})"))
    if rule.during is not None and (rule.starts is not None or rule.until is not None):
        problems.append(((*path, "during"), "give either during: or from:/until:, not both"))
    if rule.starts is not None and rule.until is not None and rule.until < rule.starts:
        problems.append(((*path, "until"), f"the rule ends ({rule.until}) before it starts ({rule.starts})"))
    if rule.maximum is not None and rule.minimum > rule.maximum:
        problems.append(((*path, "max"), f"min {rule.minimum} is greater than max {rule.maximum}"))
    if rule.per_student and rule.measure != "entries":
        message = "scope paired_student counts entries for each student: use measure entries"
        problems.append(((*path, "measure"), message))
    if rule.per_place:
        if rule.measure != "entries":
            message = "scope assigned_place counts entries at each place: use measure entries"
            problems.append(((*path, "measure"), message))
        for n, code in enumerate(rule.activities):
            activity = names.activities.get(code)
            if activity is not None and not activity.asks_for("place"):
                message = f"the rule counts places, but activity {code!r} does not ask for a place"
                problems.append(((*path, "activities", n), message))
    if rule.place_kind is not None and not rule.per_place:
        problems.append(((*path, "place_kind"), "place_kind is for rules with scope assigned_place"))
    if rule.per_student or rule.measure == "distinct_students":
        for n, code in enumerate(rule.activities):
            activity = names.activities.get(code)
            if activity is not None and not activity.asks_for("student"):
                message = f"the rule counts students, but activity {code!r} does not ask for a student"
                problems.append(((*path, "activities", n), message))
    return problems
