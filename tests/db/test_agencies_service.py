"""The agency directory service: editing, checks, conflicts, linking names and re-assessed cases."""
from __future__ import annotations

from app.services.common.ops import Part

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import event, select, text

from app.db.models import Agency, AuditEntry, AuditValue, Case, Incident
from app.domain.threshold import IncidentFacts, judge_incident
from app.services.agencies import directory as ag
from app.services.cases import steps as wf
from app.services.cases.summaries import case_summary, list_cases
from app.services.common.context import ServiceContext
from app.services.common.errors import Conflict, ValidationFailed
from app.services.intake.applications import create_application, import_applications
from tests.conftest import FIXTURES, make_context
from tests.db.helpers import application, incidents

@pytest.fixture(autouse=True)
def _directory_with_aliases(request):
    """These tests were written against a directory with aliases; give them one."""
    from tests.db.helpers import add_test_aliases
    for name in ("ctx", "pg_ctx"):
        if name in request.fixturenames:
            add_test_aliases(request.getfixturevalue(name))



def _id(ctx: ServiceContext, name: str) -> int:
    return next(a.id for a in ag.list_agencies(ctx) if a.name == name)


def _counts(ctx: ServiceContext) -> dict[str, int]:
    return {c.source_reference: c.qualifying_incidents for c in list_cases(ctx)}


def _stored_counts(ctx: ServiceContext) -> dict[str, int]:
    """The denormalised column the case list sorts and shows: it must follow the directory too."""
    with ctx.unit_of_work() as s:
        return dict(s.execute(select(Case.source_reference, Case.qualifying_incidents)).all())


def _import_public(ctx: ServiceContext) -> dict[str, int]:
    report = import_applications(ctx, [FIXTURES / "public-applications.json"])
    assert not report.invalid
    return {c.source_reference: c.id for c in report.created}


def _problems(refused: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.message for p in refused.value.problems}


NEW = ag.AgencyInput(name="Southborough Town Council", kind="other partner", relevant_body=False,
                     email="clerk@southborough.example", phone="01892 000001",
                     address="Royal Victoria Hall\nSouthborough", aliases=("STC", " Southborough  TC "),
                     contacts=(ag.Contact("Jo Clerk", "Town clerk", "jo@southborough.example", "", True),))


# --- editing ------------------------------------------------------------------------------------

def test_default_agency_in_full(ctx):
    police = ag.get_agency(ctx, _id(ctx, "Kent Police"))
    assert (police.kind, police.relevant_body, police.active) == ("police", True, True)
    assert police.alias_names == ("Police", "Kent Constabulary")
    assert all(isinstance(a.id, int) for a in police.aliases)
    assert police.version == 1 and police.updated_by == "set-up"


def test_create_then_edit_aliases_and_contacts(ctx):
    made = ag.save_agency(ctx, None, None, NEW)
    assert made.name == "Southborough Town Council" and made.version == 1
    assert made.alias_names == ("STC", "Southborough TC")  # spacing tidied
    [clerk] = made.contacts
    assert clerk.id is not None and clerk.panel_member
    assert made.updated_by == "officer.one"
    assert "Southborough Town Council" in ag.AgencyDirectory(ag.list_agencies(ctx)).names()

    values = replace(made.as_input(), phone="01892 999999", aliases=("STC", "Town council office"),
                     contacts=(replace(clerk, role="Clerk to the council"), ag.Contact("Sam Deputy")))
    edited = ag.save_agency(ctx, made.id, made.version, values)
    assert edited.version == 2 and edited.phone == "01892 999999"
    assert edited.alias_names == ("STC", "Town council office")
    assert [(c.name, c.role) for c in edited.contacts] == [("Jo Clerk", "Clerk to the council"), ("Sam Deputy", "")]
    assert edited.contacts[0].id == clerk.id  # the same row, changed in place
    unchanged = ag.save_agency(ctx, made.id, edited.version, edited.as_input())
    assert unchanged.version == 2  # nothing to save, no new version
    with ctx.unit_of_work() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.entity == "agency")).all()
        assert [(e.action, e.fields) for e in entries] == [
            ("create", "active,address,aliases,contacts,email,kind,name,phone,relevant_body"),
            ("change", "aliases,contacts,phone")]
        after = s.scalar(select(AuditValue.after).where(AuditValue.audit_id == entries[1].id,
                                                        AuditValue.field == "phone"))
        assert after == "01892 999999"


def test_a_change_to_aliases_alone_moves_the_version(ctx):
    police = ag.get_agency(ctx, _id(ctx, "Kent Police"))
    saved = ag.save_agency(ctx, police.id, police.version,
                           replace(police.as_input(), aliases=police.alias_names + ("Kent Police HQ",)))
    assert saved.version == police.version + 1
    with pytest.raises(Conflict):
        ag.save_agency(ctx, police.id, police.version, police.as_input())


def test_every_problem_is_named_and_nothing_is_saved(ctx):
    bad = ag.AgencyInput(name="  ", email="clerk.example.org", aliases=("KCC",),
                         contacts=(ag.Contact(name="", email="nobody"), ag.Contact("Ok Person", email="x@y")))
    with pytest.raises(ValidationFailed) as refused:
        ag.save_agency(ctx, None, None, bad)
    problems = _problems(refused)
    assert set(problems) == {"name", "email", "aliases", "contacts[0].name", "contacts[0].email"}
    assert problems["aliases"] == "“KCC” is already another name for Kent County Council"
    assert len(ag.list_agencies(ctx)) == 7


@pytest.mark.parametrize("values, field, message", [
    (ag.AgencyInput(name="kent POLICE"), "name", "“kent POLICE” is already the name of Kent Police"),
    (ag.AgencyInput(name="The  Council"), "name", "another name for Tunbridge Wells Borough Council"),
    (ag.AgencyInput(name="Medway Council", aliases=("clarion housing",)), "aliases", "the name of Clarion Housing"),
    (ag.AgencyInput(name="Medway Council", aliases=("twbc",)), "aliases", "another name for Tunbridge Wells"),
])
def test_names_and_aliases_are_unique_ignoring_case(ctx, values, field, message):
    with pytest.raises(ValidationFailed) as refused:
        ag.save_agency(ctx, None, None, values)
    assert message in _problems(refused)[field]


def test_an_agency_may_keep_its_own_names_and_drops_an_alias_equal_to_its_name(ctx):
    police = ag.get_agency(ctx, _id(ctx, "Kent Police"))
    saved = ag.save_agency(ctx, police.id, police.version, replace(
        police.as_input(), name="Kent Police", aliases=("POLICE", "kent police", "Kent Constabulary")))
    assert saved.alias_names == ("POLICE", "Kent Constabulary")  # spelling change kept, own name dropped


def test_second_save_with_stale_version_is_refused_naming_who(ctx, sqlite_url):
    other = make_context(sqlite_url, actor="officer.two")
    police = ag.get_agency(ctx, _id(ctx, "Kent Police"))
    ag.save_agency(other, police.id, police.version, replace(police.as_input(), phone="101"))
    with pytest.raises(Conflict) as refused:
        ag.save_agency(ctx, police.id, police.version, replace(police.as_input(), email="asb@kent.police.uk"))
    assert refused.value.changed_by == "officer.two"
    assert "Kent Police was changed by officer.two" in str(refused.value)
    assert ag.get_agency(ctx, police.id).email == ""  # nothing of the refused save was kept
    other.engine.dispose()


# --- linking names that match no agency ---------------------------------------------------------------

def test_my_neighbour_really_qualifies_once_linked(ctx):
    """EXAMPLE-2 (received 07/04/2026): 'My neighbour' (happened 05/01, reported 06/01/2026) fails only
    because the name matches no agency; the other incidents: Kent Police 02/09/2025 is too old,
    Clarion 21/11/2025 counts."""
    rules = ctx.settings().threshold
    facts = IncidentFacts(key=1, occurred_on=date(2026, 1, 5), reported_on=date(2026, 1, 6),
                          reported_to="My neighbour")
    unmatched = judge_incident(facts, date(2026, 4, 7), rules)
    assert not unmatched.qualifies and unmatched.reasons == (
        "reported to 'My neighbour', which is not matched to an agency yet",)
    assert judge_incident(replace(facts, relevant_body=True), date(2026, 4, 7), rules).qualifies


def test_linking_an_unmatched_name_as_an_alias_makes_the_incident_count(ctx):
    ids = _import_public(ctx)
    assert case_summary(ctx, ids["EXAMPLE-2"]).qualifying_incidents == 1
    assert ag.unmatched_reported_to(ctx) == [("My neighbour", 1)]
    with ctx.unit_of_work() as s:
        version_before = s.get(Case, ids["EXAMPLE-2"]).version
    twbc = _id(ctx, "Tunbridge Wells Borough Council")

    result = ag.link_name_to_agency(ctx, "My neighbour", twbc)

    assert (result.incidents_linked, result.cases_linked, result.cases_changed) == (1, 1, 1)
    assert result.changes.case_ids == {ids["EXAMPLE-2"]} and result.changes.touches(Part.LIST, Part.AGENCIES)
    summary = case_summary(ctx, ids["EXAMPLE-2"])
    assert summary.qualifying_incidents == 2 and not summary.threshold_met
    assert _stored_counts(ctx)["EXAMPLE-2"] == 2
    assert ag.unmatched_reported_to(ctx) == []
    assert "My neighbour" in ag.get_agency(ctx, twbc).alias_names
    with ctx.unit_of_work() as s:
        case = s.get(Case, ids["EXAMPLE-2"])
        assert case.version == version_before  # the officer's own data on the case did not change
        trail = s.scalars(select(AuditEntry).where(AuditEntry.case_id == case.id,
                                                   AuditEntry.action == "agency directory")).one()
        assert trail.fields == "incidents.agency_id,qualifying_incidents"
    # An officer who opened the case before can still save it.
    wf.update_case_details(ctx, ids["EXAMPLE-2"], version_before, {"impact": "Afraid to go out at night."})


def test_link_one_incident_then_future_applications_match_the_alias(ctx):
    ids = _import_public(ctx)
    other = create_application(ctx, application("2026-11-02", items=incidents(
        ("2026-10-01", "2026-10-02"), to="my  NEIGHBOUR")))
    twbc = _id(ctx, "Tunbridge Wells Borough Council")
    with ctx.unit_of_work() as s:
        incident_id = s.scalar(select(Incident.id).where(Incident.case_id == ids["EXAMPLE-2"],
                                                         Incident.reported_to == "My neighbour"))

    ag.link_incident_to_agency(ctx, incident_id, twbc)  # this one incident only
    assert case_summary(ctx, ids["EXAMPLE-2"]).qualifying_incidents == 2
    assert case_summary(ctx, other.id).qualifying_incidents == 0
    assert ag.unmatched_reported_to(ctx) == [("my NEIGHBOUR", 1)]

    ag.link_incident_to_agency(ctx, incident_id, twbc, add_alias=True)  # now as another name too
    assert case_summary(ctx, other.id).qualifying_incidents == 1
    with ctx.unit_of_work() as s:
        assert s.get(Case, other.id).qualifying_incidents == 1
    assert ag.unmatched_reported_to(ctx) == []
    later = create_application(ctx, application("2026-11-03", items=incidents(
        ("2026-10-01", "2026-10-02"), to="MY NEIGHBOUR")))
    assert later.unmatched_agencies == ()


def test_an_incident_linked_elsewhere_or_an_inactive_agency_is_refused(ctx):
    created = create_application(ctx, application("2026-11-02"))
    police, kfrs = _id(ctx, "Kent Police"), _id(ctx, "Kent Fire and Rescue Service")
    with ctx.unit_of_work() as s:
        incident_id = s.scalar(select(Incident.id).where(Incident.case_id == created.id).limit(1))
    with pytest.raises(ValidationFailed, match="already linked to another agency"):
        ag.link_incident_to_agency(ctx, incident_id, kfrs)
    ag.deactivate_agency(ctx, kfrs, ag.get_agency(ctx, kfrs).version)
    with pytest.raises(ValidationFailed, match="inactive"):
        ag.link_name_to_agency(ctx, "Fire brigade", kfrs)
    with pytest.raises(ValidationFailed, match="already another name for Kent Police"):
        ag.link_name_to_agency(ctx, "kent constabulary", _id(ctx, "Clarion Housing"))
    ag.link_incident_to_agency(ctx, incident_id, police)  # already linked there: nothing to do


def test_saving_a_new_alias_links_and_recounts_in_one_save(ctx):
    ids = _import_public(ctx)
    twbc = ag.get_agency(ctx, _id(ctx, "Tunbridge Wells Borough Council"))
    ag.save_agency(ctx, twbc.id, twbc.version,
                   replace(twbc.as_input(), aliases=twbc.alias_names + ("MY NEIGHBOUR",)))
    assert case_summary(ctx, ids["EXAMPLE-2"]).qualifying_incidents == 2
    assert _stored_counts(ctx)["EXAMPLE-2"] == 2


def test_unmatched_names_are_grouped_ignoring_case_and_spacing(ctx):
    create_application(ctx, application("2026-11-02", items=incidents(
        ("2026-10-01", "2026-10-02"), ("2026-10-03", "2026-10-04"), to="Parish  clerk")))
    create_application(ctx, application("2026-11-02", items=incidents(("2026-10-01", "2026-10-02"),
                                                                      to="parish clerk")))
    assert ag.unmatched_reported_to(ctx) == [("Parish clerk", 3)]
    made = ag.save_agency(ctx, None, None, ag.AgencyInput("Pembury Parish Council", "other partner", True,
                                                          aliases=("Parish clerk",)))
    assert ag.unmatched_reported_to(ctx) == []
    with ctx.unit_of_work() as s:
        assert sorted(s.scalars(select(Case.qualifying_incidents))) == [1, 2]
    assert made.alias_names == ("Parish clerk",)


# --- relevance and deactivation -------------------------------------------------------------------

def test_making_an_agency_not_relevant_lowers_counts_in_the_same_save(ctx):
    ids = _import_public(ctx)
    assert _counts(ctx) == {"EXAMPLE-1": 3, "EXAMPLE-2": 1, "EXAMPLE-3": 3}
    police = ag.get_agency(ctx, _id(ctx, "Kent Police"))
    ag.save_agency(ctx, police.id, police.version, replace(police.as_input(), relevant_body=False))
    assert _counts(ctx) == _stored_counts(ctx) == {"EXAMPLE-1": 1, "EXAMPLE-2": 1, "EXAMPLE-3": 0}
    assert not case_summary(ctx, ids["EXAMPLE-1"]).threshold_met
    with ctx.unit_of_work() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "agency")).one()
        assert (entry.fields, entry.reason) == ("relevant_body", "3 case(s) re-assessed")
        moved = s.scalars(select(AuditEntry.case_id).where(AuditEntry.action == "agency directory")).all()
        assert sorted(moved) == sorted([ids["EXAMPLE-1"], ids["EXAMPLE-3"]])
    police = ag.get_agency(ctx, police.id)
    ag.save_agency(ctx, police.id, police.version, replace(police.as_input(), relevant_body=True))
    assert _stored_counts(ctx) == {"EXAMPLE-1": 3, "EXAMPLE-2": 1, "EXAMPLE-3": 3}


def test_re_assessment_uses_a_fixed_number_of_queries_whatever_the_number_of_cases(ctx):
    def statements_for_relevance_change(cases: int) -> int:
        for _ in range(cases):
            create_application(ctx, application("2026-11-02"))
        police = ag.get_agency(ctx, _id(ctx, "Kent Police"))
        seen: list[str] = []

        def count(_conn, _cursor, statement, *_args) -> None:
            seen.append(statement)

        event.listen(ctx.engine, "before_cursor_execute", count)
        try:
            ag.save_agency(ctx, police.id, police.version,
                           replace(police.as_input(), relevant_body=not police.relevant_body))
        finally:
            event.remove(ctx.engine, "before_cursor_execute", count)
        return len(seen)

    few = statements_for_relevance_change(3)
    many = statements_for_relevance_change(40)  # 43 cases now
    assert many == few
    with ctx.unit_of_work() as s:
        assert set(s.scalars(select(Case.qualifying_incidents))) == {3}  # off, then on again


def test_an_inactive_agency_is_not_offered_for_matching_but_keeps_its_cases(ctx):
    kept = create_application(ctx, application("2026-11-02", items=incidents(("2026-10-01", "2026-10-02"),
                                                                            to="KFRS")))
    kfrs = ag.get_agency(ctx, _id(ctx, "Kent Fire and Rescue Service"))
    off = ag.deactivate_agency(ctx, kfrs.id, kfrs.version)
    assert not off.active and off.version == kfrs.version + 1
    directory = ag.AgencyDirectory(ag.list_agencies(ctx))
    assert directory.match("KFRS") is None and "Kent Fire and Rescue Service" not in directory.names()
    later = create_application(ctx, application("2026-11-02", items=incidents(("2026-10-01", "2026-10-02"),
                                                                             to="kfrs")))
    assert later.unmatched_agencies == ("kfrs",)
    with ctx.unit_of_work() as s:
        assert s.scalar(select(Incident.agency_id).where(Incident.case_id == kept.id)) == kfrs.id
    with pytest.raises(ValidationFailed, match=r"inactive"):
        ag.save_agency(ctx, None, None, ag.AgencyInput("Fire service", aliases=("KFRS",)))
    on = ag.reactivate_agency(ctx, kfrs.id, off.version)
    assert on.active and ag.unmatched_reported_to(ctx) == []  # linked again on its return


# --- the shared server -----------------------------------------------------------------------------------

@pytest.fixture
def pg(pg_ctx) -> Iterator[ServiceContext]:
    """pg_ctx empties the case tables after each test; the directory is put back here as well."""
    yield pg_ctx
    with pg_ctx.engine.begin() as conn:
        conn.execute(text("TRUNCATE agencies, agency_aliases, agency_contacts RESTART IDENTITY CASCADE"))
    with pg_ctx.unit_of_work() as s:
        ag.seed_default_agencies(s)


@pytest.mark.postgres
def test_pg_second_save_is_refused_naming_who(pg, pg_url):
    other = make_context(pg_url, actor="officer.two")
    police = ag.get_agency(pg, _id(pg, "Kent Police"))
    ag.save_agency(other, police.id, police.version, replace(police.as_input(), phone="101"))
    with pytest.raises(Conflict) as refused:
        ag.save_agency(pg, police.id, police.version, replace(police.as_input(), relevant_body=False))
    assert refused.value.changed_by == "officer.two"
    other.engine.dispose()
    assert ag.get_agency(pg, police.id).relevant_body


@pytest.mark.postgres
def test_pg_linking_and_relevance_move_the_counts(pg):
    ids = _import_public(pg)
    twbc = _id(pg, "Tunbridge Wells Borough Council")
    assert ag.link_name_to_agency(pg, "My neighbour", twbc).cases_changed == 1
    assert case_summary(pg, ids["EXAMPLE-2"]).qualifying_incidents == 2 == _stored_counts(pg)["EXAMPLE-2"]
    police = ag.get_agency(pg, _id(pg, "Kent Police"))
    ag.save_agency(pg, police.id, police.version, replace(police.as_input(), relevant_body=False))
    assert _counts(pg) == _stored_counts(pg) == {"EXAMPLE-1": 1, "EXAMPLE-2": 2, "EXAMPLE-3": 0}
    with pg.unit_of_work() as s:
        assert s.scalar(select(Agency.version).where(Agency.id == police.id)) == police.version + 1


@pytest.mark.postgres
def test_pg_two_officers_adding_the_same_name_at_once_get_one_agency(pg, pg_url):
    contexts = [make_context(pg_url, actor=f"officer.{n}") for n in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def work(ctx: ServiceContext, name: str) -> None:
        barrier.wait()
        try:
            ag.save_agency(ctx, None, None, ag.AgencyInput(name, "other partner"))
            outcomes.append("saved")
        except ValidationFailed:
            outcomes.append("refused")

    threads = [threading.Thread(target=work, args=(c, n)) for c, n in
               zip(contexts, ("Pembury Parish Council", "PEMBURY parish council"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in contexts:
        c.engine.dispose()
    assert sorted(outcomes) == ["refused", "saved"]
    assert sum("pembury" in a.name.lower() for a in ag.list_agencies(pg)) == 1
