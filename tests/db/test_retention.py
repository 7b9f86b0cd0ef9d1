"""Retention on SQLite and PostgreSQL: due-for-review boundaries, anonymising, deleting, reasons."""
from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, update

from app.db.models import (AuditEntry, AuditValue, Case, CaseLink, CasePerpetrator, CaseReview, Document,
                           Draft, Finding, Incident, Letter, Note, PanelMeeting, Perpetrator, Person,
                           Recommendation, SettingRow)
from app.domain.application import PerpetratorData
from app.services.cases import steps as wf
from app.services.common.context import SETTINGS_KEY
from app.services.common.errors import PermissionDenied, ServiceError, ValidationFailed
from app.services.intake.applications import create_application
from app.services.reports.figures import partnership_summary, statutory_figures
from app.services.trust.retention import (ANONYMISED, add_years, anonymise_case, cases_due_for_review, delete_case,
                                    latest_end_due, retention_periods)
from tests.conftest import make_context
from tests.db.helpers import application

PDF = b"%PDF-1.4 letter to Ms Asha Patel, 12 Example Road"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_ctx(request):
    return request.getfixturevalue("ctx" if request.param == "sqlite" else "pg_ctx")


def finish(ctx, case_id: int, *, closed_on: date | None = None, withdrawn_on: date | None = None) -> None:
    """Put a case straight into its last state (the workflow itself is tested elsewhere)."""
    status = "closed" if closed_on else "withdrawn"
    with ctx.unit_of_work() as s:
        s.execute(update(Case).where(Case.id == case_id).values(status=status, closed_on=closed_on,
                                                                  withdrawn_on=withdrawn_on))


def new_case(ctx, received: str = "2026-11-02", **kwargs) -> int:
    return create_application(ctx, application(received, **kwargs)).id


def rich_case(ctx) -> int:
    """A reviewed case with a victim, a perpetrator, notes, a scan, a letter, a draft and audited changes."""
    data = dataclasses.replace(application("2026-11-02", on_behalf=True), alleged_perpetrators=(
        PerpetratorData(name="Sam Jones", address="14 Example Road"),))
    created = create_application(ctx, data)
    wf.update_case_details(ctx, created.id, created.version, {"impact": "Ms Patel cannot sleep."})
    with ctx.unit_of_work() as s:
        case = s.get(Case, created.id)
        case.threshold_met, case.threshold_decided_on = True, date(2026, 11, 10)
        case.panel_completed_on, case.closed_on, case.status = date(2026, 11, 20), date(2026, 11, 24), "closed"
        meeting = PanelMeeting(starts_at=datetime(2026, 11, 20, 10), held_on=date(2026, 11, 20), state="held")
        s.add(meeting)
        s.flush()
        review = CaseReview(meeting_id=meeting.id, case_id=case.id, completes_review=True,
                            impact_statement="Asha told the panel about her son.")
        s.add(review)
        s.flush()
        s.add(Finding(review_id=review.id, text="Sam Jones was not spoken to", key_finding=True))
        agency_id = s.scalar(select(Incident.agency_id).where(Incident.case_id == case.id).limit(1))
        for action in ("Visit Sam Jones", "Fit a noise monitor at 12 Example Road"):
            s.add(Recommendation(case_id=case.id, review_id=review.id, agency_id=agency_id, action=action))
        s.add(Note(case_id=case.id, text="Called Ms Patel on 01892 000000", created_by="officer.one"))
        s.add(Document(case_id=case.id, title="Asha Patel diary.pdf", media_type="application/pdf", size=9,
                       content=b"%PDF diary", added_by="officer.one"))
        s.add(Letter(case_id=case.id, template="acknowledgement", recipient="Ms Asha Patel", pdf=PDF,
                     produced_by="officer.one"))
        s.add(Draft(owner="officer.one", kind="case-note", payload=json.dumps({"case_id": case.id, "text": "Asha"})))
        s.add(Draft(owner="officer.one", kind="application-telephone", payload=json.dumps({"x": case.id})))
    return created.id


def figures(ctx, case_id: int) -> tuple:
    """What the four statutory figures (and the partnership summary's channel) are counted from."""
    with ctx.unit_of_work() as s:
        c = s.get(Case, case_id)
        reviews = s.execute(select(CaseReview.completes_review, PanelMeeting.held_on)
                            .join(PanelMeeting, PanelMeeting.id == CaseReview.meeting_id)
                            .where(CaseReview.case_id == case_id)).all()
        recommendations = s.scalar(select(func.count()).select_from(Recommendation).where(
            Recommendation.case_id == case_id, Recommendation.review_id.is_not(None)))
        return (c.received_on, c.channel, c.status, c.threshold_met, c.threshold_decided_on,
                c.panel_completed_on, c.closed_on, sorted(reviews), recommendations)


def test_add_years_and_its_inverse_around_29_february():
    assert add_years(date(2020, 2, 29), 6) == date(2026, 2, 28)
    assert latest_end_due(date(2026, 2, 28), 6) == date(2020, 2, 29)
    assert latest_end_due(date(2026, 11, 25), 6) == date(2020, 11, 25)
    assert latest_end_due(date(2028, 2, 29), 6) == date(2022, 2, 28)


def test_due_for_review_lists_finished_cases_on_the_boundary(any_ctx):
    ctx = any_ctx  # today is 25/11/2026 and the default period is 6 years
    exactly = new_case(ctx)
    finish(ctx, exactly, closed_on=date(2020, 11, 25))
    day_short = new_case(ctx)
    finish(ctx, day_short, closed_on=date(2020, 11, 26))
    withdrawn = new_case(ctx)
    finish(ctx, withdrawn, withdrawn_on=date(2020, 11, 25))
    long_ago = new_case(ctx)
    finish(ctx, long_ago, closed_on=date(2019, 1, 1))
    leap = new_case(ctx)
    finish(ctx, leap, closed_on=date(2020, 2, 29))
    live = new_case(ctx)
    with ctx.unit_of_work() as s:  # a date on a live case does not make it due
        s.execute(update(Case).where(Case.id == live).values(withdrawn_on=date(2010, 1, 1)))

    due = cases_due_for_review(ctx)
    assert [d.id for d in due] == [long_ago, leap, exactly, withdrawn]
    first = due[0]
    assert (first.ended_on, first.review_due_on, first.applicant) == (date(2019, 1, 1), date(2025, 1, 1),
                                                                       "Ms Asha Patel")
    assert [d.id for d in cases_due_for_review(ctx, today=date(2026, 2, 27))] == [long_ago]
    assert [d.id for d in cases_due_for_review(ctx, today=date(2026, 2, 28))] == [long_ago, leap]

    # The council's own period is read from the settings.
    with ctx.unit_of_work() as s:
        row = s.get(SettingRow, SETTINGS_KEY)
        row.value = json.dumps({**json.loads(row.value), "retention_years": 5})
    ctx.forget_settings()
    assert day_short in [d.id for d in cases_due_for_review(ctx)]
    assert {p.years for p in retention_periods(ctx.settings())} == {5}

    anonymise_case(ctx, exactly, "retention period ended")
    assert exactly not in [d.id for d in cases_due_for_review(ctx)]


def test_anonymise_keeps_the_statutory_figures_and_removes_personal_data(any_ctx):
    ctx = any_ctx
    case_id = rich_case(ctx)
    other = new_case(ctx)  # an unrelated case keeps everything
    with ctx.unit_of_work() as s:
        other_perp = s.scalar(select(Perpetrator.id).where(Perpetrator.name == "Sam Jones"))
        s.add(CasePerpetrator(case_id=other, perpetrator_id=other_perp))  # Sam is in a live case too
        s.add(CaseLink(case_id=min(case_id, other), linked_case_id=max(case_id, other), reason="same as Asha's"))
        applicant, victim = s.execute(select(Case.applicant_id, Case.victim_id).where(Case.id == case_id)).one()
        assert s.scalar(select(func.count()).select_from(AuditValue).where(AuditValue.case_id == case_id)) > 0
    before = figures(ctx, case_id)
    year = (date(2026, 4, 1), date(2027, 3, 31))
    published = (statutory_figures(ctx, *year), partnership_summary(ctx, *year))
    assert published[0].reviews_with_recommendations == 1

    anonymise_case(ctx, case_id, "retention period ended")

    assert figures(ctx, case_id) == before
    assert (statutory_figures(ctx, *year), partnership_summary(ctx, *year)) == published
    with ctx.unit_of_work() as s:
        for person_id in (applicant, victim):
            p = s.get(Person, person_id)
            assert (p.first_name, p.last_name, p.address, p.postcode, p.phone, p.email, p.search_key) == (
                None, ANONYMISED, "", None, None, None, "")
        case = s.get(Case, case_id)
        assert (case.impact, case.problem_location_id) == (None, None)  # the location is shared: unlinked
        assert [i.description for i in case.incidents] == [None, None, None]
        assert {i.reported_to for i in case.incidents} == {"Kent Police"}  # an agency name, not personal
        assert s.scalar(select(func.count()).select_from(AuditValue).where(AuditValue.case_id == case_id)) == 0
        # Letters and scans hold the people's details in their bytes: removed, not blanked.
        assert s.scalars(select(Letter.id).where(Letter.case_id == case_id)).all() == []
        assert s.scalars(select(Document.id).where(Document.case_id == case_id)).all() == []
        assert s.scalars(select(Note.text).where(Note.case_id == case_id)).all() == [ANONYMISED]
        assert s.scalar(select(CaseReview.impact_statement).where(CaseReview.case_id == case_id)) is None
        assert s.scalars(select(Recommendation.action).where(Recommendation.case_id == case_id)).all() == [
            ANONYMISED, ANONYMISED]
        assert s.scalar(select(Finding.text)) == "Sam Jones was not spoken to"  # grouped in the summary
        assert [d.kind for d in s.scalars(select(Draft))] == ["application-telephone"]
        # Sam Jones is still named in the other, live case; this case no longer points at him.
        assert s.get(Perpetrator, other_perp).name == "Sam Jones"
        assert s.scalars(select(CasePerpetrator.case_id)).all() == [other]
        assert s.scalar(select(CaseLink.reason)) == ""
        entry = s.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)
                          .order_by(AuditEntry.id.desc())).first()
        assert (entry.action, entry.reason, entry.actor) == ("anonymise", "retention period ended", "officer.one")
        # The other case's own people and values are untouched.
        assert s.get(Case, other).applicant.last_name == "Patel"


def test_anonymise_only_a_perpetrator_linked_to_this_case(ctx):
    data = dataclasses.replace(application(), alleged_perpetrators=(PerpetratorData(name="Kim Lowe"),))
    case_id = create_application(ctx, data).id
    finish(ctx, case_id, closed_on=date(2019, 5, 1))
    anonymise_case(ctx, case_id, "retention period ended")
    with ctx.unit_of_work() as s:
        assert s.get(Case, case_id).problem_location.description == ANONYMISED  # used by this case only
        assert s.scalars(select(Perpetrator.name)).all() == [ANONYMISED]
        assert s.scalars(select(CasePerpetrator.case_id)).all() == [case_id]


def test_a_live_case_is_not_anonymised(ctx):
    case_id = new_case(ctx)
    with pytest.raises(ServiceError, match="closed or withdrawn"):
        anonymise_case(ctx, case_id, "asked to be forgotten")


def test_delete_removes_the_case_and_everything_hanging_off_it(any_ctx):
    ctx = any_ctx
    case_id = rich_case(ctx)
    keep = new_case(ctx)
    delete_case(ctx, case_id, "opened in error")
    with ctx.unit_of_work() as s:
        assert s.scalars(select(Case.id)).all() == [keep]
        for model in (Incident, Note, Document, Letter, CaseReview, Recommendation, Finding, CasePerpetrator):
            assert s.scalar(select(func.count()).select_from(model)) == (
                3 if model is Incident else 0), model.__name__
        assert s.scalar(select(func.count()).select_from(Person)) == 1  # the kept case's applicant
        assert s.scalar(select(func.count()).select_from(Perpetrator)) == 0
        assert s.scalar(select(func.count()).select_from(AuditValue).where(AuditValue.case_id == case_id)) == 0
        assert [d.kind for d in s.scalars(select(Draft))] == ["application-telephone"]
        actions = s.execute(select(AuditEntry.action, AuditEntry.reason, AuditEntry.fields)
                            .where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)).all()
        assert actions[-1] == ("delete", "opened in error", None)  # ids and actions only
        assert ("create", "application received by telephone", None) in actions


def test_only_a_manager_or_administrator_may_anonymise_or_delete(ctx, sqlite_url):
    case_id = new_case(ctx)
    finish(ctx, case_id, closed_on=date(2019, 1, 1))
    officer = make_context(sqlite_url, actor="officer.two", role="officer")
    try:
        for action in (anonymise_case, delete_case):
            with pytest.raises(PermissionDenied):
                action(officer, case_id, "tidying up")
        assert [d.id for d in cases_due_for_review(officer)] == [case_id]  # seeing the list is allowed
    finally:
        officer.engine.dispose()


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reason_is_required(ctx, reason):
    case_id = new_case(ctx)
    finish(ctx, case_id, closed_on=date(2019, 1, 1))
    for action in (anonymise_case, delete_case):
        with pytest.raises(ValidationFailed) as refused:
            action(ctx, case_id, reason)
        assert [p.field for p in refused.value.problems] == ["reason"]
    with ctx.unit_of_work() as s:
        assert s.get(Case, case_id).applicant.last_name == "Patel"
