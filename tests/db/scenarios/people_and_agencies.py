"""Scenarios: settings and users, the agency directory, and agency work on a case."""
from __future__ import annotations

from datetime import date


from app.services.agencies import directory as ag
from app.services.cases import agency_requests as work
from app.services.cases.case_list import CaseQuery
from tests.db.helpers import incidents
from tests.db.letter_cases import decided
from tests.db.scenarios import scenario
from tests.db.scenarios.builders import _case, _version, _acknowledged, _agency, _request, _incident


# --- admin ---------------------------------------------------------------------------------------------

@scenario("admin.named_settings.set_settings")
def _(ctx, tmp):
    from app.services.admin.named_settings import set_settings
    _case(ctx)
    return lambda: set_settings(ctx, ["clock.acknowledgement=6"])


@scenario("admin.settings.mark_set_up")
def _(ctx, tmp):
    from app.services.admin.settings import mark_set_up
    return lambda: mark_set_up(ctx)


@scenario("admin.settings.save_council_details")
def _(ctx, tmp):
    from app.services.admin.settings import save_council_details
    from tests.db.letter_cases import COUNCIL
    return lambda: save_council_details(ctx, dict(COUNCIL))


@scenario("admin.settings.save_deadlines")
def _(ctx, tmp):
    from app.services.admin.settings import save_deadlines
    return lambda: save_deadlines(ctx, {"acknowledgement": 6}, [date(2026, 12, 24)])


# --- the agency directory ---------------------------------------------------------------------------------

@scenario("agencies.directory.deactivate_agency")
def _(ctx, tmp):
    agency = ag.get_agency(ctx, _agency(ctx, "Kent Fire and Rescue Service"))
    return lambda: ag.deactivate_agency(ctx, agency.id, agency.version)


@scenario("agencies.directory.reactivate_agency")
def _(ctx, tmp):
    agency = ag.get_agency(ctx, _agency(ctx, "Kent Fire and Rescue Service"))
    off = ag.deactivate_agency(ctx, agency.id, agency.version)
    return lambda: ag.reactivate_agency(ctx, agency.id, off.version)


@scenario("agencies.directory.save_agency")
def _(ctx, tmp):
    return lambda: ag.save_agency(ctx, None, None, ag.AgencyInput(name="Southborough Town Council",
                                                                  kind="other partner"))


@scenario("agencies.directory.set_agency_details")
def _(ctx, tmp):
    return lambda: ag.set_agency_details(ctx, "Kent Police", postcode="TN1 2LU")


@scenario("agencies.links.link_incident_to_agency")
def _(ctx, tmp):
    case_id = _case(ctx, items=incidents(("2026-10-01", "2026-10-02"), to="My neighbour"))
    incident = _incident(ctx, case_id)
    council = _agency(ctx, "Tunbridge Wells Borough Council")
    return lambda: ag.link_incident_to_agency(ctx, incident.id, council)


@scenario("agencies.links.link_name_to_agency")
def _(ctx, tmp):
    _case(ctx, items=incidents(("2026-10-01", "2026-10-02"), to="My neighbour"))
    council = _agency(ctx, "Tunbridge Wells Borough Council")
    return lambda: ag.link_name_to_agency(ctx, "My neighbour", council)


# --- agency work on a case -----------------------------------------------------------------------------

@scenario("cases.agency_requests.add_agency_action")
def _(ctx, tmp):
    case_id = _case(ctx)
    police = _agency(ctx, "Kent Police")
    return lambda: work.add_agency_action(ctx, case_id, agency_id=police, action_on=date(2026, 11, 5),
                                          description="Warning letter delivered")


@scenario("cases.agency_requests.add_note")
def _(ctx, tmp):
    case_id = _case(ctx)
    return lambda: work.add_note(ctx, case_id, "Rang the applicant back")


@scenario("cases.agency_requests.chase_request")
def _(ctx, tmp):
    _case_id, request_id = _request(ctx)
    return lambda: work.chase_request(ctx, request_id, chased_on=date(2026, 11, 19), new_due=date(2026, 11, 26))


@scenario("cases.agency_requests.import_agency_return")
def _(ctx, tmp):
    case_id, _version = _acknowledged(ctx)
    path = tmp / "return.csv"
    path.write_text(work.return_template_csv() + "20/10/2026,Clarion Housing,Warning letter sent,CH/77\n"
                    "14/10/2026,kent police,Officer visited,Log 123\n")
    return lambda: work.import_agency_return(ctx, case_id, path)


@scenario("cases.agency_requests.mark_unconfirmed")
def _(ctx, tmp):
    incident = _incident(ctx, _case(ctx))
    work.record_confirmation(ctx, incident.id, found=True, reported_on=incident.reported_on)
    return lambda: work.mark_unconfirmed(ctx, incident.id, reason="The police log is about another address")


@scenario("cases.agency_requests.record_confirmation")
def _(ctx, tmp):
    incident = _incident(ctx, _case(ctx))
    return lambda: work.record_confirmation(ctx, incident.id, found=True, reported_on=incident.reported_on)


@scenario("cases.agency_requests.record_request_answered")
def _(ctx, tmp):
    _case_id, request_id = _request(ctx)
    return lambda: work.record_request_answered(ctx, request_id, answered_on=date(2026, 11, 10))


@scenario("cases.agency_requests.send_confirmation_requests")
def _(ctx, tmp):
    case_id, version = _acknowledged(ctx)
    return lambda: work.send_confirmation_requests(ctx, case_id, version, sent_on=date(2026, 11, 4))


@scenario("cases.agency_requests.send_information_requests")
def _(ctx, tmp):
    case_id = decided(ctx, met=True)
    return lambda: work.send_information_requests(ctx, case_id, _version(ctx, case_id), sent_on=date(2026, 11, 21))


@scenario("cases.agency_requests.update_incident")
def _(ctx, tmp):
    incident = _incident(ctx, _case(ctx))
    return lambda: work.update_incident(ctx, incident.id, incident.version, same_problem=False,
                                        reason="A different neighbour's party")


@scenario("cases.case_list.record_export")
def _(ctx, tmp):
    from app.services.cases.case_list import record_export
    return lambda: record_export(ctx, 1, CaseQuery())
