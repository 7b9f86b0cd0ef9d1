"""Panel meetings: planning, the agenda, attendance, the review record of each case, and holding it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import (Agency, Case, CaseReview, Finding, PanelAttendee, PanelMeeting, Person,
                           Recommendation)
from app.domain.application import Problem
from app.domain.workflow import Status, check_transition
from app.services.common import audit
from app.services.cases.facts import refresh_summary
from app.services.common.concurrency import apply_changes, load_for_change
from app.domain.roles import Permission
from app.services.common.context import ServiceContext, retry_read
from app.services.common.ops import NOTHING, Changes, Part, Saved
from app.services.common.errors import NotFound, ValidationFailed
from app.services.panels.victim import victim_part_problems, victim_ticks

ROLES = ("chair", "agency representative", "independent member", "note taker")
ATTENDANCE = ("invited", "attended", "apologies")
READY_FOR_PANEL = (Status.THRESHOLD_MET, Status.INFORMATION_GATHERING, Status.PANEL_SCHEDULED,
                   Status.REVIEWED, Status.SECONDARY_REVIEW_COMPLETED)
MEETING_STATES = ("planned", "held", "minutes_approved")


@dataclass(frozen=True)
class MeetingSummary:
    id: int
    starts_at: datetime
    place: str
    chair: str
    state: str
    cases: tuple[str, ...]
    version: int


@dataclass(frozen=True)
class FindingInput:
    text: str
    rationale: str = ""
    key_finding: bool = False


@dataclass(frozen=True)
class RecommendationInput:
    agency_id: int
    action: str
    due_on: date | None
    rationale: str = ""


@dataclass(frozen=True)
class ReviewInput:
    victim_invited: bool = False
    victim_attended: bool = False
    victim_part: str = ""  # one of VICTIM_PARTS; the invited/attended ticks follow from it
    victim_part_reason: str = ""  # why the victim was not invited
    impact_statement: str = ""
    reasonable_adjustments: str = ""
    information_considered: str = ""
    decision: str = ""
    completes_review: bool = True
    findings: tuple[FindingInput, ...] = ()
    recommendations: tuple[RecommendationInput, ...] = ()


@dataclass(frozen=True)
class AgendaItem:
    review_id: int
    case_id: int
    reference: str
    applicant: str
    status: str
    findings: tuple[tuple[str, str], ...]
    recommendations: tuple[tuple[str, str, date | None, str], ...]  # agency, action, due, rationale
    victim_invited: bool
    victim_attended: bool
    impact_statement: str
    information_considered: str
    decision: str
    completes_review: bool
    version: int
    victim_part: str = ""
    victim_part_reason: str = ""
    draft_shared_on: date | None = None
    victim_comments: str = ""
    victim_comments_on: date | None = None


@dataclass(frozen=True)
class AttendeeView:
    id: int
    name: str
    agency: str | None
    role: str
    attendance: str
    conflict_reference: str | None


@dataclass(frozen=True)
class MeetingDetail:
    id: int
    version: int
    starts_at: datetime
    place: str | None
    online_link: str | None
    chair: str | None
    state: str
    held_on: date | None
    agenda: tuple[AgendaItem, ...]
    attendees: tuple[AttendeeView, ...] = field(default=())
    chair_independent: bool | None = None
    chair_independence_note: str = ""


def _require(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems)


@retry_read
def list_meetings(ctx: ServiceContext) -> list[MeetingSummary]:
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        refs: dict[int, list[str]] = {}
        for meeting_id, reference in session.execute(
                select(CaseReview.meeting_id, Case.reference).join(Case, Case.id == CaseReview.case_id)
                .order_by(Case.reference)):
            refs.setdefault(meeting_id, []).append(reference)
        return [MeetingSummary(m.id, m.starts_at, m.place or m.online_link or "", m.chair or "", m.state,
                               tuple(refs.get(m.id, ())), m.version)
                for m in session.scalars(select(PanelMeeting).order_by(PanelMeeting.starts_at.desc()))]


def save_meeting(ctx: ServiceContext, meeting_id: int | None, expected_version: int | None, *,
                 starts_at: datetime, place: str = "", online_link: str = "", chair: str = "",
                 chair_independent: bool | None = None, chair_independence_note: str = "") -> Saved:
    """Plan or change a meeting. Whether the chair is independent of the agencies whose response is
    reviewed is recorded (and, when not, why this chair); `None` leaves it unrecorded for now."""
    ctx.require(Permission.MANAGE_PANELS)
    problems = [] if place.strip() or online_link.strip() else [Problem("place", "give the place, or an online link")]
    if chair_independent is False and not chair_independence_note.strip():
        problems.append(Problem("chair_independence_note", "say how the chair is connected to the agencies "
                                "involved, and why they chair this meeting"))
    _require(problems)
    with ctx.unit_of_work() as session:
        values = {"starts_at": starts_at, "place": place.strip() or None, "online_link": online_link.strip() or None,
                  "chair": chair.strip() or None, "chair_independent": chair_independent,
                  "chair_independence_note": chair_independence_note.strip() or None}
        if meeting_id is None:
            meeting = PanelMeeting(state="planned", updated_by=ctx.actor, **values)
            session.add(meeting)
            session.flush()
            audit.record(session, ctx, "create", "panel meeting", meeting.id)
            return Saved(meeting.id, _meeting_changed(session, meeting.id), meeting.version)
        meeting = load_for_change(session, PanelMeeting, meeting_id, expected_version or 0, "This meeting")
        changes = apply_changes(meeting, values, ctx.actor)
        audit.record(session, ctx, "change", "panel meeting", meeting.id, changes=changes)
        session.flush()
        return Saved(meeting.id, _meeting_changed(session, meeting.id), meeting.version)


@retry_read
def cases_ready_for_panel(ctx: ServiceContext) -> list[tuple[int, str, str, str]]:
    """Cases whose threshold is met and that are not yet reviewed: (id, reference, applicant, status)."""
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        rows = session.execute(select(Case.id, Case.reference, Person, Case.status)
                               .join(Person, Person.id == Case.applicant_id)
                               .where(Case.status.in_([Status.THRESHOLD_MET, Status.INFORMATION_GATHERING,
                                                       Status.SECONDARY_REVIEW_COMPLETED]))
                               .order_by(Case.received_on)).all()
        return [(cid, ref, person.display_name, status) for cid, ref, person, status in rows]


def add_case(ctx: ServiceContext, meeting_id: int, case_id: int) -> Changes:
    """Put a case on the agenda; the case is then 'panel scheduled'."""
    ctx.require(Permission.MANAGE_PANELS)
    with ctx.unit_of_work() as session:
        meeting = _meeting(session, meeting_id)
        if meeting.state != "planned":
            raise ValidationFailed([Problem("meeting", "cases can only be added to a planned meeting")])
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("That case no longer exists.")
        if session.scalar(select(CaseReview.id).where(CaseReview.meeting_id == meeting_id,
                                                      CaseReview.case_id == case_id)):
            return NOTHING
        changes = {}
        if case.status != Status.PANEL_SCHEDULED:
            check_transition(Status(case.status), Status.PANEL_SCHEDULED)
            changes = apply_changes(case, {"status": Status.PANEL_SCHEDULED.value}, ctx.actor)
        session.add(CaseReview(meeting_id=meeting_id, case_id=case_id, completes_review=True, updated_by=ctx.actor))
        refresh_summary(session, case, ctx.settings(), ctx.calendar())
        audit.record(session, ctx, "panel scheduled", "case", case.id, case_id=case.id, changes=changes,
                     reason=f"meeting {meeting_id}")
        return Changes.of_case(case.id) | Changes.of(Part.MEETINGS, meetings=[meeting_id])


def remove_case(ctx: ServiceContext, meeting_id: int, case_id: int) -> Changes:
    ctx.require(Permission.MANAGE_PANELS)
    with ctx.unit_of_work() as session:
        meeting = _meeting(session, meeting_id)
        if meeting.state != "planned":
            raise ValidationFailed([Problem("meeting", "the agenda of a held meeting cannot change")])
        review = session.scalar(select(CaseReview).where(CaseReview.meeting_id == meeting_id,
                                                         CaseReview.case_id == case_id))
        if review is None:
            return NOTHING
        session.delete(review)
        case = session.get(Case, case_id)
        assert case is not None
        session.flush()
        other = session.scalar(select(CaseReview.id).where(CaseReview.case_id == case_id))
        if other is None and case.status == Status.PANEL_SCHEDULED:
            apply_changes(case, {"status": Status.INFORMATION_GATHERING.value}, ctx.actor)
        refresh_summary(session, case, ctx.settings(), ctx.calendar())
        audit.record(session, ctx, "removed from panel", "case", case_id, case_id=case_id)
        return Changes.of_case(case_id) | Changes.of(Part.MEETINGS, meetings=[meeting_id])


def add_attendee(ctx: ServiceContext, meeting_id: int, *, name: str, role: str, agency_id: int | None = None,
                 attendance: str = "invited", conflict_case_id: int | None = None,
                 for_case_id: int | None = None) -> Saved:
    """A member of the panel; `for_case_id` when they attend for one item of the agenda only."""
    ctx.require(Permission.MANAGE_PANELS)
    problems = []
    if not name.strip():
        problems.append(Problem("name", "give the member's name"))
    if role not in ROLES:
        problems.append(Problem("role", f"choose one of {', '.join(ROLES)}"))
    if attendance not in ATTENDANCE:
        problems.append(Problem("attendance", f"choose one of {', '.join(ATTENDANCE)}"))
    _require(problems)
    with ctx.unit_of_work() as session:
        meeting = _meeting(session, meeting_id)
        if role == "chair":  # one chair per meeting
            chair = session.scalar(select(PanelAttendee.name).where(PanelAttendee.meeting_id == meeting.id,
                                                                    PanelAttendee.role == "chair"))
            if chair is not None:
                raise ValidationFailed([Problem("role", f"{chair} is already the chair of this meeting; "
                                                "a meeting has one chair")])
        attendee = PanelAttendee(meeting_id=meeting.id, name=name.strip(), role=role, agency_id=agency_id,
                                 attendance=attendance, conflict_case_id=conflict_case_id,
                                 for_case_id=for_case_id)
        session.add(attendee)
        if role == "chair" and not meeting.chair:
            meeting.chair = name.strip()
        session.flush()
        audit.record(session, ctx, "attendee", "panel meeting", meeting.id)
        return Saved(attendee.id, Changes.of(Part.MEETINGS, meetings=[meeting.id]))


def set_attendance(ctx: ServiceContext, attendee_id: int, attendance: str,
                   conflict_case_id: int | None = None) -> Changes:
    ctx.require(Permission.MANAGE_PANELS)
    _require([] if attendance in ATTENDANCE else [Problem("attendance", f"choose one of {', '.join(ATTENDANCE)}")])
    with ctx.unit_of_work() as session:
        attendee = session.get(PanelAttendee, attendee_id)
        if attendee is None:
            raise NotFound("That member is no longer on the list.")
        attendee.attendance = attendance
        attendee.conflict_case_id = conflict_case_id
        audit.record(session, ctx, "attendance", "panel meeting", attendee.meeting_id)
        return Changes.of(Part.MEETINGS, meetings=[attendee.meeting_id])


def record_review(ctx: ServiceContext, review_id: int, expected_version: int, review: ReviewInput) -> Changes:
    """The panel's record for one case: replaces its findings and the panel's recommendations."""
    ctx.require(Permission.MANAGE_PANELS)
    problems = victim_part_problems(review.victim_part, review.victim_part_reason)
    for n, f in enumerate(review.findings):
        if not f.text.strip():
            problems.append(Problem(f"findings[{n}]", "a finding needs its text"))
    for n, r in enumerate(review.recommendations):
        if not r.action.strip():
            problems.append(Problem(f"recommendations[{n}].action", "say what the agency will do"))
        if r.due_on is None:
            problems.append(Problem(f"recommendations[{n}].due_on", "give the date it is due by"))
    _require(problems)
    with ctx.unit_of_work() as session:
        row = load_for_change(session, CaseReview, review_id, expected_version, "This review record")
        meeting = _meeting(session, row.meeting_id)
        if meeting.state == "minutes_approved":
            raise ValidationFailed([Problem("meeting", "the minutes are approved; the record cannot change")])
        invited, attended = victim_ticks(review.victim_part, review.victim_invited, review.victim_attended)
        changes = apply_changes(row, {
            "victim_invited": invited, "victim_attended": attended,
            "victim_part": review.victim_part or None,
            "victim_part_reason": review.victim_part_reason.strip() if review.victim_part == "not_invited" else None,
            "impact_statement": review.impact_statement.strip() or None,
            "reasonable_adjustments": review.reasonable_adjustments.strip() or None,
            "information_considered": review.information_considered.strip() or None,
            "decision": review.decision.strip() or None, "completes_review": review.completes_review}, ctx.actor)
        for old in session.scalars(select(Finding).where(Finding.review_id == row.id)):
            session.delete(old)
        for old_rec in session.scalars(select(Recommendation).where(Recommendation.review_id == row.id)):
            session.delete(old_rec)
        session.flush()
        for f in review.findings:
            session.add(Finding(review_id=row.id, text=f.text.strip(), rationale=f.rationale.strip() or None,
                                key_finding=f.key_finding))
        for r in review.recommendations:
            session.add(Recommendation(case_id=row.case_id, review_id=row.id, agency_id=r.agency_id,
                                       action=r.action.strip(), rationale=r.rationale.strip() or None,
                                       due_on=r.due_on, updated_by=ctx.actor))
        row.updated_by = ctx.actor  # findings changed even when no column did
        audit.record(session, ctx, "review record", "case", row.case_id, case_id=row.case_id, changes=changes,
                     reason=f"{len(review.findings)} findings, {len(review.recommendations)} recommendations")
        return (Changes.of_case(row.case_id, Part.TIMELINE, Part.RECOMMENDATIONS)
                | Changes.of(Part.MEETINGS, Part.RECOMMENDATIONS, meetings=[meeting.id]))


def mark_held(ctx: ServiceContext, meeting_id: int, expected_version: int, *, held_on: date) -> Changes:
    """Guards: a chair whose independence is recorded, the victim's part and at least one finding for
    every case; completed reviews move to 'reviewed'."""
    ctx.require(Permission.MANAGE_PANELS)
    with ctx.unit_of_work() as session:
        meeting = load_for_change(session, PanelMeeting, meeting_id, expected_version, "This meeting")
        problems = []
        if meeting.state != "planned":
            problems.append(Problem("state", "this meeting has already been marked as held"))
        if not (meeting.chair or "").strip():
            problems.append(Problem("chair", "record the chair's name before marking the meeting held"))
        elif meeting.chair_independent is None:
            problems.append(Problem("chair_independent", "record whether the chair is independent of the "
                                    "agencies involved before marking the meeting held"))
        if held_on > ctx.today():
            problems.append(Problem("held_on", "a meeting cannot be held in the future"))
        if held_on < meeting.starts_at.date():
            problems.append(Problem("held_on", f"the meeting was planned for {meeting.starts_at:%d/%m/%Y}: it "
                                    "cannot have been held before then (change the meeting's date if it moved)"))
        chairs = session.scalar(select(func.count()).select_from(PanelAttendee).where(
            PanelAttendee.meeting_id == meeting_id, PanelAttendee.role == "chair")) or 0
        if chairs > 1:
            problems.append(Problem("chair", f"{chairs} members are recorded as chair: a meeting has one chair"))
        reviews = list(session.scalars(select(CaseReview).where(CaseReview.meeting_id == meeting_id)))
        if not reviews:
            problems.append(Problem("agenda", "there are no cases on the agenda"))
        counts = dict(session.execute(select(Finding.review_id, func.count()).where(
            Finding.review_id.in_([r.id for r in reviews])).group_by(Finding.review_id)).all()) if reviews else {}
        references = dict(session.execute(select(Case.id, Case.reference).where(
            Case.id.in_([r.case_id for r in reviews]))).all()) if reviews else {}
        for r in reviews:
            if not counts.get(r.id):
                problems.append(Problem("findings", f"{references[r.case_id]} has no finding recorded yet"))
            if not r.victim_part:
                problems.append(Problem("victim_part", f"{references[r.case_id]}: record the victim's part (invited "
                                        "and attended, gave an impact statement, declined, or not invited and why)"))
        _require(problems)
        changes = apply_changes(meeting, {"state": "held", "held_on": held_on}, ctx.actor)
        for r in reviews:
            case = session.get(Case, r.case_id)
            assert case is not None
            if r.completes_review:
                check_transition(Status(case.status), Status.REVIEWED)
                apply_changes(case, {"status": Status.REVIEWED.value, "panel_completed_on": held_on}, ctx.actor)
            refresh_summary(session, case, ctx.settings(), ctx.calendar())
            audit.record(session, ctx, "reviewed" if r.completes_review else "panel met", "case", case.id,
                         case_id=case.id, reason=f"panel meeting of {held_on.isoformat()}")
        audit.record(session, ctx, "held", "panel meeting", meeting.id, changes=changes)
        return (Changes.of_cases([r.case_id for r in reviews])
                | Changes.of(Part.MEETINGS, Part.RECOMMENDATIONS, meetings=[meeting.id]))


def approve_minutes(ctx: ServiceContext, meeting_id: int, expected_version: int) -> Changes:
    ctx.require(Permission.APPROVE_FINDINGS)
    with ctx.unit_of_work() as session:
        meeting = load_for_change(session, PanelMeeting, meeting_id, expected_version, "This meeting")
        if meeting.state != "held":
            raise ValidationFailed([Problem("state", "minutes are approved after the meeting is held")])
        changes = apply_changes(meeting, {"state": "minutes_approved"}, ctx.actor)
        audit.record(session, ctx, "minutes approved", "panel meeting", meeting.id, changes=changes)
        return Changes.of(Part.MEETINGS, meetings=[meeting.id])


@retry_read
def meeting_detail(ctx: ServiceContext, meeting_id: int) -> MeetingDetail:
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        meeting = _meeting(session, meeting_id)
        agencies = dict(session.execute(select(Agency.id, Agency.name)).all())
        reviews = list(session.scalars(select(CaseReview).where(CaseReview.meeting_id == meeting_id)))
        review_ids = [r.id for r in reviews]
        findings: dict[int, list[tuple[str, str]]] = {}
        for f in session.scalars(select(Finding).where(Finding.review_id.in_(review_ids)).order_by(Finding.id)):
            findings.setdefault(f.review_id, []).append((f.text, f.rationale or ""))
        recs: dict[int, list[tuple[str, str, date | None, str]]] = {}
        for r in session.scalars(select(Recommendation).where(Recommendation.review_id.in_(review_ids))
                                 .order_by(Recommendation.id)):
            recs.setdefault(r.review_id or 0, []).append((agencies.get(r.agency_id, ""), r.action, r.due_on,
                                                          r.rationale or ""))
        cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_([r.case_id for r in reviews])))}
        agenda = tuple(AgendaItem(
            r.id, r.case_id, cases[r.case_id].reference, cases[r.case_id].applicant.display_name,
            cases[r.case_id].status, tuple(findings.get(r.id, ())), tuple(recs.get(r.id, ())), r.victim_invited,
            r.victim_attended, r.impact_statement or "", r.information_considered or "", r.decision or "",
            r.completes_review, r.version, r.victim_part or "", r.victim_part_reason or "", r.draft_shared_on,
            r.victim_comments or "", r.victim_comments_on)
            for r in sorted(reviews, key=lambda r: cases[r.case_id].reference))
        conflict_refs = dict(session.execute(select(Case.id, Case.reference).where(Case.id.in_(
            select(PanelAttendee.conflict_case_id).where(PanelAttendee.meeting_id == meeting_id)))).all())
        attendees = tuple(AttendeeView(a.id, a.name, agencies.get(a.agency_id) if a.agency_id else None, a.role,
                                       a.attendance,
                                       conflict_refs.get(a.conflict_case_id) if a.conflict_case_id else None)
                          for a in session.scalars(select(PanelAttendee).where(PanelAttendee.meeting_id == meeting_id)
                                                   .order_by(PanelAttendee.id)))
        return MeetingDetail(meeting.id, meeting.version, meeting.starts_at, meeting.place, meeting.online_link,
                             meeting.chair, meeting.state, meeting.held_on, agenda, attendees,
                             meeting.chair_independent, meeting.chair_independence_note or "")


def _meeting_changed(session: Session, meeting_id: int) -> Changes:
    """A meeting's own details are shown with each case on its agenda."""
    cases = session.scalars(select(CaseReview.case_id).where(CaseReview.meeting_id == meeting_id)).all()
    return Changes.of_cases(cases, Part.SUMMARY, Part.TIMELINE) | Changes.of(Part.MEETINGS, meetings=[meeting_id])


def _meeting(session: Session, meeting_id: int) -> PanelMeeting:
    meeting = session.get(PanelMeeting, meeting_id)
    if meeting is None:
        raise NotFound("That meeting no longer exists.")
    return meeting
