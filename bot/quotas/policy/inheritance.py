"""A school's policy in a district: the district's, the district's with the school's own rules added
(a school file saying ``extends: district``, the plans' 各单位…结合本单位实际), or the school's own.

Everything is done on the YAML data, and the result is a complete policy text: a school's stored policy is
always the one in force, so what reads it needs to know nothing of districts.

Adding a school's file to the district's: its roles, activities, phases, records and rules come after the
district's, an item with the same code (id, name) replacing the district's; its calendar keys replace the
district's; its title, language and time zone, when given, win.

A district policy may mark a rule ``unit: bureau`` (the bureau's own duties, such as a leader's contact point)
or ``unit: schools`` (the schools' duties): each unit's policy keeps only the rules meant for it.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.quotas.policy.loader import _PolicyYamlLoader

EXTENDS_KEY = "extends"
EXTENDS_DISTRICT = "district"
#: Lists merged item by item, with the key that names an item.
_KEYED_LISTS = {"roles": "code", "activities": "code", "phases": "name", "records": "code", "rules": "id"}
BUREAU, SCHOOLS = "bureau", "schools"


def _data(text: str) -> dict[str, Any]:
    loader = _PolicyYamlLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError:
        return {}
    finally:
        loader.dispose()
    return data if isinstance(data, dict) else {}


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)


def extends_district(text: str) -> bool:
    """Whether a policy text says ``extends: district`` (its rules are added to the district's)."""
    return _data(text).get(EXTENDS_KEY) == EXTENDS_DISTRICT


def _merged_list(base: Any, added: Any, key: str) -> list[Any]:
    base_items = list(base) if isinstance(base, list) else []
    added_items = list(added) if isinstance(added, list) else []
    replaced = {item.get(key) for item in added_items if isinstance(item, dict)}
    kept = [item for item in base_items if not (isinstance(item, dict) and item.get(key) in replaced)]
    return kept + added_items


def extended_policy_text(district_text: str, own_text: str) -> str:
    """The district's policy with a school's own (``extends: district``) added (see the module docstring)."""
    merged = dict(_data(district_text))
    own = {key: value for key, value in _data(own_text).items() if key != EXTENDS_KEY}
    for key, value in own.items():
        if key in _KEYED_LISTS:
            merged[key] = _merged_list(merged.get(key), value, _KEYED_LISTS[key])
        elif key == "calendar" and isinstance(value, dict):
            base = merged.get("calendar")
            merged["calendar"] = {**(base if isinstance(base, dict) else {}), **value}
        else:
            merged[key] = value
    return _dump(merged)


def unit_policy_text(text: str, bureau: bool) -> str:
    """The policy for the bureau or for a school: rules marked for the other unit left out.

    A policy marking no rule is returned as it is (its comments, which quote the plan, kept)."""
    data = _data(text)
    rules = data.get("rules")
    if not isinstance(rules, list) or not any(isinstance(rule, dict) and "unit" in rule for rule in rules):
        return text
    other = SCHOOLS if bureau else BUREAU
    data["rules"] = [rule for rule in rules if not (isinstance(rule, dict) and rule.get("unit") == other)]
    return _dump(data)


def school_policy_text(district_text: str, follows: str | None, own_text: str | None, *, bureau: bool) -> str | None:
    """The policy in force at a school of a district; None when the school keeps its own (it replaced the
    district's, `follows` None)."""
    if follows == "district":
        return unit_policy_text(district_text, bureau)
    if follows == "extends" and own_text is not None:
        return extended_policy_text(unit_policy_text(district_text, bureau), own_text)
    return None
