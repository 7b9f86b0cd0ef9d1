"""The threshold rules a council may set, the Act's limits on them, and the rules in force on a date.

The 2014 Act (s.104) fixes what makes a complaint qualify (reported within one month of the
behaviour; the application within six months of the report) and lets the relevant bodies set the
number, no more than three. A council may be more generous (fewer incidents, longer windows),
never stricter; the local routes only add ways to meet the threshold, so their numbers may be
anything sensible.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from app.domain.application import Problem
from app.domain.threshold import ThresholdRules


@dataclass(frozen=True)
class Limit:
    low: int
    high: int
    why_low: str
    why_high: str


# field name: (lowest, highest, why a lower value is refused, why a higher one is)
LIMITS: dict[str, Limit] = {
    "incidents_needed": Limit(1, 3, "at least one incident is needed",
                              "the Act lets the council set the number, but no more than 3 "
                              "(a council may be more generous than the Act, never stricter)"),
    "lookback_months": Limit(6, 36, "the Act counts complaints made in the six months before the "
                                    "application: a shorter period would be stricter than the Act",
                             "at most 36 months"),
    "report_within_months": Limit(1, 12, "the Act counts a complaint made within one month of the "
                                         "behaviour: a shorter window would be stricter than the Act",
                                  "at most 12 months"),
    "hate_incidents_needed": Limit(1, 3, "at least one hate incident is needed",
                                   "a hate-incident route needing more than 3 would never be used "
                                   "(3 incidents meet the threshold anyway)"),
    "hate_period_months": Limit(1, 36, "at least one month", "at most 36 months"),
    "hate_total_incidents": Limit(1, 3, "at least one incident",
                                  "more than 3 incidents in all would never be used (3 meet the threshold anyway)"),
    "community_route_households": Limit(2, 50, "a community route needs at least 2 households",
                                        "at most 50 households"),
}


def check_rules(rules: ThresholdRules) -> list[Problem]:
    """Every value outside what the Act allows, with the reason in words."""
    problems = []
    for name, limit in LIMITS.items():
        value = getattr(rules, name)
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(Problem(name, "must be a whole number"))
        elif value < limit.low:
            problems.append(Problem(name, f"{value} is refused: {limit.why_low} (lowest {limit.low})"))
        elif value > limit.high:
            problems.append(Problem(name, f"{value} is refused: {limit.why_high} (highest {limit.high})"))
    for name in ("hate_incident_route", "community_route"):
        if not isinstance(getattr(rules, name), bool):
            problems.append(Problem(name, "must be on or off"))
    return problems


def rules_to_json(rules: ThresholdRules) -> dict[str, Any]:
    return {f.name: getattr(rules, f.name) for f in fields(rules)}


def rules_from_json(data: dict[str, Any] | None) -> ThresholdRules:
    names = {f.name for f in fields(ThresholdRules)}
    return ThresholdRules(**{k: v for k, v in (data or {}).items() if k in names})


@dataclass(frozen=True)
class RuleVersion:
    """A complete set of rules and the date it took effect (both kept: cases are judged by the
    rules in force on their date received)."""

    effective_from: date
    rules: ThresholdRules
    set_by: str = ""


@dataclass(frozen=True)
class RulesInForce:
    rules: ThresholdRules
    effective_from: date | None  # None: the rules the council started with

    def describe(self) -> str:
        since = f"in force from {self.effective_from:%d/%m/%Y}" if self.effective_from else "as first set"
        return f"{self.rules.describe()} ({since})"

    def to_json(self) -> dict[str, Any]:
        return {"effective_from": self.effective_from.isoformat() if self.effective_from else None,
                **rules_to_json(self.rules)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RulesInForce:
        when = data.get("effective_from")
        return cls(rules_from_json(data), date.fromisoformat(when) if when else None)


@dataclass(frozen=True)
class RuleHistory:
    """The rules the council started with, and every dated change since, oldest first."""

    base: ThresholdRules = field(default_factory=ThresholdRules)
    versions: tuple[RuleVersion, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "versions", tuple(sorted(self.versions, key=lambda v: v.effective_from)))

    def in_force(self, day: date) -> RulesInForce:
        found = RulesInForce(self.base, None)
        for version in self.versions:
            if version.effective_from <= day:
                found = RulesInForce(version.rules, version.effective_from)
        return found

    def rules_on(self, day: date) -> ThresholdRules:
        return self.in_force(day).rules

    def with_change(self, effective_from: date, changes: dict[str, Any], set_by: str = "") -> RuleVersion:
        """The complete rules that take effect on `effective_from`: those in force then, changed."""
        return RuleVersion(effective_from, replace(self.rules_on(effective_from), **changes), set_by)


def history_of(base: ThresholdRules, versions: Iterable[RuleVersion]) -> RuleHistory:
    return RuleHistory(base, tuple(versions))


def describe_versions(history: RuleHistory) -> Sequence[str]:
    lines = [f"from the start: {history.base.describe()}"]
    lines += [f"from {v.effective_from:%d/%m/%Y}: {v.rules.describe()}" for v in history.versions]
    return lines
