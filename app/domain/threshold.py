"""The threshold indicator: which incidents qualify, and why each one that does not, does not."""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date

from app.domain.dates import add_months, uk


@dataclass(frozen=True)
class ThresholdRules:
    """Every number is a council setting; the defaults are the Act's (domain.md)."""

    incidents_needed: int = 3
    report_within_months: int = 1
    lookback_months: int = 6
    community_route: bool = False
    community_route_households: int = 5
    hate_incident_route: bool = False


@dataclass(frozen=True)
class IncidentFacts:
    """What the rule needs to know about one incident."""

    key: Hashable
    occurred_on: date | None
    reported_on: date | None
    reported_to: str = ""
    relevant_body: bool | None = None  # None: "reported to" not matched to an agency yet
    same_problem: bool = True
    duplicate_of: Hashable | None = None
    occurred_from: date | None = None  # approximate date ("to confirm")
    occurred_to: date | None = None
    hate_incident: bool = False


@dataclass(frozen=True)
class IncidentVerdict:
    key: Hashable
    qualifies: bool
    reasons: tuple[str, ...]  # why it does not count; a positive note when it does

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class ThresholdResult:
    qualifying_incidents: int
    incidents_needed: int
    verdicts: tuple[IncidentVerdict, ...]
    routes: tuple[str, ...] = field(default=())

    @property
    def met(self) -> bool:
        return self.qualifying_incidents >= self.incidents_needed or bool(self.routes)

    def summary(self) -> str:
        word = "met" if self.met else "not met"
        text = f"{self.qualifying_incidents} of {self.incidents_needed} incidents qualify: threshold {word}"
        if self.routes and self.qualifying_incidents < self.incidents_needed:
            text += f" ({', '.join(self.routes)})"
        return text


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def judge_incident(incident: IncidentFacts, received_on: date, rules: ThresholdRules) -> IncidentVerdict:
    """Apply the four conditions of domain.md to one incident, ignoring duplicates."""
    reasons: list[str] = []
    if not incident.same_problem:
        reasons.append("marked by the officer as not part of the same problem")
    if incident.relevant_body is None:
        name = incident.reported_to.strip() or "no organisation given"
        reasons.append(f"reported to '{name}', which is not matched to an agency yet")
    elif not incident.relevant_body:
        reasons.append(f"{incident.reported_to or 'the organisation'} is not a relevant body")
    if incident.occurred_on is None:
        if incident.occurred_from or incident.occurred_to:
            span = f"{uk(incident.occurred_from)} to {uk(incident.occurred_to)}"
            reasons.append(f"date it happened is approximate ({span}): to confirm")
        else:
            reasons.append("date it happened is not known: to confirm")
    if incident.reported_on is None:
        reasons.append("date it was reported is not known")
    if incident.occurred_on and incident.reported_on:
        latest = add_months(incident.occurred_on, rules.report_within_months)
        if incident.reported_on < incident.occurred_on:
            reasons.append("reported before the date it happened: check the dates")
        elif incident.reported_on > latest:
            late = (incident.reported_on - incident.occurred_on).days
            reasons.append(f"reported {_days(late)} after it happened (more than "
                           f"{_months(rules.report_within_months)})")
    if incident.reported_on:
        earliest = add_months(received_on, -rules.lookback_months)
        if incident.reported_on < earliest:
            reasons.append(f"reported on {uk(incident.reported_on)}, more than "
                           f"{_months(rules.lookback_months)} before the application ({uk(received_on)})")
        elif incident.reported_on > received_on:
            reasons.append(f"reported on {uk(incident.reported_on)}, after the application was received")
    if reasons:
        return IncidentVerdict(incident.key, False, tuple(reasons))
    return IncidentVerdict(incident.key, True, ("counts",))


def _months(n: int) -> str:
    return "one month" if n == 1 else f"{n} months"


def assess(incidents: Sequence[IncidentFacts], received_on: date,
           rules: ThresholdRules | None = None, households_reporting: int = 1) -> ThresholdResult:
    """The indicator for one application. The officer's decision is recorded separately."""
    rules = rules or ThresholdRules()
    own = {i.key: judge_incident(i, received_on, rules) for i in incidents}
    by_key = {i.key: i for i in incidents}

    # Duplicate links form groups (even if an officer links two reports to each other);
    # each group is named by its first incident.
    parent: dict[Hashable, Hashable] = {i.key: i.key for i in incidents}
    order = {i.key: n for n, i in enumerate(incidents)}

    def root(key: Hashable) -> Hashable:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for i in incidents:
        if i.duplicate_of is not None and i.duplicate_of in parent:
            a, b = root(i.key), root(i.duplicate_of)
            if a != b:
                first, second = (a, b) if order[a] < order[b] else (b, a)
                parent[second] = first

    # The same incident reported to several agencies counts once: one per group of duplicates.
    counted_group: dict[Hashable, Hashable] = {}
    verdicts: list[IncidentVerdict] = []
    for incident in incidents:
        verdict = own[incident.key]
        group = root(incident.key)
        if verdict.qualifies:
            if group in counted_group:
                first = counted_group[group]
                verdict = IncidentVerdict(incident.key, False,
                                          (f"the same incident as incident {_label(first, incidents)}, counted once",))
            else:
                counted_group[group] = incident.key
        verdicts.append(verdict)
    qualifying = len(counted_group)

    routes: list[str] = []
    if rules.hate_incident_route and any(
            v.qualifies and by_key[v.key].hate_incident for v in verdicts):
        routes.append("single hate incident route")
    if community_route_met(households_reporting, rules):
        routes.append("community route")
    return ThresholdResult(qualifying, rules.incidents_needed, tuple(verdicts), tuple(routes))


def _label(key: Hashable, incidents: Sequence[IncidentFacts]) -> str:
    for n, incident in enumerate(incidents, start=1):
        if incident.key == key:
            return str(n)
    return str(key)


def community_route_met(households_reporting: int, rules: ThresholdRules) -> bool:
    """Optional local route: N reports about one problem from different households."""
    return rules.community_route and households_reporting >= rules.community_route_households
