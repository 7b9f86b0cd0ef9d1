"""The OPCC referral pack: produced for a case whose review request goes to the Police and Crime
Commissioner's office, kept exactly as produced with the case, its disclosure audited."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.db.models import Case, Letter
from app.domain.application import Problem
from app.domain.roles import Permission
from app.letters.panel_pack import PackCase, PackEvent
from app.letters.referral_pack import ReferralPack, ReferralRequest, render_referral_pack
from app.services.cases.case_page import load_case
from app.services.cases.secondary_review import GROUNDS
from app.services.common import audit
from app.services.common.context import ServiceContext
from app.services.common.errors import NotFound, ValidationFailed
from app.services.common.ops import Changes, Part
from app.services.letters.facts import load_records
from app.services.letters.law_values import QUERIED_WORDS
from app.services.panels.pack import _channel, _incident_text, victim_part_words

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
        findings = tuple((f.text, f.rationale or "") for f in records.findings.get(held[0].id, [])) if held else ()
        recs = tuple((records.agencies[r.agency_id].name if r.agency_id in records.agencies else "", r.action,
                      r.due_on, r.rationale or "") for r in records.panel_recommendations())
        incidents = [PackEvent(i.reported_on, i.agency_name or i.reported_to or "not given",
                               _incident_text(i.number, i.happened, i.description, i.location, i.confirmation))
                     for i in detail.incidents]
        chronology = sorted(incidents + [PackEvent(a.on, a.source, a.text) for a in detail.actions],
                            key=lambda e: e.on or date.min)
        pack_case = PackCase(
            reference=detail.reference, received_on=detail.received_at.date(), channel=_channel(detail.channel),
            status=detail.status.label, problem_location=detail.problem_location, asb_types=detail.asb_types,
            threshold_met=detail.threshold_met, threshold_decided_on=detail.threshold_decided_on,
            threshold_decided_by=detail.threshold_decided_by, threshold_reason=detail.threshold_reason,
            qualifying_incidents=detail.qualifying_incidents, incidents_needed=detail.incidents_needed,
            chronology=tuple(chronology), impact_statement=held[0].impact_statement or "" if held else "",
            victim_invited=bool(held and held[0].victim_invited),
            information_considered=(held[0].information_considered or "") if held else "",
            findings=findings, recommendations=recs, decision=(held[0].decision or "") if held else "",
            assessment=detail.assessment, decision_rules=detail.decision_rules or "",
            victim_part=victim_part_words(held[0].victim_part or "", held[0].victim_part_reason or "") if held else "")
        request = ReferralRequest(
            requested_on=sr.requested_on, requested_by=sr.requested_by or detail.applicant.name,
            on_behalf_of=detail.victim.name if detail.victim else None,
            decision_queried=QUERIED_WORDS.get(sr.decision_queried or "outcome", QUERIED_WORDS["outcome"]),
            grounds=tuple(GROUNDS[c].capitalize() for c in (sr.grounds_codes or "").split(",") if c in GROUNDS),
            grounds_text=sr.grounds or "", review_due=sr.due_on)
        pdf = render_referral_pack(ReferralPack(settings.council.name, settings.council.unit, settings.opcc.name,
                                                request, pack_case, ctx.today(), ctx.actor))
        letter = Letter(case_id=case.id, template=TEMPLATE, recipient=settings.opcc.name[:300], pdf=pdf,
                        produced_at=ctx.now(), produced_by=ctx.actor, queued=False)
        session.add(letter)
        session.flush()
        audit.record(session, ctx, "export", "letter", letter.id, case_id=case.id, reason="OPCC referral pack produced")
        return ReferralProduced(letter.id, pdf, Changes.of_case(case.id, Part.LETTERS, Part.TIMELINE))
