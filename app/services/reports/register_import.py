"""Importing the council's historical register (a CSV, one case a row) as closed or in-progress cases.

Everything is checked first; if any row is wrong nothing is imported and every problem names its
row (as a spreadsheet numbers it: the header is row 1) and its column. The rows are then imported
a batch at a time, each batch whole; stopped part-way, the import says which rows were not started,
and the same file imported again adds just those.

References: the register's reference is always kept as the case's `source_reference`, which is how
a second import of the same row is recognised (it creates nothing new and says so). It also
becomes the case reference when it fits (20 characters) and no other case already uses it; a
register reference in the app's own form (CT-2019-0004) moves that year's counter past it, so
new cases never reuse it. Otherwise the case gets a new reference and the register's is kept as
its source reference.

What the register cannot say is recorded as such: the panel meeting, the review and the
placeholder recommendations (against the council itself) say "Recorded in the historical
register", so that the statutory figures count them as a hand count of the register would.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import (Agency, Case, CaseReview, PanelMeeting, Person, Recommendation, ReferenceCounter,
                           SecondaryReview)
from app.domain.application import Problem
from app.domain.roles import Permission
from app.domain.clocks import CaseClockFacts, next_due, running_clocks
from app.domain.calendar import WorkingCalendar
from app.domain.clocks import ClockSettings
from app.domain.settings import Settings
from app.domain.workflow import Status
from app.services.common import audit
from app.services.common.context import ServiceContext
from app.services.common.ops import NOTHING, Changes, Part, Progress, in_batches, listed
from app.services.common.errors import ValidationFailed
from app.services.intake.applications import person_search_key
from app.services.cases.references import format_reference, reserve_numbers
from app.services.reports.register_rows import COLUMNS, RegisterProblem, RegisterRow, read_rows

__all__ = ["COLUMNS", "RegisterImport", "RegisterProblem", "import_register"]

RECORDED = "Recorded in the historical register"
MEETING_PLACE = "Historical register (meeting details not recorded)"
REFERENCE_LENGTH = 20


@dataclass(frozen=True)
class RegisterImport:
    created: tuple[tuple[str, str], ...] = ()  # (register reference, case reference)
    already_imported: tuple[tuple[str, str], ...] = ()  # (register reference, case reference)
    problems: tuple[RegisterProblem, ...] = ()
    to_create: tuple[str, ...] = ()  # register references, for a dry run
    not_started: tuple[str, ...] = ()  # register references left when the import was stopped
    changes: Changes = NOTHING

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def cancelled(self) -> bool:
        return bool(self.not_started)

    def summary(self) -> str:
        if self.problems:
            return (f"Nothing imported: {len({p.row for p in self.problems})} row(s) have problems. Correct "
                    "them and import the file again.")
        parts = [f"{len(self.created)} case(s) imported from the register"]
        if self.already_imported:
            parts.append(f"{len(self.already_imported)} already imported earlier (nothing new created for them)")
        if self.not_started:
            parts.append(f"stopped before {len(self.not_started)} row(s), not started: "
                         f"{listed(self.not_started)} (import the file again to add them: the rows "
                         "already imported are recognised)")
        return "; ".join(parts) + "."


MAX_FILE_BYTES = 20 * 1024 * 1024
BATCH = 200  # rows per transaction: each batch is imported whole or not started


def import_register(ctx: ServiceContext, path: Path, *, dry_run: bool = False, progress: Progress | None = None,
                    batch: int | None = None) -> RegisterImport:
    """Check the whole file; import nothing if any row is wrong, otherwise every row, a batch at a time.

    Each batch of rows (`batch`, default BATCH) is one unit of work, so stopping (`progress` cancelled) leaves every row
    imported whole or not started; the report names those not started, and importing the file
    again adds only them (a row already imported is recognised by its register reference).
    """
    ctx.require(Permission.VIEW if dry_run else Permission.CHANGE_CASES)
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return RegisterImport(problems=(RegisterProblem(0, "file", f"cannot be read: {exc.strerror}"),))
    if len(raw) > MAX_FILE_BYTES:
        return RegisterImport(problems=(RegisterProblem(0, "file", f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} "
                                                                   "MB, the most a register file may hold: split it"),))
    rows, problems = read_rows(_decode(raw), ctx.today())
    if problems:
        return RegisterImport(problems=tuple(problems))
    settings, calendar = ctx.settings(), ctx.calendar()
    with ctx.reading() as session:
        existing = dict(session.execute(select(Case.source_reference, Case.reference)
                                        .where(Case.source_reference.in_([r.reference for r in rows]))).all())
    already = tuple((row.reference, existing[row.reference]) for row in rows if row.reference in existing)
    new_rows = [row for row in rows if row.reference not in existing]
    if dry_run or not new_rows:
        return RegisterImport(already_imported=already, to_create=tuple(r.reference for r in new_rows))
    created: list[tuple[str, str]] = []
    case_ids: list[int] = []
    for rows_now in in_batches(new_rows, batch or BATCH, progress, "rows imported"):
        with ctx.unit_of_work() as session:
            made = _import_rows(session, ctx, rows_now, settings, calendar, Path(path).name)
        created += [(row.reference, case.reference) for row, case in made]
        case_ids += [case.id for _row, case in made]
    changes = (Changes.new_cases(case_ids, Part.MEETINGS, Part.REPORTS) if case_ids else NOTHING)
    return RegisterImport(created=tuple(created), already_imported=already,
                          to_create=tuple(r.reference for r in new_rows),
                          not_started=tuple(r.reference for r in new_rows[len(created):]), changes=changes)


def _import_rows(session: Session, ctx: ServiceContext, rows: Sequence[RegisterRow], settings: Settings,
                 calendar: WorkingCalendar, file_name: str) -> list[tuple[RegisterRow, Case]]:
    """One batch of rows as cases, with their reviews and audit entries, in the caller's unit of work."""
    agency_id = _council_agency(session)
    references = _references(session, list(rows), settings.council.reference_prefix)
    meetings = _meetings(session, {r.panel_held_on for r in rows if r.panel_held_on}, ctx.actor)
    # Written table by table, so that each flush inserts a whole batch (a flush per row is slow).
    cases = [(row, _case(row, references[row.reference], ctx, calendar, settings.clocks)) for row in rows]
    session.add_all(case for _, case in cases)
    session.flush()
    _review_rows(session, cases, meetings, agency_id, ctx.actor)
    for row, case in cases:
        audit.record(session, ctx, "create", "case", case.id, case_id=case.id,
                     reason=f"imported from the historical register (row {row.row})")
    audit.record(session, ctx, "import", "case", None,
                 reason=f"{len(cases)} cases from the historical register {file_name}")
    return cases


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without the mark Excel adds), else Windows-1252 as older spreadsheets save it."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _council_agency(session: Session) -> int:
    """The council itself holds the placeholder recommendations (the register does not say whose)."""
    found = session.scalar(select(Agency.id).where(Agency.active.is_(True))
                           .order_by((Agency.kind != "council"), Agency.id).limit(1))
    if found is None:
        raise ValidationFailed([Problem("agency", "the agency directory has no active agency to hold the "
                                                  "register's recommendations; add the council first")])
    return int(found)


def _references(session: Session, rows: list[RegisterRow], prefix: str) -> dict[str, str]:
    """The register's reference where it fits and is free; otherwise a new one for the year received."""
    wanted = [r.reference for r in rows if len(r.reference) <= REFERENCE_LENGTH]
    taken = set(session.scalars(select(Case.reference).where(Case.reference.in_(wanted)))) if wanted else set()
    pattern = re.compile(rf"{re.escape(prefix)}-(\d{{4}})-(\d{{4,}})")
    out: dict[str, str] = {}
    fresh: list[RegisterRow] = []
    for row in rows:
        if len(row.reference) <= REFERENCE_LENGTH and row.reference not in taken:
            out[row.reference] = row.reference
            taken.add(row.reference)
            if match := pattern.fullmatch(row.reference):
                _counter_past(session, int(match.group(1)), int(match.group(2)))
        else:
            fresh.append(row)
    session.flush()
    for row in fresh:
        year = row.received_on.year
        while True:  # a new number could still equal a kept register reference
            reference = format_reference(prefix, year, reserve_numbers(session, year))
            if reference not in taken:
                break
        taken.add(reference)
        out[row.reference] = reference
    return out


def _counter_past(session: Session, year: int, number: int) -> None:
    counter = session.get(ReferenceCounter, year)
    if counter is None:
        session.add(ReferenceCounter(year=year, last_number=number))
    elif counter.last_number < number:
        counter.last_number = number


def _meetings(session: Session, days: set[date], actor: str) -> dict[date, int]:
    """One placeholder meeting per date held, shared with earlier imports of the register."""
    found = dict(session.execute(select(PanelMeeting.held_on, PanelMeeting.id)
                                 .where(PanelMeeting.place == MEETING_PLACE, PanelMeeting.held_on.in_(days))).all())
    new = {day: PanelMeeting(starts_at=datetime.combine(day, time(10)), place=MEETING_PLACE,
                             state="minutes_approved", held_on=day, updated_by=actor)
           for day in sorted(days - set(found))}
    session.add_all(new.values())
    session.flush()
    meetings: dict[date, int] = {day: meeting_id for day, meeting_id in found.items() if day is not None}
    meetings.update((day, meeting.id) for day, meeting in new.items())
    return meetings


def _status(row: RegisterRow) -> Status:
    """The state the latest step recorded leaves the case in."""
    if row.closed_on:
        return Status.CLOSED
    if row.secondary_review_outcome:
        return Status.SECONDARY_REVIEW_COMPLETED
    if row.secondary_review_requested_on:
        return Status.SECONDARY_REVIEW_REQUESTED
    if row.threshold_met is False:
        return Status.THRESHOLD_NOT_MET
    if row.outcome_sent_on:
        return Status.OUTCOME_SENT
    if row.panel_held_on:
        return Status.REVIEWED
    if row.threshold_met:
        return Status.THRESHOLD_MET
    return Status.RECEIVED


def _person(row: RegisterRow, actor: str) -> Person:
    name = row.applicant
    surname = name.last_name or name.organisation
    return Person(title=name.title, first_name=name.first_name, last_name=name.last_name,
                  organisation=name.organisation, postcode=row.postcode,
                  search_key=person_search_key(surname, row.postcode, None), updated_by=actor)


def _case(row: RegisterRow, reference: str, ctx: ServiceContext, calendar: WorkingCalendar,
          clocks: ClockSettings) -> Case:
    status = _status(row)
    met = row.threshold_met
    decision_letter = row.outcome_sent_on if met is False else None
    outcome = row.outcome_sent_on if met else None
    first = next_due(running_clocks(CaseClockFacts(
        status=status, received_on=row.received_on, threshold_decided_on=row.threshold_decided_on,
        threshold_met=met, panel_completed_on=row.panel_held_on, outcome_sent_on=outcome,
        decision_letter_sent_on=decision_letter, secondary_review_requested_on=row.secondary_review_requested_on),
        calendar, clocks))
    return Case(
        reference=reference, source_reference=row.reference, channel=row.channel,
        received_at=datetime.combine(row.received_on, time(9)), received_on=row.received_on,
        status=status.value, applicant=_person(row, ctx.actor), consent_to_share=True,
        consent_recorded_by=RECORDED, asb_types="", threshold_met=met,
        threshold_decided_on=row.threshold_decided_on,
        threshold_decided_by=RECORDED if row.threshold_decided_on else None,
        threshold_reason=RECORDED if row.threshold_decided_on else None,
        threshold_not_met_action=RECORDED if met is False else None,
        decision_letter_sent_on=decision_letter, panel_completed_on=row.panel_held_on, outcome_sent_on=outcome,
        closed_on=row.closed_on, next_due_on=first.due if first else None,
        next_clock=first.clock.value if first else None, qualifying_incidents=0,
        created_by=ctx.actor, updated_by=ctx.actor)


def _review_rows(session: Session, cases: list[tuple[RegisterRow, Case]], meetings: dict[date, int],
                 agency_id: int, actor: str) -> None:
    reviews = []
    for row, case in cases:
        if row.panel_held_on:
            reviews.append((row, case, CaseReview(meeting_id=meetings[row.panel_held_on], case_id=case.id,
                                                  decision=RECORDED, completes_review=True, updated_by=actor)))
        if row.secondary_review_requested_on:
            session.add(SecondaryReview(case_id=case.id, requested_on=row.secondary_review_requested_on,
                                        grounds=RECORDED, outcome=row.secondary_review_outcome, updated_by=actor))
    session.add_all(review for _, _, review in reviews)
    session.flush()
    for row, case, review in reviews:
        closed = row.closed_on is not None
        for _ in range(row.recommendations):
            session.add(Recommendation(
                case_id=case.id, review_id=review.id, agency_id=agency_id, action=RECORDED,
                status="completed" if closed else "open", updated_by=actor,
                response=("The case was closed in the historical register; the agency's response was not "
                          "recorded.") if closed else None))
    session.flush()
