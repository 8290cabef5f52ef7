"""A school's policy: activity types, roles, calendar, campaign phases, record kinds and quota rules.

Load one with :func:`load_policy` (YAML text) or :func:`load_preset` (shipped
presets ``default`` and ``seed-000`` … ``seed-004``); check a file for the CLI
with :func:`check_policy_text`, which lists every mistake with its line.
"""

from bot.quotas.policy.loader import (
    PolicyInvalid,
    PolicyProblem,
    check_policy_file,
    check_policy_text,
    load_policy,
    load_preset,
    preset_names,
    preset_text,
)
from bot.quotas.policy.model import (
    ENTRY_FIELDS,
    LANGUAGES,
    MEASURES,
    PERIOD_KINDS,
    SCOPES,
    ActivityType,
    Blackout,
    CalendarConfig,
    Phase,
    Policy,
    RecordKind,
    Role,
    Rule,
    Term,
    parse_period,
)

__all__ = [
    "ENTRY_FIELDS",
    "LANGUAGES",
    "MEASURES",
    "PERIOD_KINDS",
    "SCOPES",
    "ActivityType",
    "Blackout",
    "CalendarConfig",
    "Phase",
    "Policy",
    "PolicyInvalid",
    "PolicyProblem",
    "RecordKind",
    "Role",
    "Rule",
    "Term",
    "check_policy_file",
    "check_policy_text",
    "load_policy",
    "load_preset",
    "parse_period",
    "preset_names",
    "preset_text",
]
