"""The victim's tenure: whether they rent from a registered provider of social housing, and which one.

It decides whether a letter names the Housing Ombudsman (only for the tenant of a provider involved in
the case), so it is recorded, never guessed.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.db.models import Agency, Case
from app.domain.application import TENURES, Problem
from app.domain.roles import Permission
from app.services.common import audit
from app.services.common.concurrency import apply_changes, load_for_change
from app.services.common.context import ServiceContext
from app.services.common.errors import ValidationFailed
from app.services.common.ops import Changes, Part

RP_KIND = "registered provider of social housing"
TENURE_LABELS = {"registered_provider": "Rents from a registered provider (social housing)",
                 "private_rented": "Rents from a private landlord", "owner": "Owns their home",
                 "other": "Other (living with family, temporary accommodation...)"}


@dataclass(frozen=True)
class TenureRecorded:
    version: int
    changes: Changes


def tenure_words(tenure: str | None, landlord: str | None) -> str:
    """The tenure as the case page shows it."""
    if tenure is None:
        return "not recorded"
    words = TENURE_LABELS.get(tenure, tenure)
    return f"{words}: {landlord}" if tenure == "registered_provider" and landlord else words


def record_tenure(ctx: ServiceContext, case_id: int, expected_version: int, *, tenure: str | None,
                  landlord_id: int | None = None) -> TenureRecorded:
    """Record (or correct) whether the victim rents from a registered provider, and which one."""
    ctx.require(Permission.CHANGE_CASES)
    if tenure is not None and tenure not in TENURES:
        raise ValidationFailed([Problem("tenure", f"choose one of {', '.join(TENURE_LABELS.values())}")])
    with ctx.unit_of_work() as session:
        case = load_for_change(session, Case, case_id, expected_version, "This case")
        if tenure == "registered_provider":
            landlord = session.get(Agency, landlord_id) if landlord_id is not None else None
            if landlord is None or landlord.kind.casefold() != RP_KIND:
                raise ValidationFailed([Problem("landlord", "choose the registered provider the victim rents from "
                                                "(add it to the agency directory first if it is not there)")])
        else:
            landlord_id = None
        changed = apply_changes(case, {"victim_tenure": tenure, "victim_landlord_id": landlord_id}, ctx.actor)
        if changed:
            audit.record(session, ctx, "tenure", "case", case.id, case_id=case.id, changes=changed)
        session.flush()
        return TenureRecorded(case.version, Changes.of_case(case.id, Part.PEOPLE, Part.LETTERS, Part.TIMELINE))
