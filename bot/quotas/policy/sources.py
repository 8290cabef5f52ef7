"""Where a school's policy comes from: a shipped preset name or a YAML file on disk."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bot.quotas.policy.loader import PolicyInvalid, load_policy, preset_names, preset_text
from bot.quotas.policy.model import Policy


class PolicySourceError(ValueError):
    """The policy named cannot be used; the message lists what is wrong."""


def load_policy_source(source: str) -> tuple[str, str, Policy]:
    """(name, YAML text, parsed policy) for a preset name such as 'seed-000' or a path to a YAML file."""
    if source in preset_names():
        name, text = source, preset_text(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise PolicySourceError(
                f"{source!r} is neither a preset ({', '.join(preset_names())}) nor a readable file")
        name, text = path.stem, path.read_text(encoding="utf-8")
    try:
        return name, text, policy_from_text(text)
    except PolicyInvalid as invalid:
        lines = "\n".join(f"  line {p.line}: {p.message}" for p in invalid.problems)
        raise PolicySourceError(f"policy {source!r} has mistakes:\n{lines}") from None


@lru_cache(maxsize=64)
def policy_from_text(text: str) -> Policy:
    """Parse a policy once per distinct text; schools share presets, so this stays small."""
    return load_policy(text)
