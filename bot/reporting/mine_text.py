"""What /mine says under the quotas: this week's, month's and quarter's counts, non-zero ones only.

Pure: counts per period in, short lines out, so /mine fits one phone screen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.i18n import Translator
from bot.quotas.policy import Policy
from bot.reporting.report_text import activity_counts_text


def counts_lines(periods: Sequence[tuple[str, Mapping[str, int]]], policy: Policy, t: Translator) -> list[str]:
    """One line per period ('This week: Home visit 2 · Phone call 1'); one line in all when nothing is logged.

    ``periods`` are (title already translated, counts by activity code), shortest period first.
    """
    if not any(any(counts.values()) for _, counts in periods):
        return [t("Nothing logged this quarter yet — send /log to log an activity.")]
    lines = []
    for title, counts in periods:
        text = activity_counts_text(counts, policy, t) or t("nothing yet")
        lines.append(t("{period}: {counts}", period=title, counts=text))
    return lines
