"""Council settings with the defaults of domain.md; stored as JSON in the database."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

from app.domain.clocks import ClockSettings
from app.domain.threshold import ThresholdRules
from app.domain.threshold_rules import RuleHistory, RuleVersion

# Who carries out the review of the review (Schedule 4's procedure for a dissatisfied applicant).
REVIEW_ROUTES = {"senior_officer": "a senior officer of the council not involved before",
                 "opcc": "the Police and Crime Commissioner's office"}
YEAR_TYPES = ("financial", "calendar")

CONSENT_TO_SHARE_SCRIPT = (
    "To review your case we need to share the details you give us, and information about you, "
    "with the other agencies involved, such as the police and your housing provider. We will only "
    "share what is needed for the review. Do you agree to this?")
ON_BEHALF_SCRIPT = (
    "Has the person you are calling about agreed that you can apply on their behalf? We will need "
    "to confirm that with them before the review can go ahead.")
NOT_EMERGENCY_SCRIPT = (
    "If a crime is happening now, please hang up and call 999. To report a new incident, call 101.")


@dataclass(frozen=True)
class CouncilDetails:
    name: str = "Tunbridge Wells Borough Council"
    unit: str = "Community Safety Unit"
    address_lines: tuple[str, ...] = ("Town Hall", "Civic Way", "Royal Tunbridge Wells")
    postcode: str = "TN1 1RS"
    phone: str = "01892 526121"
    email: str = "community.safety@example.gov.uk"
    website: str = "www.example.gov.uk"
    reference_prefix: str = "CT"


@dataclass(frozen=True)
class OpccDetails:
    """The Police and Crime Commissioner's office, for the OPCC review route's letters."""

    name: str = "Office of the Police and Crime Commissioner"
    address_lines: tuple[str, ...] = ()
    postcode: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Settings:
    council: CouncilDetails = field(default_factory=CouncilDetails)
    threshold: ThresholdRules = field(default_factory=ThresholdRules)  # the rules before any dated change
    clocks: ClockSettings = field(default_factory=ClockSettings)
    closure_days: tuple[date, ...] = ()
    retention_years: int = 6
    consent_to_share_script: str = CONSENT_TO_SHARE_SCRIPT
    on_behalf_script: str = ON_BEHALF_SCRIPT
    not_emergency_script: str = NOT_EMERGENCY_SCRIPT
    review_route: str = "senior_officer"
    opcc: OpccDetails = field(default_factory=OpccDetails)
    publication_year_type: str = "financial"
    # Dated changes to the threshold rules, kept in their own table (not in the JSON).
    threshold_history: tuple[RuleVersion, ...] = field(default=(), compare=False)

    @property
    def rule_history(self) -> RuleHistory:
        return RuleHistory(self.threshold, self.threshold_history)

    def rules_on(self, day: date) -> ThresholdRules:
        """The threshold rules in force on a date: a case is judged by those of its date received."""
        return self.rule_history.rules_on(day)

    @property
    def review_by_opcc(self) -> bool:
        return self.review_route == "opcc"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("threshold_history", None)
        data["closure_days"] = [d.isoformat() for d in self.closure_days]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        """Unknown keys are ignored and missing ones take defaults, so old files still load."""
        def build(kind: type, values: dict[str, Any] | None) -> Any:
            names = {f.name for f in fields(kind)}
            kwargs = {k: (tuple(v) if isinstance(v, list) else v)
                      for k, v in (values or {}).items() if k in names}
            return kind(**kwargs)
        closures = tuple(date.fromisoformat(d) for d in data.get("closure_days", []))
        scripts = {k: data[k] for k in ("consent_to_share_script", "on_behalf_script",
                                        "not_emergency_script", "retention_years", "review_route",
                                        "publication_year_type") if k in data}
        return cls(council=build(CouncilDetails, data.get("council")),
                   threshold=build(ThresholdRules, data.get("threshold")),
                   clocks=build(ClockSettings, data.get("clocks")),
                   opcc=build(OpccDetails, data.get("opcc")),
                   closure_days=closures, **scripts)
