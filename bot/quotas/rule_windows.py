"""When a rule runs: rules bound to a phase (``during: learn``) or to dates (``from:``/``until:``).

Plan 002's leader duties belong to its first phase, plan 004's monthly rules
to its April–December campaign. Such a rule's periods are counted only inside
its window: a week or month cut by the window's edge keeps its key but covers
only the days inside, and its minimum is prorated by working days,
``ceil(min × working days inside ÷ working days in the whole period)`` — rounding
up like a mid-period join (see :mod:`bot.quotas.progress`), so a cut week with one
working day inside still asks for its one visit. A period with no working day
inside asks for nothing.

Outside its window a rule is *not running*: progress, reminders, reports and
the digest leave it out, and :func:`rule_status` says whether it starts or
ended, for a leader's overview.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.quotas.calendar import SchoolCalendar
from bot.quotas.periods import Period, current_period
from bot.quotas.policy.model import Policy, Rule


@dataclass(frozen=True)
class RuleWindow:
    """The first and last day a rule runs; None on a side means unbounded."""

    first: date | None
    last: date | None

    def contains(self, day: date) -> bool:
        return (self.first is None or self.first <= day) and (self.last is None or day <= self.last)

    @property
    def bounded(self) -> bool:
        return self.first is not None or self.last is not None


@dataclass(frozen=True)
class RunningPeriod:
    """A rule's period as counted: cut to the rule's window, with the minimum owed in it."""

    period: Period
    minimum: int

    def rule_in_it(self, rule: Rule) -> Rule:
        """``rule`` with the minimum of this (possibly cut) period, for the progress arithmetic."""
        return rule if rule.minimum == self.minimum else rule.model_copy(update={"minimum": self.minimum})


RuleState = Literal["running", "not_started", "ended"]


def rule_window(rule: Rule, calendar: SchoolCalendar) -> RuleWindow:
    """The days ``rule`` runs on; unbounded for a rule with neither ``during`` nor dates."""
    if rule.during is not None:
        phase = calendar.phase(rule.during)
        if phase is None:
            raise KeyError(f"rule {rule.id!r} runs during unknown phase {rule.during!r}")
        return RuleWindow(phase.start, phase.end)
    return RuleWindow(rule.starts, rule.until)


def running_period(rule: Rule, day: date, calendar: SchoolCalendar) -> RunningPeriod | None:
    """The period of ``rule`` containing ``day``, cut to the rule's window; None when the rule is not running."""
    window = rule_window(rule, calendar)
    if not window.contains(day):
        return None
    period = current_period(rule.period, day, calendar)
    if period is None:
        return None
    start = max(period.start, window.first) if window.first else period.start
    end = min(period.end, window.last) if window.last else period.end
    if (start, end) == (period.start, period.end):
        return RunningPeriod(period, rule.minimum)
    cut = Period(period=period.period, start=start, end=end, key=period.key)
    return RunningPeriod(cut, edge_minimum(rule.minimum, period, cut, calendar))


def edge_minimum(minimum: int, whole: Period, cut: Period, calendar: SchoolCalendar) -> int:
    """What a period cut by a rule's window owes: ``minimum`` prorated by working days, rounded up."""
    in_whole = calendar.working_days(whole.start, whole.end)
    inside = calendar.working_days(cut.start, cut.end)
    if in_whole == 0 or inside == 0:
        return 0
    return -(-minimum * inside // in_whole)


def rule_status(rule: Rule, day: date, calendar: SchoolCalendar) -> tuple[RuleState, date | None]:
    """``("running", None)``, ``("not_started", first day)`` or ``("ended", last day)`` on ``day``."""
    window = rule_window(rule, calendar)
    if window.first is not None and day < window.first:
        return "not_started", window.first
    if window.last is not None and day > window.last:
        return "ended", window.last
    return "running", None


def idle_rules(policy: Policy, day: date, calendar: SchoolCalendar) -> list[tuple[Rule, RuleState, date]]:
    """The rules bound to a phase or dates that are not running on ``day``, with when they start or ended."""
    idle: list[tuple[Rule, RuleState, date]] = []
    for rule in policy.rules:
        state, when = rule_status(rule, day, calendar)
        if state != "running" and when is not None:
            idle.append((rule, state, when))
    return idle
