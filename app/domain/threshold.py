"""The threshold indicator: which incidents qualify, and why each one that does not, does not."""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from app.domain.dates import add_months, uk


@dataclass(frozen=True)
class ThresholdRules:
    """Every number is a council setting; the defaults are the Act's (domain.md).

    The limits a council may not go beyond (it may be more generous than the Act, never stricter)
    are checked in `app.domain.threshold_rules`.
    """

    incidents_needed: int = 3
    report_within_months: int = 1
    lookback_months: int = 6
    community_route: bool = False
    community_route_households: int = 5
    hate_incident_route: bool = False
    hate_incidents_needed: int = 1
    hate_period_months: int = 6
    # Incidents of any kind (the hate incidents included) the hate route needs in all: Plymouth's
    # "two incidents, one of them a hate incident" is 1 hate incident and 2 in all.
    hate_total_incidents: int = 1

    def describe(self) -> str:
        """The rules in one line, as the case page and the command line show them."""
        text = (f"{self.incidents_needed} qualifying incident{'s' if self.incidents_needed != 1 else ''}, "
                f"each reported within {_months(self.report_within_months)} of happening and within the "
                f"{_months(self.lookback_months)} before the application")
        if self.hate_incident_route:
            text += (f"; hate-incident route: {self.hate_incidents_needed} hate incident"
                     f"{'s' if self.hate_incidents_needed != 1 else ''} in {_months(self.hate_period_months)}")
            if self.hate_total_incidents > self.hate_incidents_needed:
                text += f" ({self.hate_total_incidents} incidents in all)"
        if self.community_route:
            text += (f"; community route: {self.community_route_households} households reporting the same "
                     f"problem within {_months(self.lookback_months)}")
        return text


@dataclass(frozen=True)
class Household:
    """One application about the same problem, for the community route (a household is an address)."""

    key: Hashable  # the case (or "this application" in the form)
    reference: str
    address_key: str  # normalised address; "" when none is recorded
    received_on: date
    accepted: bool = True  # a "not accepted" application does not count


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
    confirmed: bool = False  # an agency has confirmed the report


@dataclass(frozen=True)
class IncidentVerdict:
    key: Hashable
    qualifies: bool
    reasons: tuple[str, ...]  # why it does not count; a positive note when it does

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class HouseholdVerdict:
    key: Hashable
    reference: str
    counted: bool
    reason: str  # "counted", or why not


@dataclass(frozen=True)
class ThresholdResult:
    qualifying_incidents: int
    incidents_needed: int
    verdicts: tuple[IncidentVerdict, ...]
    routes: tuple[str, ...] = field(default=())
    confirmed_qualifying: int = 0  # of the qualifying incidents, those an agency has confirmed
    hate_incidents: int = 0  # qualifying hate incidents within the hate route's period
    confirmed_hate_incidents: int = 0
    households: tuple[HouseholdVerdict, ...] = field(default=())
    rules: ThresholdRules | None = None
    rules_from: date | None = None  # when the rules applied took effect (None: from the start)

    @property
    def households_counted(self) -> int:
        return sum(1 for h in self.households if h.counted)

    @property
    def confirmed_met(self) -> bool:
        """The agencies have confirmed enough: 'not met' is then not a lawful decision."""
        rules = self.rules or ThresholdRules()
        if self.confirmed_qualifying >= self.incidents_needed:
            return True
        return (rules.hate_incident_route and self.confirmed_hate_incidents >= rules.hate_incidents_needed
                and max(self.confirmed_qualifying, self.confirmed_hate_incidents) >= rules.hate_total_incidents)

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
           rules: ThresholdRules | None = None, households_reporting: int = 1,
           households: Sequence[Household] | None = None) -> ThresholdResult:
    """The indicator for one application. The officer's decision is recorded separately.

    Callers go through `app.domain.evaluation.evaluate`, which picks the rules in force.
    `households`, when given, are the applications about the same problem (this one included)
    for the community route; otherwise `households_reporting` is taken as the count.
    """
    rules = rules or ThresholdRules()
    own = {i.key: judge_incident(i, received_on, rules) for i in incidents}

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
    # A group counts as confirmed when an agency confirmed any of its reports.
    confirmed_groups = {root(i.key) for i in incidents if i.confirmed}
    confirmed = sum(1 for g in counted_group if g in confirmed_groups)

    hate_groups = _hate_groups(incidents, received_on, rules, root)
    hate, confirmed_hate = len(hate_groups), len(hate_groups & confirmed_groups)
    in_all = set(counted_group) | hate_groups  # a hate incident may be older than the main period
    routes: list[str] = []
    if rules.hate_incident_route and hate >= rules.hate_incidents_needed \
            and len(in_all) >= rules.hate_total_incidents:
        routes.append(hate_route_name(rules))
    household_verdicts = judge_households(households, received_on, rules) if households is not None else ()
    counted_households = (sum(1 for h in household_verdicts if h.counted) if households is not None
                          else households_reporting)
    if community_route_met(counted_households, rules):
        routes.append("community route")
    return ThresholdResult(qualifying, rules.incidents_needed, tuple(verdicts), tuple(routes), confirmed,
                           hate, confirmed_hate, tuple(household_verdicts), rules)


def hate_route_name(rules: ThresholdRules) -> str:
    if rules.hate_incidents_needed == 1 and rules.hate_total_incidents <= 1:
        return "single hate incident route"
    return "hate incident route"


def _hate_groups(incidents: Sequence[IncidentFacts], received_on: date, rules: ThresholdRules,
                 root: Callable[[Hashable], Hashable]) -> set[Hashable]:
    """Qualifying hate incidents, judged with the hate route's own period, once per duplicate group."""
    if not rules.hate_incident_route:
        return set()
    own_period = replace(rules, lookback_months=rules.hate_period_months)
    return {root(i.key) for i in incidents
            if i.hate_incident and judge_incident(i, received_on, own_period).qualifies}


def judge_households(households: Sequence[Household], received_on: date,
                     rules: ThresholdRules) -> tuple[HouseholdVerdict, ...]:
    """Distinct households among the applications about the same problem received within the
    period (before or after this one); each application says whether it counted and why not."""
    earliest = add_months(received_on, -rules.lookback_months)
    latest = add_months(received_on, rules.lookback_months)
    seen: dict[str, str] = {}
    out: list[HouseholdVerdict] = []
    for h in sorted(households, key=lambda h: (h.received_on, h.reference)):
        if not h.accepted:
            out.append(HouseholdVerdict(h.key, h.reference, False, "not accepted"))
        elif not h.address_key:
            out.append(HouseholdVerdict(h.key, h.reference, False, "no address recorded"))
        elif not earliest <= h.received_on <= latest:
            out.append(HouseholdVerdict(h.key, h.reference, False,
                                        f"received {uk(h.received_on)}, more than "
                                        f"{_months(rules.lookback_months)} from this application"))
        elif h.address_key in seen:
            out.append(HouseholdVerdict(h.key, h.reference, False, f"the same household as {seen[h.address_key]}"))
        else:
            seen[h.address_key] = h.reference
            out.append(HouseholdVerdict(h.key, h.reference, True, "counted"))
    return tuple(out)


def household_key(address_lines: Sequence[str], postcode: str | None) -> str:
    """A household is an address: the first line and the postcode, ignoring case and spacing."""
    first = " ".join((address_lines[0] if address_lines else "").casefold().replace(",", " ").split())
    code = "".join((postcode or "").casefold().split())
    return f"{first}|{code}" if first or code else ""


def _label(key: Hashable, incidents: Sequence[IncidentFacts]) -> str:
    for n, incident in enumerate(incidents, start=1):
        if incident.key == key:
            return str(n)
    return str(key)


def community_route_met(households_reporting: int, rules: ThresholdRules) -> bool:
    """Optional local route: N reports about one problem from different households."""
    return rules.community_route and households_reporting >= rules.community_route_households
