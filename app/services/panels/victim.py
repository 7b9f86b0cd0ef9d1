"""The victim's part in the review (guidance 2025 and the Ombudsman's commonest faults): how they took
part in the meeting, and the draft recommendations shared with them for comment before they are final."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.db.models import CaseReview, PanelMeeting, Recommendation
from app.domain.application import Problem
from app.domain.roles import Permission
from app.services.common import audit
from app.services.common.concurrency import apply_changes, load_for_change
from app.services.common.context import ServiceContext
from app.services.common.errors import ValidationFailed
from app.services.common.ops import Changes, Done, Part

VICTIM_PARTS = {
    "attended": "Invited, and attended (in person or online)",
    "impact_statement": "Gave an impact statement",
    "declined": "Invited, and declined",
    "not_invited": "Not invited (say why)",
}


def victim_part_problems(part: str, reason: str) -> list[Problem]:
    """An empty part is allowed while the record is being drafted; the meeting cannot be held so."""
    if part and part not in VICTIM_PARTS:
        return [Problem("victim_part", f"choose one of: {', '.join(VICTIM_PARTS.values())}")]
    if part == "not_invited" and not reason.strip():
        return [Problem("victim_part_reason", "say why the victim was not invited to the meeting")]
    return []


def victim_ticks(part: str, invited: bool, attended: bool) -> tuple[bool, bool]:
    """The older invited/attended ticks, kept in step with the victim's part when one is chosen."""
    if part == "attended":
        return True, True
    if part in ("declined", "impact_statement"):
        return True, False
    if part == "not_invited":
        return False, False
    return invited, attended


def share_draft(ctx: ServiceContext, review_id: int, expected_version: int, *, shared_on: date) -> Done:
    """The panel's draft recommendations went to the victim for comment (they are not final yet)."""
    ctx.require(Permission.MANAGE_PANELS)
    if shared_on > ctx.today():
        raise ValidationFailed([Problem("shared_on", "the date cannot be in the future")])
    with ctx.unit_of_work() as session:
        row = load_for_change(session, CaseReview, review_id, expected_version, "This review record")
        meeting = session.get(PanelMeeting, row.meeting_id)
        if meeting is not None and meeting.state == "minutes_approved":
            raise ValidationFailed([Problem("meeting", "the minutes are approved: the recommendations are final")])
        count = session.scalar(select(func.count()).select_from(Recommendation)
                               .where(Recommendation.review_id == row.id)) or 0
        if not count:
            raise ValidationFailed([Problem("recommendations", "record the draft recommendations first")])
        changes = apply_changes(row, {"draft_shared_on": shared_on}, ctx.actor)
        audit.record(session, ctx, "draft shared with victim", "case", row.case_id, case_id=row.case_id,
                     changes=changes, reason=f"{count} draft recommendation(s)")
        return Done(Changes.of_case(row.case_id, Part.HEADER) | Changes.of(Part.MEETINGS, meetings=[row.meeting_id]),
                    f"Draft recommendations shared on {shared_on:%d/%m/%Y}.")


def record_victim_comments(ctx: ServiceContext, review_id: int, expected_version: int, *, comments: str,
                           on: date) -> Done:
    """What the victim said about the draft, for the panel to consider before it is final."""
    ctx.require(Permission.MANAGE_PANELS)
    problems = [] if comments.strip() else [Problem("comments", "record what the victim said (or that they "
                                                                "did not reply)")]
    if on > ctx.today():
        problems.append(Problem("on", "the date cannot be in the future"))
    if problems:
        raise ValidationFailed(problems)
    with ctx.unit_of_work() as session:
        row = load_for_change(session, CaseReview, review_id, expected_version, "This review record")
        if row.draft_shared_on is None:
            raise ValidationFailed([Problem("draft_shared_on", "record when the draft was shared with the victim first")])
        if on < row.draft_shared_on:
            raise ValidationFailed([Problem("on", "the reply cannot come before the draft was shared")])
        changes = apply_changes(row, {"victim_comments": comments.strip(), "victim_comments_on": on}, ctx.actor)
        audit.record(session, ctx, "victim's comments", "case", row.case_id, case_id=row.case_id, changes=changes)
        return Done(Changes.of_case(row.case_id, Part.HEADER) | Changes.of(Part.MEETINGS, meetings=[row.meeting_id]),
                    "The victim's comments are recorded.")
