"""Policy YAML → :class:`Policy`, with every mistake reported at its line.

The text is parsed once with PyYAML's composer, which keeps the position of
every node; a path → line table is built from that tree, and each problem
(YAML syntax, pydantic field errors, cross-policy consistency) is placed on the
line of the key or list item it is about.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path as FilePath
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.quotas.policy.model import (
    ActivityType,
    Blackout,
    CalendarConfig,
    ListedDays,
    Path,
    Phase,
    Policy,
    RecordKind,
    Role,
    Rule,
    Term,
    consistency_problems,
    listed_days_problems,
    path_text,
)

PRESETS_PACKAGE = "bot.quotas.policy"
PRESETS_FOLDER = "presets"


@dataclass(frozen=True, order=True)
class PolicyProblem:
    """One mistake in a policy file: 1-based line and a message for people."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class PolicyInvalid(ValueError):
    """A policy text that cannot be used; ``.problems`` lists every mistake, by line."""

    def __init__(self, problems: list[PolicyProblem]):
        self.problems = problems
        super().__init__("invalid policy:\n" + "\n".join(str(p) for p in problems))


def check_policy_text(text: str) -> list[PolicyProblem]:
    """Every mistake in a policy text, sorted by line; empty when the policy is usable."""
    return _analyse(text)[1]


def check_policy_file(path: str | FilePath) -> list[PolicyProblem]:
    """:func:`check_policy_text` for a file (read as UTF-8)."""
    return check_policy_text(FilePath(path).read_text(encoding="utf-8"))


def load_policy(text: str) -> Policy:
    """Parse and validate a policy text; raises :class:`PolicyInvalid` listing every mistake."""
    policy, problems = _analyse(text)
    if problems or policy is None:
        raise PolicyInvalid(problems)
    return policy


def key_line(text: str, path: Path) -> int:
    """The line of ``path`` (e.g. ``("calendar", "chinese_holidays")``) in a policy text, or of its nearest parent."""
    try:
        lines = _parse_yaml(text)[1]
    except yaml.YAMLError:
        return 1
    return _line_of(path, lines)


def preset_names() -> list[str]:
    """Names of the presets shipped with teachlog (``default``, ``seed-000`` …), sorted."""
    folder = resources.files(PRESETS_PACKAGE).joinpath(PRESETS_FOLDER)
    return sorted(item.name.removesuffix(".yaml") for item in folder.iterdir() if item.name.endswith(".yaml"))


def preset_text(name: str) -> str:
    """The YAML text of a shipped preset; KeyError for an unknown name."""
    if name not in preset_names():
        raise KeyError(f"no policy preset {name!r} (presets: {', '.join(preset_names())})")
    preset = resources.files(PRESETS_PACKAGE).joinpath(PRESETS_FOLDER, f"{name}.yaml")
    return preset.read_text(encoding="utf-8")


def load_preset(name: str) -> Policy:
    """A shipped preset as a :class:`Policy`."""
    return load_policy(preset_text(name))


# -- analysis ---------------------------------------------------------------------


def _analyse(text: str) -> tuple[Policy | None, list[PolicyProblem]]:
    try:
        data, lines, problems = _parse_yaml(text)
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_problem(error)]
    except yaml.YAMLError as error:
        return None, [PolicyProblem(1, f"YAML syntax error: {error}")]

    if data is None:
        return None, [PolicyProblem(1, "the policy is empty")]
    if not isinstance(data, dict):
        return None, [PolicyProblem(lines.get((), 1), "a policy must be a mapping (roles:, activities:, rules: …)")]

    policy = None
    broken: set[Path] = set()
    try:
        policy = Policy.model_validate(data, context={"structure_only": True})
    except ValidationError as error:
        problems += [_pydantic_problem(detail, lines) for detail in error.errors()]
        broken = {_loc(detail) for detail in error.errors()}

    problems += _consistency(data, lines, broken)
    problems = sorted(set(problems))
    return (policy if not problems else None), problems


class _PolicyYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that dates stay text and a value its tag cannot build is a marked error.

    PyYAML turns ``2026-09-01`` into a date while parsing and raises a bare ValueError, with no line,
    for an impossible one (``2026-09-31``); as text, the policy's own validation reports it at its line.
    """

    yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as error:
            what = _brief(node.value) if isinstance(node, yaml.ScalarNode) else "this value"
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {what} as {node.tag.rsplit(':', 1)[-1]} ({error})", node.start_mark,
            ) from error


def _parse_yaml(text: str) -> tuple[Any, dict[Path, int], list[PolicyProblem]]:
    """The document's data, the line of every key and list item, and duplicate-key problems."""
    loader = _PolicyYamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        lines: dict[Path, int] = {}
        problems: list[PolicyProblem] = []
        _record_lines(node, (), lines, problems, set())
        return loader.construct_document(node), lines, problems
    finally:
        loader.dispose()


def _record_lines(
    node: yaml.Node, path: Path, lines: dict[Path, int], problems: list[PolicyProblem], active: set[int]
) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if id(node) in active:  # a recursive alias; PyYAML constructs it, we need not walk it twice
        return
    active.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                where = path_text(path) or "the top level"
                problems.append(PolicyProblem(line, f"{where}: duplicate key {key!r}"))
                continue
            seen.add(key)
            # Year keys (calendar.holidays: {2027: …}) are integers in the data, so in error locations too.
            located: str | int = int(key) if key_node.tag == _INT_TAG and key.isdigit() else key
            lines[(*path, located)] = line
            _record_lines(value_node, (*path, located), lines, problems, active)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines, problems, active)
    active.discard(id(node))


_INT_TAG = "tag:yaml.org,2002:int"


def _line_of(path: Path, lines: Mapping[Path, int]) -> int:
    """The line of ``path``, or of its nearest ancestor present in the file."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1


def _syntax_problem(error: yaml.MarkedYAMLError) -> PolicyProblem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    what = " ".join(part for part in (error.context, error.problem) if part)
    return PolicyProblem(line, f"YAML syntax error: {what}")


# -- pydantic errors ----------------------------------------------------------------

_MODELS: tuple[type[BaseModel], ...] = (Policy, Role, ActivityType, CalendarConfig, Term, Blackout, ListedDays, Phase,
                                        Rule, RecordKind)
_KNOWN_KEYS = sorted(
    {(field.alias or name) for model in _MODELS for name, field in model.model_fields.items()}
)


def _loc(detail: Mapping[str, Any]) -> Path:
    return tuple(part for part in detail["loc"] if isinstance(part, (str, int)))


def _pydantic_problem(detail: Mapping[str, Any], lines: Mapping[Path, int]) -> PolicyProblem:
    loc = _loc(detail)
    kind = detail["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        # A key of another section (such as a holiday range's `name` inside a term) suggests nothing.
        others = [known for known in _KNOWN_KEYS if known != key]
        close = difflib.get_close_matches(key, others, n=1, cutoff=0.7)
        hint = f" (did you mean {close[0]!r}?)" if close and key not in _KNOWN_KEYS else ""
        return _problem(loc[:-1], f"unknown key {key!r}{hint}", _line_of(loc, lines))
    if kind == "missing":
        return _problem(loc[:-1], f"missing key {loc[-1]!r}", _line_of(loc, lines))
    if kind in _DATE_ERRORS:
        return _problem(loc, _date_message(detail), _line_of(loc, lines))
    # Lists are tuples inside the models; people write lists.
    message = str(detail["msg"]).removeprefix("Value error, ").replace("a valid tuple", "a list")
    if not kind.startswith("value_error") and "input" in detail:
        message += f" (got {_brief(detail['input'])})"
    return _problem(loc, message, _line_of(loc, lines))


_DATE_ERRORS = {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}


def _date_message(detail: Mapping[str, Any]) -> str:
    reason = (detail.get("ctx") or {}).get("error")
    if detail["type"] == "date_from_datetime_inexact":
        reason = "it has a time of day"
    because = f" ({reason})" if reason else ""
    return f"{_brief(detail.get('input'))} is not a date{because}: write YYYY-MM-DD, e.g. 2026-09-01"


def _brief(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _problem(path: Path, message: str, line: int) -> PolicyProblem:
    where = path_text(path)
    return PolicyProblem(line, f"{where}: {message}" if where else message)


# -- checks across the policy, on every part that can be salvaged ------------------

#: Stand-ins for required keys that are missing or wrong, so the rest of an item is still checked.
_STAND_INS: dict[type[BaseModel], dict[str, Any]] = {
    Role: {"code": "invalid"},
    ActivityType: {"code": "invalid"},
    Term: {"id": "invalid", "start": date.min, "end": date.min},
    Blackout: {"start": date.min},
    ListedDays: {"start": date.min},
    Phase: {"name": "invalid", "start": date.min, "end": date.min},
    Rule: {"id": "invalid", "roles": [], "activities": [], "min": 0, "period": "week"},
    RecordKind: {"code": "invalid"},
}

#: Keys other parts refer to an item by: an item whose key is broken is left out of the checks.
_IDENTIFYING_KEYS: dict[type[BaseModel], set[str]] = {
    Role: {"code"},
    ActivityType: {"code"},
    Term: {"id"},
    Phase: {"name"},
    RecordKind: {"code"},
}


def _consistency(data: Mapping[str, Any], lines: Mapping[Path, int], broken: set[Path]) -> list[PolicyProblem]:
    """Problems across the policy, except those about places already reported as ``broken``."""
    calendar = raw_calendar if isinstance(raw_calendar := data.get("calendar"), dict) else {}
    sections: dict[str, tuple[Path, Any, type[BaseModel]]] = {
        "roles": (("roles",), data.get("roles"), Role),
        "activities": (("activities",), data.get("activities"), ActivityType),
        "terms": (("calendar", "terms"), calendar.get("terms"), Term),
        "blackouts": (("calendar", "blackouts"), calendar.get("blackouts"), Blackout),
        "phases": (("phases",), data.get("phases"), Phase),
        "rules": (("rules",), data.get("rules"), Rule),
        "records": (("records",), data.get("records"), RecordKind),
    }
    parts: dict[str, list[tuple[int, Any]]] = {}
    already_reported = set(broken)
    for part, (base, raw, model) in sections.items():
        parts[part] = []
        for index, item, bad_keys in _salvage(raw, model):
            if bad_keys & _IDENTIFYING_KEYS.get(model, set()):
                continue  # nothing can refer to it; its own mistakes are reported already
            parts[part].append((index, item))
            already_reported.update((*base, index, key) for key in bad_keys)
    also_known = {
        "roles": _raw_names(data.get("roles"), "code"),
        "activities": _raw_names(data.get("activities"), "code"),
        "phases": _raw_names(data.get("phases"), "name"),
        "records": _raw_names(data.get("records"), "code"),
    }
    found = consistency_problems(**parts, also_known=also_known) + _listed_days_problems(calendar or {})
    return [
        _problem(path, message, _line_of(path, lines))
        for path, message in found
        if not any(path[:end] in already_reported for end in range(len(path) + 1))
    ]


def _listed_days_problems(calendar: Mapping[str, Any]) -> list[tuple[Path, str]]:
    """:func:`listed_days_problems` over the listed holidays and workdays that are well-formed themselves."""
    located: dict[str, dict[int, list[tuple[int, Any]]]] = {}
    for key in ("holidays", "workdays"):
        per_year = calendar.get(key)
        located[key] = {year: [(index, days) for index, days, bad_keys in _salvage(items, ListedDays) if not bad_keys]
                        for year, items in (per_year.items() if isinstance(per_year, dict) else ())
                        if isinstance(year, int)}
    return listed_days_problems(located)


def _salvage(raw: Any, model: type[BaseModel]) -> list[tuple[int, Any, set[str]]]:
    """``(index, item, keys replaced by stand-ins)`` for every list item that can be made valid.

    Keys with errors (reported already) are replaced by neutral stand-ins, so
    the item's other keys are still checked against the rest of the policy;
    the caller ignores problems about the replaced keys.
    """
    if not isinstance(raw, list):
        return []
    salvaged: list[tuple[int, Any, set[str]]] = []
    for index, item in enumerate(raw):
        try:
            salvaged.append((index, model.model_validate(item), set()))
            continue
        except ValidationError as error:
            if not isinstance(item, dict):
                continue
            bad_keys = {str(detail["loc"][0]) for detail in error.errors() if detail["loc"]}
        patched = {key: value for key, value in item.items() if key not in bad_keys}
        patched.update({key: value for key, value in _STAND_INS[model].items() if key in bad_keys})
        try:
            salvaged.append((index, model.model_validate(patched), bad_keys))
        except ValidationError:
            continue
    return salvaged


def _raw_names(raw: Any, key: str) -> set[str]:
    if not isinstance(raw, list):
        return set()
    return {str(item[key]) for item in raw if isinstance(item, dict) and isinstance(item.get(key), str)}
