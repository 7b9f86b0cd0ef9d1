"""The intake form's typed text to an ApplicationData, with problems keyed by the form's own fields.

The form hands over plain strings (what the officer typed), so nothing typed is ever lost: a value
that cannot be read becomes a problem next to its field, and the text stays in the form.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.application import (ApplicationData, Channel, IncidentData, OnBehalfData,
                                    PerpetratorData, PersonData, Problem, check_application)
from app.domain.dates import parse_occurred, parse_uk_or_iso

PERSON_FIELDS = ("title", "first_name", "last_name", "organisation", "address", "postcode", "phone",
                 "email", "preferred_contact", "date_of_birth", "accessibility_needs")
INCIDENT_FIELDS = ("happened", "reported_on", "reported_to", "reported_by", "contact_name",
                   "agency_reference", "how_reported", "location", "description")


@dataclass(frozen=True)
class FormResult:
    data: ApplicationData | None
    problems: tuple[Problem, ...]


def _text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    return value.strip() if isinstance(value, str) else ""


def _opt(payload: dict[str, Any], key: str) -> str | None:
    return _text(payload, key) or None


def parse_received(text: str) -> datetime:
    """'dd/mm/yyyy' or 'dd/mm/yyyy hh:mm'."""
    text = " ".join(text.split())
    if " " in text:
        day_text, time_text = text.split(" ", 1)
        day = parse_uk_or_iso(day_text)
        try:
            hours, minutes = (int(x) for x in time_text.split(":"))
            return datetime(day.year, day.month, day.day, hours, minutes)
        except ValueError:
            raise ValueError(f"'{time_text}' is not a time: use hh:mm") from None
    day = parse_uk_or_iso(text)
    return datetime(day.year, day.month, day.day)


def _person(payload: dict[str, Any], prefix: str, problems: list[Problem]) -> PersonData:
    get = lambda name: _opt(payload, f"{prefix}.{name}")  # noqa: E731 - local shorthand
    dob = None
    if get("date_of_birth"):
        try:
            dob = parse_uk_or_iso(get("date_of_birth") or "")
        except ValueError as exc:
            problems.append(Problem(f"{prefix}.date_of_birth", str(exc)))
    address = tuple(line.strip() for line in (get("address") or "").splitlines() if line.strip())
    return PersonData(title=get("title"), first_name=get("first_name"), last_name=get("last_name"),
                      organisation=get("organisation"), address_lines=address,
                      postcode=(get("postcode") or "").upper() or None, phone=get("phone"),
                      email=get("email"), preferred_contact=get("preferred_contact"), date_of_birth=dob,
                      accessibility_needs=get("accessibility_needs"))


def _incident(row: dict[str, Any], n: int, problems: list[Problem]) -> IncidentData:
    where = f"incidents[{n}]"
    exact = start = end = reported = None
    try:
        exact, start, end = parse_occurred(_text(row, "happened"))
    except ValueError as exc:
        problems.append(Problem(f"{where}.happened", str(exc)))
    if _text(row, "reported_on"):
        try:
            reported = parse_uk_or_iso(_text(row, "reported_on"))
        except ValueError as exc:
            problems.append(Problem(f"{where}.reported_on", str(exc)))
    return IncidentData(occurred_on=exact, occurred_from=start, occurred_to=end, reported_on=reported,
                        reported_to=_text(row, "reported_to"), reported_by=_opt(row, "reported_by"),
                        contact_name=_opt(row, "contact_name"), agency_reference=_opt(row, "agency_reference"),
                        how_reported=_opt(row, "how_reported"), location=_opt(row, "location"),
                        description=_opt(row, "description"), same_problem=row.get("same_problem", True) is not False)


def incidents_from_rows(rows: list[dict[str, Any]]) -> tuple[list[IncidentData], list[Problem]]:
    """Rows that are entirely empty are ignored (a fresh row the officer has not typed into)."""
    problems: list[Problem] = []
    items = [_incident(row, n, problems) for n, row in enumerate(rows)
             if any(_text(row, k) for k in INCIDENT_FIELDS)]
    return items, problems


def application_from_form(payload: dict[str, Any], now: datetime) -> FormResult:
    problems: list[Problem] = []
    received: datetime | None = None
    if not _text(payload, "received_at"):
        problems.append(Problem("received_at", "enter the date the application was received"))
    else:
        try:
            received = parse_received(_text(payload, "received_at"))
        except ValueError as exc:
            problems.append(Problem("received_at", str(exc)))
    try:
        channel = Channel(_text(payload, "channel") or "telephone")
    except ValueError:
        problems.append(Problem("channel", "choose how the application arrived"))
        channel = Channel.TELEPHONE
    applicant = _person(payload, "applicant", problems)
    on_behalf = None
    if payload.get("on_behalf"):
        consent = _text(payload, "victim_consent")
        given_on = None
        if _text(payload, "consent_given_on"):
            try:
                given_on = parse_uk_or_iso(_text(payload, "consent_given_on"))
            except ValueError as exc:
                problems.append(Problem("consent_given_on", str(exc)))
        if not _text(payload, "relationship"):
            problems.append(Problem("relationship", "choose the applicant's relationship to the victim"))
        on_behalf = OnBehalfData(victim=_person(payload, "victim", problems),
                                 relationship=_text(payload, "relationship") or "other",
                                 victim_consent=consent == "yes",
                                 consent_method=_opt(payload, "consent_method") if consent == "yes" else None,
                                 consent_given_on=given_on if consent == "yes" else None)
    if _text(payload, "consent_to_share") not in ("yes", "no"):
        problems.append(Problem("consent_to_share", "read out the consent question and record the answer"))
    incidents, incident_problems = incidents_from_rows(list(payload.get("incidents") or []))
    problems += incident_problems
    perpetrators = tuple(
        PerpetratorData(_opt(p, "name"), _opt(p, "description"), _opt(p, "address"))
        for p in payload.get("perpetrators") or [] if any(_text(p, k) for k in ("name", "description", "address")))
    data = ApplicationData(
        channel=channel, received_at=received or now, applicant=applicant, incidents=tuple(incidents),
        on_behalf_of=on_behalf, consent_to_share=_text(payload, "consent_to_share") == "yes",
        asb_types=tuple(t.strip() for t in _text(payload, "asb_types").split(",") if t.strip()),
        problem_location=_opt(payload, "problem_location"), alleged_perpetrators=perpetrators,
        impact=_opt(payload, "impact"), vulnerability=_opt(payload, "vulnerability"),
        desired_outcome=_opt(payload, "desired_outcome"))
    from app.services.intake.limits import application_limits
    checked = [_form_key(p, payload) for p in [*check_application(data, now), *application_limits(data, now.date())]]
    seen = {p.field for p in problems}
    problems += [p for p in checked if p.field not in seen]
    return FormResult(None if problems else data, tuple(problems))


def _form_key(problem: Problem, payload: dict[str, Any]) -> Problem:
    """check_application names fields as the JSON format does; the form has its own keys."""
    name = problem.field.replace("on_behalf_of.victim.", "victim.").replace("on_behalf_of.", "")
    name = name.replace(".occurred_on", ".happened").replace(".occurred_approx", ".happened")
    if name.endswith("address_lines"):
        name = name.replace("address_lines", "address")
    if name.startswith("incidents["):
        # Problems name incidents by their place among the non-empty rows; map back to the grid row.
        rows = list(payload.get("incidents") or [])
        filled = [n for n, row in enumerate(rows) if any(_text(row, k) for k in INCIDENT_FIELDS)]
        index = int(name[len("incidents["):name.index("]")])
        if index < len(filled):
            name = f"incidents[{filled[index]}]{name[name.index(']') + 1:]}"
    return Problem(name, problem.message)
