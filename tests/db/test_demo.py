"""The demo data generator: every state, dates that agree with the state, references that continue."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date

import pytest

from sqlalchemy import func, select

from app.db.models import (AgencyAction, AgencyRequest, AuditEntry, Case, CaseReview, Incident, PanelMeeting,
                           Person, Recommendation, ReferenceCounter, SecondaryReview)
from app.domain.workflow import Status
from app.services.cases import steps as wf
from app.services.cases.summaries import list_cases, next_action
from app.services.common.ops import Progress
from app.services.demo.generate import generate_demo_cases
from app.services.intake.applications import create_application, person_search_key
from tests.conftest import FIXED_TODAY, make_context
from tests.db.helpers import send_letter, application

S = Status
REFERENCE = re.compile(r"^CT-(\d{4})-(\d{4,})$")


def _cases(ctx) -> list[Case]:
    with ctx.unit_of_work() as session:
        return list(session.scalars(select(Case).order_by(Case.id)))


def _check_references(ctx, cases: list[Case]) -> None:
    """Unique, numbered 1..n within each year received, in the order saved; counters at n."""
    by_year: dict[int, list[Case]] = defaultdict(list)
    for case in cases:
        year, number = REFERENCE.match(case.reference).groups()
        assert int(year) == case.received_on.year
        by_year[int(year)].append(case)
    assert len({c.reference for c in cases}) == len(cases)
    with ctx.unit_of_work() as session:
        counters = dict(session.execute(select(ReferenceCounter.year, ReferenceCounter.last_number)).all())
    for year, items in by_year.items():
        numbers = [int(c.reference.rsplit("-", 1)[1]) for c in sorted(items, key=lambda c: c.id)]
        assert numbers == list(range(1, len(items) + 1)), year
        assert counters[year] == len(items)


def _check_states(cases: list[Case], today: date) -> None:
    """What each state implies about the dates on the case (domain.md's process)."""
    decided_met = {S.THRESHOLD_MET, S.INFORMATION_GATHERING, S.PANEL_SCHEDULED, S.REVIEWED, S.OUTCOME_SENT}
    for c in cases:
        st = Status(c.status)
        chain = [c.received_on, c.consent_completed_on, c.threshold_decided_on, c.panel_completed_on,
                 c.outcome_sent_on, c.closed_on]
        present = [d for d in chain if d is not None]
        assert present == sorted(present) and present[-1] <= today, c.reference
        if c.acknowledged_on:
            assert c.received_on <= c.acknowledged_on <= today
            assert c.threshold_decided_on is None or c.acknowledged_on <= c.threshold_decided_on
        assert (st == S.CLOSED) == (c.closed_on is not None), c.reference
        if st == S.RECEIVED:
            assert c.acknowledged_on is None and c.threshold_decided_on is None
        if st == S.AWAITING_CONSENT:
            assert not c.consent_to_share or c.victim_consent is False
            assert c.threshold_decided_on is None
        if st in (S.ACKNOWLEDGED, S.THRESHOLD_CHECK):
            assert c.acknowledged_on is not None and c.threshold_decided_on is None
        if st == S.THRESHOLD_NOT_MET:
            assert c.threshold_met is False and c.threshold_decided_on is not None
            assert c.threshold_not_met_action
        if st in decided_met:
            assert c.threshold_met is True and c.threshold_decided_on is not None and c.closed_on is None
        if st in (S.REVIEWED, S.OUTCOME_SENT):
            assert c.panel_completed_on is not None
        if st in decided_met:
            assert (c.outcome_sent_on is not None) == (st == S.OUTCOME_SENT)
        if st == S.NOT_ACCEPTED:
            assert c.not_accepted_reason and c.threshold_decided_on is None
        if st == S.WITHDRAWN:
            assert c.withdrawn_on is not None and c.withdrawn_reason
        if c.withdrawn_on:
            assert st in (S.WITHDRAWN, S.CLOSED)
        if st in (S.NOT_ACCEPTED, S.THRESHOLD_NOT_MET) and c.decision_letter_sent_on:
            assert c.decision_letter_sent_on >= (c.threshold_decided_on or c.received_on)
        if st == S.CLOSED and (c.threshold_met is False or c.not_accepted_reason):
            assert c.decision_letter_sent_on is not None  # closed only after the letter (workflow_actions)
        assert (c.updated_by, c.version, c.created_by) == ("demo", 1, "demo")


def test_demo_fills_every_state_consistently(ctx):
    made = []
    loaded = generate_demo_cases(ctx, 300, seed=7, progress=Progress(on_update=lambda done, _total, _label: made.append(done)))
    assert loaded.made == 300 and not loaded.cancelled and loaded.changes.all_cases
    assert made[0] == 0 and made[-1] == 300
    cases = _cases(ctx)
    assert len(cases) == 300
    assert {c.status for c in cases} == {s.value for s in Status}
    assert {c.channel for c in cases} == {"telephone", "post", "online", "email", "in_person"}
    assert min(c.received_on for c in cases) >= date(2018, 6, 1)
    assert max(c.received_on for c in cases) <= FIXED_TODAY
    assert Counter(c.status for c in cases)["closed"] > 150  # older cases are mostly closed
    # Cases older than a year are ended (closed, or withdrawn and waiting to be closed).
    assert all(c.status in ("closed", "withdrawn") for c in cases if (FIXED_TODAY - c.received_on).days > 365)
    _check_references(ctx, cases)
    assert [c.received_at for c in cases] == sorted(c.received_at for c in cases)  # numbered as received
    _check_states(cases, FIXED_TODAY)
    assert any(c.victim_id for c in cases) and any(c.problem_location_id for c in cases)
    assert any(c.consent_completed_on for c in cases)


def test_denormalised_columns_agree_with_the_case_list(ctx):
    generate_demo_cases(ctx, 300, seed=11)
    stored = {c.id: c for c in _cases(ctx)}
    summaries = list_cases(ctx)
    assert len(summaries) == 300
    for s in summaries:
        case = stored[s.id]
        assert case.qualifying_incidents == s.qualifying_incidents, case.reference
        action = next_action(s)
        assert (case.next_clock, case.next_due_on) == ((action.clock.value, action.due) if action else (None, None))
        if case.threshold_decided_on and case.status not in ("closed", "withdrawn"):
            # 'Met' below the number is allowed, with a reason; 'not met' is never against the indicator.
            assert case.threshold_reason
            assert case.threshold_met or not s.threshold_met
        assert s.to_json()["status"] == case.status
    assert any(s.due for s in summaries)


def test_related_rows(ctx):
    generate_demo_cases(ctx, 300, seed=3)
    with ctx.unit_of_work() as session:
        cases = {c.id: c for c in session.scalars(select(Case))}
        incidents = list(session.scalars(select(Incident)))
        per_case = Counter(i.case_id for i in incidents)
        assert set(per_case) == set(cases) and min(per_case.values()) >= 1 and max(per_case.values()) <= 6
        for i in incidents:
            received = cases[i.case_id].received_on
            assert (i.occurred_on is None) == (i.occurred_from is not None)
            assert (i.occurred_on or i.occurred_from) <= i.reported_on <= received
        assert any(i.agency_id is None for i in incidents)  # reported to an organisation not in the directory
        assert any(i.occurred_from for i in incidents) and any(i.duplicate_of_id for i in incidents)
        requests = list(session.scalars(select(AgencyRequest)))
        assert {r.kind for r in requests} == {"confirmation", "information"}
        assert all(r.sent_on <= (r.answered_on or r.sent_on) <= FIXED_TODAY for r in requests)
        info_cases = {r.case_id for r in requests if r.kind == "information"}
        assert all(cases[c].threshold_met for c in info_cases)
        assert session.scalar(select(func.count()).select_from(AgencyAction)) > 0
        reviews = session.execute(select(CaseReview, PanelMeeting).join(PanelMeeting)).all()
        for review, meeting in reviews:
            case = cases[review.case_id]
            if review.completes_review:
                assert meeting.held_on == case.panel_completed_on
            if case.status == "panel_scheduled":
                assert meeting.state == "planned" and meeting.starts_at.date() > FIXED_TODAY
        made = Counter(r.review_id for r in session.scalars(select(Recommendation)) if r.review_id)
        for review, _ in reviews:
            if review.completes_review:  # the panel's decision says whether it recommended anything
                assert review.decision.startswith("Recommendations") == bool(made[review.id])
        reviewed = {r.case_id for r, _ in reviews if r.completes_review}
        assert reviewed == {c.id for c in cases.values() if c.panel_completed_on}
        secondary = {s.case_id: s for s in session.scalars(select(SecondaryReview))}
        for case in cases.values():
            if case.status == "secondary_review_requested":
                assert secondary[case.id].completed_on is None
            if case.status == "secondary_review_completed":
                assert secondary[case.id].outcome and secondary[case.id].outcome_sent_on
        for person in session.scalars(select(Person)):
            assert person.search_key == person_search_key(person.last_name or person.organisation,
                                                          person.postcode, person.phone)
            assert re.match(r"^TN([1-9]|1[0-2]) \d[A-Z]{2}$", person.postcode)
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action != "sign in")).all()
        assert len(audit) == 1 and "300" in audit[0].reason


def test_references_continue_after(ctx):
    generate_demo_cases(ctx, 150, seed=1)
    generate_demo_cases(ctx, 50, seed=2)  # a second run continues the numbers too
    cases = _cases(ctx)
    assert len(cases) == 200 and len({c.reference for c in cases}) == 200
    _check_references(ctx, cases)
    in_2026 = sum(c.received_on.year == 2026 for c in cases)
    after = create_application(ctx, application("2026-11-20"))
    assert after.reference == f"CT-2026-{in_2026 + 1:04d}"
    assert after.id == max(c.id for c in cases) + 1


def test_demo_cases_move_on_through_the_workflow(ctx):
    generate_demo_cases(ctx, 100, seed=5)
    cases = _cases(ctx)
    received = next(c for c in cases if c.status == "received")
    step = send_letter(ctx, received.id, "acknowledgement", FIXED_TODAY, "email", version=received.version)
    assert step.status == "acknowledged" and step.version > received.version
    not_met = next(c for c in cases if c.status == "threshold_not_met" and c.decision_letter_sent_on)
    assert wf.close_case(ctx, not_met.id, not_met.version, closed_on=FIXED_TODAY).status == "closed"


def test_same_seed_same_cases(tmp_path):
    def run(name: str, seed: int) -> list[tuple]:
        ctx = make_context(f"sqlite:///{tmp_path / name}")
        try:
            generate_demo_cases(ctx, 120, seed=seed)
            with ctx.unit_of_work() as session:
                return session.execute(select(
                    Case.reference, Case.status, Case.received_at, Case.next_due_on, Person.last_name,
                    Person.postcode).join(Person, Person.id == Case.applicant_id).order_by(Case.id)).all()
        finally:
            ctx.engine.dispose()

    assert run("a.db", 42) == run("b.db", 42)
    assert run("c.db", 43) != run("a.db", 42)


def test_demo_on_postgres(pg_ctx):
    assert generate_demo_cases(pg_ctx, 50).made == 50
    cases = _cases(pg_ctx)
    assert {c.status for c in cases} == {s.value for s in Status}
    _check_references(pg_ctx, cases)
    _check_states(cases, FIXED_TODAY)
    assert len(list_cases(pg_ctx)) == 50
    # The sequences were moved past the ids the demo chose, so the app can add cases afterwards.
    in_2026 = sum(c.received_on.year == 2026 for c in cases)
    after = create_application(pg_ctx, application("2026-11-20"))
    assert after.reference == f"CT-2026-{in_2026 + 1:04d}" and after.id == max(c.id for c in cases) + 1


@pytest.mark.parametrize("where", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_demo_refuses_a_database_with_real_cases_and_changes_nothing(request, where):
    from app.services.common.errors import ServiceError
    from app.services.reports.figures import statutory_figures
    ctx = request.getfixturevalue("ctx" if where == "sqlite" else "pg_ctx")
    real = create_application(ctx, application("2026-11-02"))
    year = (date(2026, 4, 1), date(2027, 3, 31))
    before = statutory_figures(ctx, *year)
    with pytest.raises(ServiceError, match="holds 1 real case"):
        generate_demo_cases(ctx, 20)
    assert statutory_figures(ctx, *year) == before and [c.id for c in _cases(ctx)] == [real.id]
    assert create_application(ctx, application("2026-11-20")).reference == "CT-2026-0002"  # saves still work
