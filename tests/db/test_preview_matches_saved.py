"""The form's live threshold panel and the saved case never disagree: whatever the officer types (hate
flags, same-problem ticks, approximate dates, unmatched organisations) and whatever rules the council
has set, the preview and the saved case give the same count, the same verdicts and the same routes."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.domain.application import PersonData
from app.services.admin.named_settings import set_settings
from app.services.agencies.directory import list_agencies
from app.services.agencies.matching import AgencyDirectory
from app.services.cases.case_page import load_case
from app.services.intake.applications import create_application, form_households, preview_threshold
from app.services.intake.form_input import incidents_from_rows
from tests.conftest import make_context
from tests.db.helpers import application

ORGANISATIONS = ("Kent Police", "Clarion Housing", "Kent Fire and Rescue Service", "My neighbour", "kent police")
HOMES = ("1 Example Road", "3 Example Road", "5 Example Road", "7 Example Road")


@st.composite
def rules(draw) -> list[str]:
    return [f"threshold.incidents={draw(st.integers(1, 3))}",
            f"threshold.period_months={draw(st.integers(6, 12))}",
            f"threshold.report_within_months={draw(st.integers(1, 2))}",
            f"threshold.hate_route={draw(st.sampled_from(['on', 'off']))}",
            f"threshold.hate_incidents={draw(st.integers(1, 3))}",
            f"threshold.hate_period_months={draw(st.integers(1, 12))}",
            f"threshold.hate_total_incidents={draw(st.integers(1, 3))}",
            f"threshold.community_route={draw(st.sampled_from(['on', 'off']))}",
            f"threshold.community_households={draw(st.integers(2, 4))}"]


# One typed incident, relative to the date received: (days before, days until reported, typed as a month
# only, organisation, same problem, hate incident).
INCIDENT = st.tuples(st.integers(0, 240), st.integers(0, 45), st.booleans(), st.sampled_from(ORGANISATIONS),
                     st.booleans(), st.booleans())


def typed_rows(received: date, incidents: list[tuple]) -> list[dict]:
    rows = []
    for before, delay, month_only, organisation, same, hate in incidents:
        occurred = received - timedelta(days=before)
        reported = occurred + timedelta(days=delay)
        happened = f"{occurred:%m/%Y}" if month_only else f"{occurred:%d/%m/%Y}"
        if month_only:  # reported after the month it happened in, as the form requires
            reported = max(reported, occurred.replace(day=28) + timedelta(days=4))
        rows.append({"happened": happened, "reported_on": f"{reported:%d/%m/%Y}", "reported_to": organisation,
                     "description": "Noise", "same_problem": same, "hate_incident": hate})
    return rows


HATE_ROUTE = ["threshold.incidents=3", "threshold.period_months=6", "threshold.report_within_months=1",
              "threshold.hate_route=on", "threshold.hate_incidents=1", "threshold.hate_period_months=3",
              "threshold.hate_total_incidents=1", "threshold.community_route=off", "threshold.community_households=5"]


def test_preview_and_saved_case_agree(sqlite_url):
    ctx = make_context(sqlite_url)
    directory = AgencyDirectory(list_agencies(ctx))

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rules=rules(), received=st.dates(date(2026, 1, 1), date(2026, 11, 25)), home=st.sampled_from(HOMES),
           incidents=st.lists(INCIDENT, min_size=1, max_size=5))
    # Below the number, met by one hate incident (the form once ignored the hate flag).
    @example(rules=HATE_ROUTE, received=date(2026, 6, 1), home=HOMES[0],
             incidents=[(20, 1, False, "Kent Police", True, True), (30, 2, False, "Kent Police", True, False)])
    # Not the same problem, approximate, unmatched and not a relevant body, with the community route on.
    @example(rules=[*HATE_ROUTE[:7], "threshold.community_route=on", "threshold.community_households=2"],
             received=date(2026, 6, 2), home=HOMES[1],
             incidents=[(10, 1, False, "Kent Police", False, True), (40, 3, True, "Clarion Housing", True, False),
                        (15, 1, False, "My neighbour", True, True),
                        (12, 1, False, "Kent Fire and Rescue Service", True, False)])
    def check(rules, received, home, incidents) -> None:
        set_settings(ctx, rules, effective_from=date(2025, 1, 1))
        rows = typed_rows(received, incidents)
        items, problems = incidents_from_rows(rows)
        assert problems == []
        applicant = PersonData(title="Ms", first_name="Asha", last_name="Patel", address_lines=(home,),
                               postcode="TN1 1AA", preferred_contact="letter")
        app = replace(application(received.isoformat(), applicant=applicant), incidents=tuple(items))
        households = form_households(ctx, problem_location=app.problem_location, linked_case_ids=[],
                                     address_lines=applicant.address_lines, postcode=applicant.postcode,
                                     received_on=received)
        preview = preview_threshold(items, received, directory, ctx.settings(), households)
        saved = load_case(ctx, create_application(ctx, app).id, record_view=False)
        assert (preview.qualifying_incidents, preview.met, preview.routes) == (
            saved.qualifying_incidents, saved.threshold_met_indicator, saved.routes)
        assert [(v.qualifies, v.reason) for v in preview.verdicts] == [(i.qualifies, i.reason) for i in saved.incidents]
        assert preview.households_counted == sum(1 for _r, counted, _w in saved.households if counted)

    check()
    ctx.engine.dispose()
