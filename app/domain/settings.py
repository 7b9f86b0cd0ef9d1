"""Council settings with the defaults of domain.md; stored as JSON in the database."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

from app.domain.clocks import ClockSettings
from app.domain.threshold import ThresholdRules

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
class Settings:
    council: CouncilDetails = field(default_factory=CouncilDetails)
    threshold: ThresholdRules = field(default_factory=ThresholdRules)
    clocks: ClockSettings = field(default_factory=ClockSettings)
    closure_days: tuple[date, ...] = ()
    retention_years: int = 6
    consent_to_share_script: str = CONSENT_TO_SHARE_SCRIPT
    on_behalf_script: str = ON_BEHALF_SCRIPT
    not_emergency_script: str = NOT_EMERGENCY_SCRIPT

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
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
                                        "not_emergency_script", "retention_years") if k in data}
        return cls(council=build(CouncilDetails, data.get("council")),
                   threshold=build(ThresholdRules, data.get("threshold")),
                   clocks=build(ClockSettings, data.get("clocks")),
                   closure_days=closures, **scripts)
