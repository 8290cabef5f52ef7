"""The school's own activities in a sentence ("家访、电话询问或书信交流"), for welcomes and help texts."""

from __future__ import annotations

from babel.lists import format_list

from bot.i18n import Translator
from bot.quotas.policy import Policy

MAX_NAMED = 3


def activities_phrase(policy: Policy, role: str | None, t: Translator, limit: int = MAX_NAMED) -> str:
    """Up to `limit` activities, those the role's quotas count first, joined with "or"."""
    counted = [code for rule in policy.rules if role is None or rule.applies_to(role) for code in rule.activities]
    codes = list(dict.fromkeys([*counted, *(a.code for a in policy.activities)]))[:limit]
    labels = [policy.activity(code).label(t.language) for code in codes]
    if t.language == "en":
        labels = [label[:1].lower() + label[1:] for label in labels]
    return format_list(labels, style="or", locale=t.language)
