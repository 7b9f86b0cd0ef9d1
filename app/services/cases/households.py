"""The community route's inputs: the applications about the same problem (linked cases and cases at
the same problem location), each with its household (an address), read in bulk."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.db.models import Case, CaseLink, Person, ProblemLocation
from app.domain.threshold import Household, household_key
from app.domain.workflow import Status

THIS_APPLICATION = "this application"
_MAX_PEERS = 200  # a location shared by more cases than this is a street, not one problem


def _household(person: Person | None) -> str:
    if person is None:
        return ""
    return household_key(person.address_lines, person.postcode)


def households_for(session: Session, cases: Sequence[Case]) -> dict[int, tuple[Household, ...]]:
    """For each case: itself and every application about the same problem (a fixed number of queries)."""
    if not cases:
        return {}
    ids = [c.id for c in cases]
    group: dict[int, set[int]] = {c.id: {c.id} for c in cases}
    with session.no_autoflush:
        for a, b in session.execute(select(CaseLink.case_id, CaseLink.linked_case_id).where(
                or_(CaseLink.case_id.in_(ids), CaseLink.linked_case_id.in_(ids)))):
            if a in group:
                group[a].add(b)
            if b in group:
                group[b].add(a)
        locations = {c.id: c.problem_location_id for c in cases if c.problem_location_id}
        if locations:
            peers: dict[int | None, list[int]] = defaultdict(list)
            for case_id, location_id in session.execute(
                    select(Case.id, Case.problem_location_id)
                    .where(Case.problem_location_id.in_(set(locations.values()))).order_by(Case.id)):
                peers[location_id].append(case_id)
            for case_id, location_id in locations.items():
                group[case_id].update(peers[location_id][:_MAX_PEERS])
        wanted = set().union(*group.values())
        facts = _facts(session, wanted, {c.id: c for c in cases})
    return {case_id: tuple(facts[i] for i in sorted(members) if i in facts) for case_id, members in group.items()}


def _facts(session: Session, ids: Iterable[int], loaded: dict[int, Case]) -> dict[int, Household]:
    out: dict[int, Household] = {}
    missing = [i for i in ids if i not in loaded]
    rows: list[tuple[int, str, date, str, Person | None, Person | None]] = [
        (c.id, c.reference, c.received_on, c.status, c.applicant, c.victim) for c in loaded.values()]
    if missing:
        applicant, victim = Person.__table__.alias("applicant"), Person.__table__.alias("victim")
        for row in session.execute(
                select(Case.id, Case.reference, Case.received_on, Case.status,
                       applicant.c.address, applicant.c.postcode, victim.c.address, victim.c.postcode,
                       Case.victim_id)
                .join(applicant, applicant.c.id == Case.applicant_id)
                .outerjoin(victim, victim.c.id == Case.victim_id).where(Case.id.in_(missing))):
            person = (Person(address=row[6] or "", postcode=row[7]) if row[8] is not None
                      else Person(address=row[4] or "", postcode=row[5]))
            rows.append((row[0], row[1], row[2], row[3], person, None))
    for case_id, reference, received_on, status, applicant_person, victim_person in rows:
        # The household reporting is the victim's when someone applied for them.
        who = victim_person or applicant_person
        out[case_id] = Household(case_id, reference, _household(who), received_on,
                                 accepted=status != Status.NOT_ACCEPTED)
    return out


def preview_households(session: Session, *, problem_location: str | None, linked_case_ids: Sequence[int],
                       address_lines: Sequence[str], postcode: str | None,
                       received_on: date) -> tuple[Household, ...]:
    """The same inputs for an application still being typed, so the form's panel and the saved case agree."""
    ids: set[int] = set(linked_case_ids)
    key = " ".join((problem_location or "").casefold().split())
    if key:
        location = session.scalar(select(ProblemLocation.id).where(ProblemLocation.search_key == key).limit(1))
        if location is not None:
            ids.update(session.scalars(select(Case.id).where(Case.problem_location_id == location)
                                       .order_by(Case.id).limit(_MAX_PEERS)))
    # Links go both ways: cases linked to a linked case are not pulled in (as for a saved case).
    own = Household(THIS_APPLICATION, THIS_APPLICATION, household_key(address_lines, postcode), received_on)
    others = _facts(session, ids, {}) if ids else {}
    return (own, *(others[i] for i in sorted(others)))
