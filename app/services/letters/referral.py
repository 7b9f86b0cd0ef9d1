"""The OPCC referral pack: produced for a case whose review request goes to the Police and Crime
Commissioner's office, kept exactly as produced with the case, its disclosure audited."""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import select

from app.db.models import Case, Letter, User
from app.domain.application import Problem
from app.domain.roles import Permission
from app.letters.referral_pack import ReferralPack, ReferralRequest, render_referral_pack
from app.services.cases.case_page import load_case
from app.services.cases.secondary_review import GROUNDS
from app.services.common import audit
from app.services.common.context import ServiceContext
from app.services.common.errors import NotFound, ValidationFailed
from app.services.common.ops import Changes, Part
from app.services.letters.facts import load_records
from app.services.letters.law_values import QUERIED_WORDS
from app.services.panels.pack import _pack_case

TEMPLATE = "opcc-referral-pack"


@dataclass(frozen=True)
class ReferralProduced:
    letter_id: int
    pdf: bytes
    changes: Changes


def build_referral_pack(ctx: ServiceContext, case_id: int) -> ReferralProduced:
    """The pack the OPCC needs: the request and its grounds, the case summary, the decision (with the
    assessment), the chronology, the findings and the recommendations."""
    ctx.require(Permission.CHANGE_CASES)
    ctx.require(Permission.EXPORT)  # personal data leaves the council
    detail = load_case(ctx, case_id, record_view=False)
    settings = ctx.settings()
    with ctx.unit_of_work() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("That case no longer exists.")
        records = load_records(session, ctx, case)
        sr = records.secondary
        if sr is None or sr.route != "opcc":
            raise ValidationFailed([Problem("route", "no request for a review of this case goes to the Police and "
                                            "Crime Commissioner's office")])
        held = records.held_review()
        review = held[0] if held else None
        # The panel's record as the panel pack shows it (an empty one when no panel has met).
        item = SimpleNamespace(
            impact_statement=(review.impact_statement or "") if review else "",
            victim_invited=bool(review and review.victim_invited),
            information_considered=(review.information_considered or "") if review else "",
            findings=tuple((f.text, f.rationale or "") for f in records.findings.get(review.id, [])) if review else (),
            recommendations=tuple((records.agencies[r.agency_id].name if r.agency_id in records.agencies else "",
                                   r.action, r.due_on, r.rationale or "") for r in records.panel_recommendations()),
            decision=(review.decision or "") if review else "",
            victim_part=(review.victim_part or "") if review else "",
            victim_part_reason=(review.victim_part_reason or "") if review else "")
        names = {login.casefold(): name for login, name in session.execute(select(User.login, User.display_name))
                 if name}
        pack_case = _pack_case(item, detail, names)  # type: ignore[arg-type]
        request = ReferralRequest(
            requested_on=sr.requested_on, requested_by=sr.requested_by or detail.applicant.name,
            on_behalf_of=detail.victim.name if detail.victim else None,
            decision_queried=QUERIED_WORDS.get(sr.decision_queried or "outcome", QUERIED_WORDS["outcome"]),
            grounds=tuple(GROUNDS[c].capitalize() for c in (sr.grounds_codes or "").split(",") if c in GROUNDS),
            grounds_text=sr.grounds or "", review_due=sr.due_on)
        pdf = render_referral_pack(ReferralPack(settings.council.name, settings.council.unit, settings.opcc.name,
                                                request, pack_case, ctx.today(), names.get(ctx.actor.casefold(),
                                                                                           ctx.actor)))
        letter = Letter(case_id=case.id, template=TEMPLATE, recipient=settings.opcc.name[:300], pdf=pdf,
                        produced_at=ctx.now(), produced_by=ctx.actor, queued=False)
        session.add(letter)
        session.flush()
        audit.record(session, ctx, "export", "letter", letter.id, case_id=case.id, reason="OPCC referral pack produced")
        return ReferralProduced(letter.id, pdf, Changes.of_case(case.id, Part.LETTERS, Part.TIMELINE))
