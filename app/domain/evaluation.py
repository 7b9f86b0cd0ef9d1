"""The one threshold evaluation: the form's live panel, the saved case, an import, the case page and
the command line all call `evaluate` with the same inputs, so they can never disagree."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from app.domain.threshold import Household, IncidentFacts, ThresholdResult, assess
from app.domain.threshold_rules import RuleHistory


@dataclass(frozen=True)
class ThresholdInputs:
    """Everything the indicator depends on: the incidents as the officer has judged them (hate
    flags, duplicate links, same-problem flags, agency confirmations), the date received, and the
    applications about the same problem (for the community route)."""

    received_on: date
    incidents: tuple[IncidentFacts, ...]
    households: tuple[Household, ...] | None = field(default=None)


def evaluate(inputs: ThresholdInputs, history: RuleHistory) -> ThresholdResult:
    """The indicator under the rules in force on the date received."""
    in_force = history.in_force(inputs.received_on)
    result = assess(inputs.incidents, inputs.received_on, in_force.rules,
                    households=inputs.households if in_force.rules.community_route else None)
    return replace(result, rules_from=in_force.effective_from)


def evaluate_many(inputs: Sequence[ThresholdInputs], history: RuleHistory) -> list[ThresholdResult]:
    return [evaluate(i, history) for i in inputs]
