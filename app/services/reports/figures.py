"""The statutory figures and the partnership summary for a period, counted in SQL (domain.md)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, extract, func, select
from sqlalchemy.orm import Session

from app.db.models import (Agency, Case, CaseReview, Finding, PanelMeeting, Recommendation,
                           SecondaryReview)
from app.domain.application import Channel
from app.domain.dates import add_months
from app.domain.roles import Permission
from app.services.common import audit
from app.services.common.context import ServiceContext, retry_read
from app.services.common.ops import Changes, Done, Part, Progress, each, stop_if_cancelled
from app.services.cases.secondary_review import OUTCOMES
from app.services.reports.timeliness import ClockTimeliness, measure_timeliness

# A secondary review with one of these outcomes overturned (or reopened) the decision reviewed.
OVERTURNING = ("upheld", "partly_upheld", "referred_back")
RECOMMENDATION_STATUSES = ("open", "accepted", "declined", "completed")
STATUTORY_KEYS = ("applications_received", "threshold_not_met", "reviews_carried_out",
                  "reviews_with_recommendations")
FIGURE_TITLES = {
    "applications_received": "Applications received",
    "threshold_not_met": "Applications where the threshold was not met",
    "reviews_carried_out": "Case reviews carried out",
    "reviews_with_recommendations": "Case reviews that resulted in recommendations",
}
DEFINITIONS = {
    "applications_received": "Applications whose date received is in the period, whatever became of "
                             "them later (awaiting consent, not accepted and withdrawn all count).",
    "threshold_not_met": "Threshold decisions of 'not met' dated in the period. A decision later "
                         "overturned on secondary review still counts; overturned decisions are "
                         "shown beside it.",
    "reviews_carried_out": "Cases whose review was completed at a panel meeting held in the period. A "
                           "review spread over two meetings counts once, at the meeting that completed it.",
    "reviews_with_recommendations": "Of the case reviews carried out, those where the panel made at least "
                                    "one recommendation. Recommendations made on secondary review are "
                                    "reported separately.",
}
SECONDARY_LABELS: dict[str | None, str] = dict([*OUTCOMES.items(), (None, "Awaiting outcome")])


@dataclass(frozen=True)
class StatutoryFigures:
    start: date
    end: date
    applications_received: int
    threshold_not_met: int
    threshold_not_met_overturned: int  # of threshold_not_met, overturned on secondary review
    reviews_carried_out: int
    reviews_with_recommendations: int
    secondary_review_recommendation_cases: int  # cases given recommendations by a secondary review
    secondary_review_recommendations: int  # ...and how many recommendations that was
    # Reviews started by an agency without an application (reported beside the four): not counted
    # as applications received (nor as "not met"), counted among the reviews carried out.
    agency_started: int = 0  # started in the period
    agency_started_reviews: int = 0  # of the reviews carried out in the period

    def value(self, key: str) -> int:
        return int(getattr(self, key))

    def to_json(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(),
                **{k: self.value(k) for k in STATUTORY_KEYS},
                "threshold_not_met_overturned": self.threshold_not_met_overturned,
                "secondary_review_recommendations": {"cases": self.secondary_review_recommendation_cases,
                                                     "recommendations": self.secondary_review_recommendations},
                "started_by_an_agency": {"started": self.agency_started,
                                         "reviews_carried_out": self.agency_started_reviews}}


@dataclass(frozen=True)
class PeriodFigures:
    """What is compared year on year."""

    statutory: StatutoryFigures
    channels: tuple[tuple[str, int], ...]  # (channel key, applications), every channel, in form order
    threshold_decisions: int
    threshold_met: int
    timeliness: tuple[ClockTimeliness, ...]
    secondary_reviews_requested: int
    recommendations_made: int  # panel and secondary review recommendations made in the period

    @property
    def threshold_met_rate(self) -> float | None:
        return self.threshold_met / self.threshold_decisions if self.threshold_decisions else None

    def to_json(self) -> dict[str, Any]:
        return {**self.statutory.to_json(), "channels": dict(self.channels),
                "threshold_decisions": {"decided": self.threshold_decisions, "met": self.threshold_met,
                                        "not_met": self.threshold_decisions - self.threshold_met,
                                        "met_rate": _round(self.threshold_met_rate)},
                "timeliness": {t.clock: t.to_json() for t in self.timeliness},
                "secondary_reviews_requested": self.secondary_reviews_requested,
                "recommendations_made": self.recommendations_made}


@dataclass(frozen=True)
class AgencyRecommendations:
    agency: str
    by_status: tuple[tuple[str, int], ...]  # every status in RECOMMENDATION_STATUSES order
    from_panel: int
    from_secondary_review: int

    @property
    def total(self) -> int:
        return self.from_panel + self.from_secondary_review


@dataclass(frozen=True)
class PartnershipSummary:
    current: PeriodFigures
    previous: PeriodFigures  # the same dates a year earlier
    by_month: tuple[tuple[date, int], ...]  # first day of each month in the period, applications
    recommendations: tuple[AgencyRecommendations, ...]
    secondary_outcomes: tuple[tuple[str | None, int], ...]  # outcome of the reviews requested in the period
    secondary_completed: int  # secondary reviews completed in the period
    key_findings: tuple[tuple[str, int], ...]  # (finding, how many reviews recorded it), commonest first
    findings_marked: bool  # False: no finding was marked key, so every finding is listed

    @property
    def start(self) -> date:
        return self.current.statutory.start

    @property
    def end(self) -> date:
        return self.current.statutory.end

    @property
    def figures(self) -> StatutoryFigures:
        return self.current.statutory

    def findings_text(self, limit: int = 40) -> str:
        """The key findings as the editable text the CSU starts from: one line per finding."""
        lines = [f"• {text}" + (f" ({n} reviews)" if n > 1 else "") for text, n in self.key_findings[:limit]]
        if len(self.key_findings) > limit:
            lines.append(f"… and {len(self.key_findings) - limit} further findings.")
        return "\n".join(lines) or "No findings were recorded by panels in this period."

    def to_json(self) -> dict[str, Any]:
        return {**self.current.to_json(),
                "applications_by_month": [{"month": m.strftime("%Y-%m"), "applications": n}
                                          for m, n in self.by_month],
                "recommendations_by_agency": [
                    {"agency": a.agency, "total": a.total, "from_panel": a.from_panel,
                     "from_secondary_review": a.from_secondary_review, "by_status": dict(a.by_status)}
                    for a in self.recommendations],
                "secondary_reviews": {"requested": self.current.secondary_reviews_requested,
                                      "completed": self.secondary_completed,
                                      "outcomes_of_those_requested": {k or "awaiting": n
                                                                      for k, n in self.secondary_outcomes}},
                "key_findings": [{"finding": t, "reviews": n} for t, n in self.key_findings],
                "key_findings_marked": self.findings_marked,
                "previous_period": self.previous.to_json()}


def _round(share: float | None) -> float | None:
    return None if share is None else round(share, 4)


# The statutory figures ----------------------------------------------------------------------------

@retry_read
def statutory_figures(ctx: ServiceContext, start: date, end: date) -> StatutoryFigures:
    """The four figures the council must publish, for a period with both ends counted."""
    ctx.require(Permission.VIEW)
    _check_period(start, end)
    with ctx.reading() as session:
        return _statutory(session, start, end)


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValueError("The period must end on or after the day it starts.")


def _count(*where: Any) -> Any:
    return select(func.count()).select_from(Case).where(*where).scalar_subquery()


def _statutory(session: Session, start: date, end: date) -> StatutoryFigures:
    applied = Case.started_by_agency_id.is_(None)  # an application, not a review an agency started
    not_met = (Case.threshold_met.is_(False), Case.threshold_decided_on.between(start, end), applied)
    overturned = exists().where(SecondaryReview.case_id == Case.id, SecondaryReview.outcome.in_(OVERTURNING))
    reviewed = Case.panel_completed_on.between(start, end)
    # A recommendation made by the panel at a meeting held by the time the review was completed.
    panel_recommendation = exists(
        select(Recommendation.id).join(CaseReview, CaseReview.id == Recommendation.review_id)
        .join(PanelMeeting, PanelMeeting.id == CaseReview.meeting_id)
        .where(Recommendation.case_id == Case.id, PanelMeeting.held_on <= Case.panel_completed_on))
    secondary = (select(Recommendation.case_id).join(SecondaryReview,
                                                     SecondaryReview.id == Recommendation.secondary_review_id)
                 .where(SecondaryReview.completed_on.between(start, end)).subquery())
    row = session.execute(select(
        _count(Case.received_on.between(start, end), applied),
        _count(*not_met),
        _count(*not_met, overturned),
        _count(reviewed),
        _count(reviewed, panel_recommendation),
        select(func.count(func.distinct(secondary.c.case_id))).scalar_subquery(),
        select(func.count()).select_from(secondary).scalar_subquery(),
        _count(Case.received_on.between(start, end), Case.started_by_agency_id.is_not(None)),
        _count(reviewed, Case.started_by_agency_id.is_not(None)))).one()
    return StatutoryFigures(start, end, *(int(v or 0) for v in row))


# The partnership summary --------------------------------------------------------------------------

def previous_period(start: date, end: date) -> tuple[date, date]:
    """The same dates a year earlier (29 February becomes the 28th)."""
    return add_months(start, -12), add_months(end, -12)


@retry_read
def partnership_summary(ctx: ServiceContext, start: date, end: date,
                        progress: Progress | None = None) -> PartnershipSummary:
    """Everything for the Community Safety Partnership chairs and the PCC, with last year beside it.

    Counted in stages (`progress` is told after each); a cancel stops before the next stage and
    raises `Cancelled`: a report is one thing, made whole or not at all (and nothing is written).
    """
    ctx.require(Permission.VIEW)
    _check_period(start, end)
    settings, calendar = ctx.settings(), ctx.calendar()
    before = previous_period(start, end)
    with ctx.reading() as session:
        found: dict[str, Any] = {}
        stages: dict[str, Callable[[], Any]] = {
            "timeliness": lambda: measure_timeliness(session, [(start, end), before], settings.clocks, calendar),
            "recommendations": lambda: (_recommendations(session, start, end), _recommendations(session, *before)),
            "this period": lambda: _period(session, start, end, found["timeliness"][0], found["recommendations"][0]),
            "the same period last year": lambda: _period(session, *before, found["timeliness"][1],
                                                         found["recommendations"][1]),
            "key findings": lambda: _key_findings(session, start, end),
            "months and secondary reviews": lambda: (
                _by_month(session, start, end), _secondary_outcomes(session, start, end),
                session.scalar(select(func.count()).select_from(SecondaryReview)
                               .where(SecondaryReview.completed_on.between(start, end))) or 0),
        }
        names = list(stages)
        for name in each(names, progress, "parts of the partnership summary"):
            found[name] = stages[name]()
        stop_if_cancelled(progress, "the partnership summary", list(found), names, "parts")
    (findings, marked), (months, outcomes, completed) = found["key findings"], found["months and secondary reviews"]
    return PartnershipSummary(found["this period"], found["the same period last year"], months,
                              found["recommendations"][0], outcomes, completed, findings, marked)


def _period(session: Session, start: date, end: date, timeliness: tuple[ClockTimeliness, ...],
            recommendations: tuple[AgencyRecommendations, ...]) -> PeriodFigures:
    counts = dict(session.execute(select(Case.channel, func.count()).where(Case.received_on.between(start, end))
                                  .group_by(Case.channel)).all())
    channels = [(c.value, int(counts.pop(c.value, 0))) for c in Channel]
    channels += sorted((str(k), int(v)) for k, v in counts.items())  # a channel the form no longer offers
    decisions = dict(session.execute(select(Case.threshold_met, func.count())
                                     .where(Case.threshold_decided_on.between(start, end),
                                            Case.threshold_met.is_not(None))
                                     .group_by(Case.threshold_met)).all())
    requested = session.scalar(select(func.count()).select_from(SecondaryReview)
                               .where(SecondaryReview.requested_on.between(start, end))) or 0
    return PeriodFigures(_statutory(session, start, end), tuple(channels), int(sum(decisions.values())),
                         int(decisions.get(True, 0)), timeliness, int(requested),
                         sum(a.total for a in recommendations))


def _by_month(session: Session, start: date, end: date) -> tuple[tuple[date, int], ...]:
    year, month = extract("year", Case.received_on), extract("month", Case.received_on)
    counts = {(int(y), int(m)): int(n) for y, m, n in session.execute(
        select(year, month, func.count()).where(Case.received_on.between(start, end)).group_by(year, month))}
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append((day, counts.get((day.year, day.month), 0)))
        day = add_months(day, 1)
    return tuple(months)


def _recommendations(session: Session, start: date, end: date) -> tuple[AgencyRecommendations, ...]:
    """Recommendations made in the period (panel held, or secondary review completed, in it), by agency."""
    # From the meetings held in the period to their reviews, then by case (indexed) to the recommendations.
    panel = (select(Agency.name, Recommendation.status, func.count()).select_from(PanelMeeting)
             .join(CaseReview, CaseReview.meeting_id == PanelMeeting.id)
             .join(Recommendation, (Recommendation.case_id == CaseReview.case_id)
                   & (Recommendation.review_id == CaseReview.id))
             .join(Agency, Agency.id == Recommendation.agency_id)
             .where(PanelMeeting.held_on.between(start, end))
             .group_by(Agency.name, Recommendation.status))
    secondary = (select(Agency.name, Recommendation.status, func.count())
                 .join(Agency, Agency.id == Recommendation.agency_id)
                 .join(SecondaryReview, SecondaryReview.id == Recommendation.secondary_review_id)
                 .where(SecondaryReview.completed_on.between(start, end))
                 .group_by(Agency.name, Recommendation.status))
    status: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(RECOMMENDATION_STATUSES, 0))
    source: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for n, query in enumerate((panel, secondary)):
        for agency, state, count in session.execute(query):
            status[agency][state] = status[agency].get(state, 0) + int(count)
            source[agency][n] += int(count)
    rows = [AgencyRecommendations(agency, tuple(status[agency].items()), *source[agency]) for agency in status]
    return tuple(sorted(rows, key=lambda a: (-a.total, a.agency)))


def _secondary_outcomes(session: Session, start: date, end: date) -> tuple[tuple[str | None, int], ...]:
    counts = dict(session.execute(select(SecondaryReview.outcome, func.count())
                                  .where(SecondaryReview.requested_on.between(start, end))
                                  .group_by(SecondaryReview.outcome)).all())
    ordered: list[str | None] = [*OUTCOMES, None]
    ordered += sorted(k for k in counts if k is not None and k not in ordered)
    return tuple((k, int(counts.get(k, 0))) for k in ordered)


def _key_findings(session: Session, start: date, end: date) -> tuple[tuple[tuple[str, int], ...], bool]:
    def grouped(*where: Any) -> list[tuple[str, int]]:
        query = (select(Finding.text, func.count()).join(CaseReview, CaseReview.id == Finding.review_id)
                 .join(PanelMeeting, PanelMeeting.id == CaseReview.meeting_id)
                 .where(PanelMeeting.held_on.between(start, end), *where)
                 .group_by(Finding.text).order_by(func.count().desc(), Finding.text))
        return [(str(t), int(n)) for t, n in session.execute(query)]

    marked = grouped(Finding.key_finding.is_(True))
    return (tuple(marked), True) if marked else (tuple(grouped()), False)


def financial_year(today: date) -> tuple[date, date]:
    """1 April to 31 March: the financial year containing `today`."""
    first = today.year if today.month >= 4 else today.year - 1
    return date(first, 4, 1), date(first + 1, 3, 31)


def record_export(ctx: ServiceContext, what: str, start: date, end: date) -> Done:
    """An export of the figures is a disclosure: allowed or refused, then logged (no personal values)."""
    ctx.require(Permission.EXPORT)
    with ctx.unit_of_work() as session:
        audit.record(session, ctx, "export", "report", None,
                     reason=f"{what} for {start.isoformat()} to {end.isoformat()}")
    return Done(Changes.of(Part.REPORTS))
