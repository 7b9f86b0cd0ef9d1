"""Taking applications: from a form (telephone, post) or from files in the application JSON format."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Case, CasePerpetrator, Incident, Perpetrator, Person, ProblemLocation
from app.domain.application import ApplicationData, PerpetratorData, PersonData, Problem, check_application
from app.domain.workflow import Status
from app.interchange import ParsedApplication, read_application_file
from app.services.common import audit
from app.domain.application import IncidentData
from app.domain.evaluation import ThresholdInputs, evaluate
from app.domain.settings import Settings
from app.domain.threshold import Household, IncidentFacts, ThresholdResult
from app.services.cases.households import preview_households
from app.services.agencies.matching import AgencyDirectory, AgencyMatcher
from app.services.cases.facts import refresh_summary
from app.domain.roles import Permission
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import DuplicateRecord, ValidationFailed
from app.services.common.ops import NOTHING, Changes, Part, Progress, in_batches
from app.services.intake.limits import application_limits
from app.services.cases.references import next_reference


@dataclass(frozen=True)
class CreatedCase:
    id: int
    reference: str
    source_reference: str | None
    status: str
    version: int
    waiting_for: tuple[str, ...]
    unmatched_agencies: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    already_saved: bool = False  # the same submission had been saved before: this is that case

    @property
    def changes(self) -> Changes:
        return Changes.new_cases([self.id], Part.LETTERS, Part.DRAFTS)


@dataclass(frozen=True)
class ImportReport:
    created: tuple[CreatedCase, ...] = ()
    already_imported: tuple[tuple[str, str], ...] = ()  # (source ref, case ref)
    invalid: tuple[tuple[str, Problem], ...] = ()  # (label, problem)
    to_create: tuple[str, ...] = ()  # for a preview
    not_started: tuple[str, ...] = ()  # the applications left when the import was stopped (labels)

    @property
    def ok(self) -> bool:
        return not self.invalid

    @property
    def cancelled(self) -> bool:
        return bool(self.not_started)

    @property
    def changes(self) -> Changes:
        return Changes.new_cases([c.id for c in self.created], Part.LETTERS) if self.created else NOTHING


def person_search_key(name: str | None, postcode: str | None, phone: str | None) -> str:
    parts = [(name or "").casefold().strip(), (postcode or "").replace(" ", "").casefold(),
             "".join(ch for ch in (phone or "") if ch.isdigit())]
    return "|".join(parts)


def _person(data: PersonData, actor: str) -> Person:
    surname = data.last_name or data.organisation
    return Person(title=data.title, first_name=data.first_name, last_name=data.last_name,
                  organisation=data.organisation, address="\n".join(data.address_lines),
                  postcode=(data.postcode or "").upper() or None, phone=data.phone, email=data.email,
                  preferred_contact=data.preferred_contact, date_of_birth=data.date_of_birth,
                  accessibility_needs=data.accessibility_needs,
                  search_key=person_search_key(surname, data.postcode, data.phone), updated_by=actor)


def _location(session: Session, text: str | None) -> ProblemLocation | None:
    if not text:
        return None
    key = " ".join(text.casefold().split())
    found = session.scalar(select(ProblemLocation).where(ProblemLocation.search_key == key).limit(1))
    return found or ProblemLocation(description=text, search_key=key)


def _add_case(session: Session, ctx: ServiceContext, data: ApplicationData, matcher: AgencyMatcher,
              officer: str | None, submission_id: str | None = None) -> CreatedCase:
    settings = ctx.settings()
    now = ctx.now()
    applicant = _person(data.applicant, ctx.actor)
    session.add(applicant)
    victim = None
    ob = data.on_behalf_of
    if ob is not None:
        victim = _person(ob.victim, ctx.actor)
        session.add(victim)
    waiting = data.waiting_for
    case = Case(
        reference=next_reference(session, data.received_on.year, settings.council.reference_prefix),
        source_reference=data.source_reference, submission_id=submission_id, channel=data.channel.value,
        received_at=data.received_at, received_on=data.received_on,
        status=(Status.AWAITING_CONSENT if waiting else Status.RECEIVED).value,
        applicant=applicant, victim=victim,
        relationship_to_victim=ob.relationship if ob else None,
        victim_consent=ob.victim_consent if ob else None,
        victim_consent_method=ob.consent_method if ob and ob.victim_consent else None,
        victim_consent_given_on=ob.consent_given_on if ob and ob.victim_consent else None,
        consent_to_share=data.consent_to_share, consent_recorded_by=ctx.actor,
        consent_recorded_at=now, asb_types=", ".join(data.asb_types),
        problem_location=_location(session, data.problem_location), impact=data.impact,
        vulnerability=data.vulnerability, desired_outcome=data.desired_outcome,
        officer=officer, created_by=ctx.actor, updated_by=ctx.actor,
        victim_tenure=data.victim_tenure, victim_landlord_id=_landlord(matcher, data))
    unmatched: list[str] = []
    for position, item in enumerate(data.incidents):
        agency = matcher.match(item.reported_to)
        if agency is None:
            unmatched.append(item.reported_to or "(no organisation given)")
        case.incidents.append(Incident(
            position=position, occurred_on=item.occurred_on, occurred_from=item.occurred_from,
            occurred_to=item.occurred_to, reported_on=item.reported_on, reported_to=item.reported_to,
            agency_id=agency.id if agency else None, reported_by=item.reported_by,
            contact_name=item.contact_name, agency_reference=item.agency_reference,
            how_reported=item.how_reported, location=item.location, description=item.description,
            same_problem=item.same_problem, hate_incident=item.hate_incident, updated_by=ctx.actor))
    session.add(case)
    session.flush()
    for perp in data.alleged_perpetrators:
        session.add(CasePerpetrator(case_id=case.id, perpetrator_id=_perpetrator(session, perp, ctx.actor).id))
    refresh_summary(session, case, settings, ctx.calendar())
    audit.record(session, ctx, "create", "case", case.id, case_id=case.id,
                 reason=f"application received by {data.channel.label.lower()}")
    session.flush()
    return CreatedCase(case.id, case.reference, case.source_reference, case.status, case.version, waiting,
                       tuple(unmatched))


def _landlord(matcher: AgencyMatcher, data: ApplicationData) -> int | None:
    """The registered provider the victim rents from, when named and in the directory."""
    if data.victim_tenure != "registered_provider" or not data.victim_landlord:
        return None
    agency = matcher.match(data.victim_landlord)
    return agency.id if agency is not None and agency.kind.casefold() == "registered provider of social housing" \
        else None


def _perpetrator(session: Session, data: PerpetratorData, actor: str) -> Perpetrator:
    """Reuse a known person (same name or description at the same address) so cases link up."""
    key_name = (data.name or "").casefold().strip()
    key_address = (data.address or "").casefold().strip()
    if key_name or key_address:
        for existing in session.scalars(select(Perpetrator).where(
                Perpetrator.name == data.name if data.name else Perpetrator.name.is_(None))):
            if (existing.address or "").casefold().strip() == key_address and (
                    key_name or (existing.description or "").casefold() == (data.description or "").casefold()):
                return existing
    perp = Perpetrator(name=data.name, description=data.description, address=data.address, updated_by=actor)
    session.add(perp)
    session.flush()
    return perp


def create_application(ctx: ServiceContext, data: ApplicationData, officer: str | None = None, *,
                       submission_id: str | None = None) -> CreatedCase:
    """Save one application typed into the form. Raises ValidationFailed, saving nothing.

    `submission_id` is made by the form when it opens. Saving the same submission again (after a
    failure whose outcome was unknown, or a second click) returns the case saved the first time,
    marked `already_saved`, instead of making a duplicate; two saves racing each other meet the
    database's unique index, and the loser returns the winner's case.
    """
    ctx.require(Permission.CHANGE_CASES)
    submission_id = _checked_submission(submission_id)
    problems = check_application(data, ctx.now()) + application_limits(data)
    if problems:
        raise ValidationFailed(problems)
    try:
        with ctx.unit_of_work() as session:
            if submission_id is not None:
                earlier = _by_submission(session, submission_id)
                if earlier is not None:
                    return earlier
            if data.source_reference and _existing(session, [data.source_reference]):
                raise ValidationFailed([Problem("source_reference",
                                                f"{data.source_reference} has already been imported")])
            return _add_case(session, ctx, data, AgencyMatcher(session), officer or ctx.actor, submission_id)
    except DuplicateRecord:
        earlier = find_submission(ctx, submission_id) if submission_id is not None else None
        if earlier is None:
            raise
        return earlier


def _checked_submission(submission_id: str | None) -> str | None:
    if submission_id is None:
        return None
    text = str(submission_id).strip()
    if not text or len(text) > 36 or not all(c.isalnum() or c == "-" for c in text):
        raise ValidationFailed([Problem("submission_id", "is not a submission id made by the form")])
    return text


@retry_read
def find_submission(ctx: ServiceContext, submission_id: str) -> CreatedCase | None:
    """The case saved from this submission, or None: what the form asks after an ambiguous failure."""
    ctx.require(Permission.VIEW)
    submission_id = _checked_submission(submission_id) or ""
    with ctx.reading() as session:
        return _by_submission(session, submission_id)


def _by_submission(session: Session, submission_id: str) -> CreatedCase | None:
    case = session.scalar(select(Case).where(Case.submission_id == submission_id))
    if case is None:
        return None
    waiting = []
    if case.status == Status.AWAITING_CONSENT:
        if case.victim_id is not None and not case.victim_consent:
            waiting.append("the victim's consent to apply on their behalf")
        if not case.consent_to_share:
            waiting.append("consent to share details with the other agencies")
    unmatched = tuple(i.reported_to or "(no organisation given)" for i in case.incidents if i.agency_id is None)
    return CreatedCase(case.id, case.reference, case.source_reference, case.status, case.version, tuple(waiting),
                       unmatched, already_saved=True)


@dataclass(frozen=True)
class Scan:
    """A scanned letter or form to keep with the new case, read from the user's file on save."""
    path: Path
    title: str | None = None


def save_application(ctx: ServiceContext, data: ApplicationData, *, scans: Sequence[Scan] = (),
                     linked_cases: Sequence[int] = (), acknowledge: bool = False,
                     draft_ids: Sequence[int] = (), officer: str | None = None,
                     submission_id: str | None = None) -> CreatedCase:
    """The officer's Save: the case, its scans, its links to earlier cases, the acknowledgement put
    on the list to send and the autosaved draft removed, in one transaction: all of it or none.

    A scan that cannot be kept (wrong type, too big, unreadable) refuses the whole save, saying
    which, so the officer can remove it and save again with nothing half-saved. Saved again with
    the same `submission_id`, it returns the first case (with its scans, links and letter, which
    were saved with it in the same transaction) and adds nothing.
    """
    from app.services.intake import support
    ctx.require(Permission.CHANGE_CASES)
    try:
        return _save_application(ctx, data, support, scans, linked_cases, acknowledge, draft_ids, officer,
                                 submission_id)
    except DuplicateRecord:  # the same submission saved at the same moment by another attempt
        earlier = find_submission(ctx, submission_id) if submission_id is not None else None
        if earlier is None:
            raise
        return earlier


def _save_application(ctx: ServiceContext, data: ApplicationData, support: Any, scans: Sequence[Scan],
                      linked_cases: Sequence[int], acknowledge: bool, draft_ids: Sequence[int], officer: str | None,
                      submission_id: str | None) -> CreatedCase:
    with ctx.unit_of_work():
        created = create_application(ctx, data, officer, submission_id=submission_id)
        if created.already_saved:
            return created
        for scan in scans:
            support.attach_document(ctx, created.id, scan.path, scan.title)
        for other in linked_cases:
            support.link_cases(ctx, created.id, other, "repeat application")
        if acknowledge:
            support.queue_letter(ctx, created.id, "acknowledgement")
        for draft_id in draft_ids:
            support.discard_draft(ctx, draft_id)
        return created


def _existing(session: Session, refs: Iterable[str | None]) -> dict[str, str]:
    wanted = [r for r in refs if r]
    if not wanted:
        return {}
    return {source: reference for source, reference in session.execute(
        select(Case.source_reference, Case.reference).where(Case.source_reference.in_(wanted))) if source}


def parse_files(ctx: ServiceContext, paths: Sequence[Path]) -> list[ParsedApplication]:
    ctx.require(Permission.VIEW)
    now = ctx.now()
    parsed: list[ParsedApplication] = []
    for path in paths:
        parsed.extend(read_application_file(Path(path), now))
    return parsed


BATCH = 25  # applications per unit of work: a commit each would cost a disk flush (a round trip on a server) apiece


def import_applications(ctx: ServiceContext, paths: Sequence[Path], *, dry_run: bool = False,
                        progress: Progress | None = None, batch: int | None = None) -> ImportReport:
    """Validate every application first; if any is invalid import nothing. Otherwise the applications go
    in `batch` at a time (default BATCH), each batch one unit of work, so a stop (`progress` cancelled)
    leaves each application imported whole or not started, and importing the same files again adds
    only those not started (recognised by their source reference)."""
    ctx.require(Permission.VIEW if dry_run else Permission.CHANGE_CASES)
    parsed = parse_files(ctx, paths)
    invalid: list[tuple[str, Problem]] = []
    for item in parsed:
        # The same limits as the form, before anything is written or "would be created" is said.
        for problem in (*item.problems, *(application_limits(item.data, ctx.today()) if item.data else ())):
            invalid.append((item.label, problem))
    if invalid:
        return ImportReport(invalid=tuple(invalid))
    with ctx.reading() as session:
        existing = _existing(session, [p.data.source_reference for p in parsed if p.data])
    seen: set[str] = set()
    already: list[tuple[str, str]] = []
    new: list[tuple[str, ApplicationData]] = []
    for item in parsed:
        if item.data is None:
            continue
        ref = item.data.source_reference
        if ref and ref in existing:
            already.append((ref, existing[ref]))
        elif ref and ref in seen:
            already.append((ref, "(earlier in this import)"))
        else:
            if ref:
                seen.add(ref)
            new.append((item.label, item.data))
    labels = tuple(label for label, _data in new)
    if dry_run:
        return ImportReport(already_imported=tuple(already), to_create=labels)
    files = ", ".join(Path(p).name for p in paths)
    created: list[CreatedCase] = []
    for some in in_batches(new, batch or BATCH, progress, "applications imported"):
        with ctx.unit_of_work() as session:
            matcher = AgencyMatcher(session)
            made = [_add_case(session, ctx, data, matcher, None) for _label, data in some]
            audit.record(session, ctx, "import", "case", None,
                         reason=f"{len(made)} applications from {files}")
        created += made
    return ImportReport(created=tuple(created), already_imported=tuple(already), to_create=labels,
                        not_started=labels[len(created):])


def preview_threshold(incidents: Sequence[IncidentData], received_on: date, directory: AgencyDirectory,
                      settings: Settings, households: tuple[Household, ...] | None = None) -> ThresholdResult:
    """The live indicator while an application is typed: the same evaluation as a saved case (the
    hate flags, the same-problem flags, the rules in force on the date received, the households)."""
    facts = []
    for n, item in enumerate(incidents):
        agency = directory.match(item.reported_to)
        facts.append(IncidentFacts(
            key=n, occurred_on=item.occurred_on, reported_on=item.reported_on,
            reported_to=agency.name if agency else item.reported_to,
            relevant_body=agency.relevant_body if agency else None, same_problem=item.same_problem,
            occurred_from=item.occurred_from, occurred_to=item.occurred_to, hate_incident=item.hate_incident))
    return evaluate(ThresholdInputs(received_on, tuple(facts), households), settings.rule_history)


def form_households(ctx: ServiceContext, *, problem_location: str | None, linked_case_ids: Sequence[int],
                    address_lines: Sequence[str], postcode: str | None, received_on: date) -> tuple[Household, ...] | None:
    """The applications about the same problem, for the live panel; None when the community route is
    not in force on that date (nothing to read)."""
    ctx.require(Permission.VIEW)
    if not ctx.settings().rules_on(received_on).community_route:
        return None
    with ctx.reading() as session:
        return preview_households(session, problem_location=problem_location, linked_case_ids=linked_case_ids,
                                  address_lines=address_lines, postcode=postcode, received_on=received_on)
