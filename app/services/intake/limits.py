"""Input limits in one place: each field's longest value comes from the model's column, checked by every route.

The form, the import and `import --dry-run` all call `application_limits`, so a value the database
would refuse (PostgreSQL: "value too long for type character varying(120)", naming no field) is
refused first, naming the field. A free-text column has no length in the database; it is held to
TEXT_LIMIT characters here. NUL characters (PostgreSQL cannot store them) and unpaired surrogates
(not text at all) are refused wherever they appear, and dates must lie in a range the app can count
with (the Community Trigger began on 20 October 2014).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Column

from app.db.models import Case, Incident, Perpetrator, Person, ProblemLocation
from app.domain.application import ApplicationData, IncidentData, PersonData, Problem

TEXT_LIMIT = 20_000  # characters in one free-text field (an impact statement of about 3,000 words)
EARLIEST = date(1900, 1, 1)  # for any date (a date of birth)
COMMENCEMENT = date(2014, 10, 20)  # the Community Trigger came into force: nothing is received before it
LATEST_AHEAD = timedelta(days=366)  # no date in an application is more than a year ahead


def limit(column: Any) -> int:
    """The most characters the database column holds (free text: TEXT_LIMIT)."""
    col: Column = column.property.columns[0] if hasattr(column, "property") else column
    return getattr(col.type, "length", None) or TEXT_LIMIT


_PERSON = {"title": Person.title, "first_name": Person.first_name, "last_name": Person.last_name,
           "organisation": Person.organisation, "postcode": Person.postcode, "phone": Person.phone,
           "email": Person.email, "preferred_contact": Person.preferred_contact,
           "accessibility_needs": Person.accessibility_needs}
_INCIDENT = {"reported_to": Incident.reported_to, "reported_by": Incident.reported_by,
             "contact_name": Incident.contact_name, "agency_reference": Incident.agency_reference,
             "how_reported": Incident.how_reported, "location": Incident.location,
             "description": Incident.description}
_PERPETRATOR = {"name": Perpetrator.name, "description": Perpetrator.description, "address": Perpetrator.address}


def text_problem(where: str, value: str | None, most: int) -> Problem | None:
    """What is wrong with one text value: too long, a NUL, an unpaired surrogate; None if nothing."""
    if value is None:
        return None
    if not isinstance(value, str):
        return Problem(where, "should be text")
    if "\x00" in value:
        return Problem(where, "holds a NUL character (\\0), which cannot be stored: remove it")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        return Problem(where, "holds a broken character (an unpaired surrogate), which cannot be stored: retype it")
    if len(value) > most:
        return Problem(where, f"is too long: at most {most:,} characters (it has {len(value):,})")
    return None


def _texts(app: ApplicationData) -> Iterator[tuple[str, str | None, int]]:
    def person(prefix: str, p: PersonData) -> Iterator[tuple[str, str | None, int]]:
        for name, column in _PERSON.items():
            yield f"{prefix}.{name}", getattr(p, name), limit(column)
        for n, line in enumerate(p.address_lines):
            yield f"{prefix}.address_lines[{n}]", line, TEXT_LIMIT
        yield f"{prefix}.address_lines", "\n".join(p.address_lines), limit(Person.address)

    yield from person("applicant", app.applicant)
    if app.on_behalf_of is not None:
        yield from person("on_behalf_of.victim", app.on_behalf_of.victim)
        yield "on_behalf_of.relationship", app.on_behalf_of.relationship, limit(Case.relationship_to_victim)
        yield "on_behalf_of.consent_method", app.on_behalf_of.consent_method, limit(Case.victim_consent_method)
    yield "source_reference", app.source_reference, limit(Case.source_reference)
    yield "problem_location", app.problem_location, limit(ProblemLocation.description)
    for name in ("impact", "vulnerability", "desired_outcome"):
        yield name, getattr(app, name), limit(getattr(Case, name))
    yield "asb_types", ", ".join(app.asb_types), limit(Case.asb_types)
    for n, incident in enumerate(app.incidents):
        for name, column in _INCIDENT.items():
            yield f"incidents[{n}].{name}", getattr(incident, name), limit(column)
    for n, perp in enumerate(app.alleged_perpetrators):
        for name, column in _PERPETRATOR.items():
            yield f"alleged_perpetrators[{n}].{name}", getattr(perp, name), limit(column)


def _dates(app: ApplicationData) -> Iterator[tuple[str, date | None]]:
    yield "applicant.date_of_birth", app.applicant.date_of_birth
    if app.on_behalf_of is not None:
        yield "on_behalf_of.victim.date_of_birth", app.on_behalf_of.victim.date_of_birth
        yield "on_behalf_of.consent_given_on", app.on_behalf_of.consent_given_on
    for n, i in enumerate(app.incidents):
        yield from _incident_dates(f"incidents[{n}]", i)


def _incident_dates(where: str, i: IncidentData) -> Iterator[tuple[str, date | None]]:
    yield f"{where}.occurred_on", i.occurred_on
    yield f"{where}.occurred_approx", i.occurred_from
    yield f"{where}.occurred_approx", i.occurred_to
    yield f"{where}.reported_on", i.reported_on


def application_limits(app: ApplicationData, today: date | None = None) -> list[Problem]:
    """Every value too long, unstorable or out of range, named by its field (as application-format.md names them)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for where, value, most in _texts(app):
        problem = text_problem(where, value, most)
        if problem is not None and where not in seen:
            seen.add(where)
            problems.append(problem)
    latest = (today or app.received_on) + LATEST_AHEAD
    if app.received_on < COMMENCEMENT:
        problems.append(Problem("received_at", f"{app.received_on:%d/%m/%Y} is before the Community Trigger came "
                                               "into force (20/10/2014)"))
    for where, day in _dates(app):
        if day is not None and not EARLIEST <= day <= latest and where not in seen:
            seen.add(where)
            problems.append(Problem(where, f"{day:%d/%m/%Y} is not a date this application could hold"))
    return problems
