"""Reading cases: the list (for the command line and exports) and one case in full."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Case
from app.domain.clocks import Clock, ClockDue, Indicator, indicator, next_due
from app.services.cases.facts import CaseStates
from app.domain.roles import Permission
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import NotFound

_BATCH = 2000


@dataclass(frozen=True)
class CaseSummary:
    id: int
    reference: str
    source_reference: str | None
    channel: str
    received_on: date
    status: str
    applicant: str
    postcode: str | None
    officer: str | None
    qualifying_incidents: int
    threshold_met: bool
    threshold_decision: dict[str, Any] | None
    due: dict[Clock, ClockDue]
    indicator: Indicator

    def to_json(self) -> dict[str, Any]:
        """The shape documented in application-format.md."""
        return {
            "reference": self.reference, "source_reference": self.source_reference,
            "channel": self.channel, "received_on": self.received_on.isoformat(),
            "status": self.status,
            "threshold": {"qualifying_incidents": self.qualifying_incidents, "met": self.threshold_met},
            "threshold_decision": self.threshold_decision,
            "due": {clock.value: d.due.isoformat() for clock, d in self.due.items()},
            "applicant": self.applicant, "postcode": self.postcode, "officer": self.officer,
            "indicator": self.indicator.value,
        }


@retry_read
def list_cases(ctx: ServiceContext) -> list[CaseSummary]:
    """Every case, oldest first, with the indicator and running clocks."""
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        ids = list(session.scalars(select(Case.id).order_by(Case.received_on, Case.id)))
        out: list[CaseSummary] = []
        for start in range(0, len(ids), _BATCH):
            out.extend(_summaries(ctx, session, ids[start:start + _BATCH]))
        return out


@retry_read
def case_summary(ctx: ServiceContext, case_id: int) -> CaseSummary:
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        found = _summaries(ctx, session, [case_id])
        if not found:
            raise NotFound("That case no longer exists.")
        return found[0]


def _summaries(ctx: ServiceContext, session: Session, ids: list[int]) -> list[CaseSummary]:
    settings, calendar, today = ctx.settings(), ctx.calendar(), ctx.today()
    states = CaseStates(session, settings, calendar, ids)
    out: list[CaseSummary] = []
    for case in _load(session, ids):
        state = states.state(case)
        out.append(CaseSummary(
            id=case.id, reference=case.reference, source_reference=case.source_reference,
            channel=case.channel, received_on=case.received_on, status=case.status,
            applicant=case.applicant.display_name, postcode=case.applicant.postcode,
            officer=case.officer, qualifying_incidents=state.threshold.qualifying_incidents,
            threshold_met=state.threshold.met,
            threshold_decision=(None if case.threshold_decided_on is None else
                                {"met": bool(case.threshold_met),
                                 "decided_on": case.threshold_decided_on.isoformat()}),
            due=state.clocks, indicator=indicator(state.clocks, today, calendar, settings.clocks)))
    return out


def _load(session: Session, ids: list[int]) -> list[Case]:
    rows = session.scalars(select(Case).where(Case.id.in_(ids))).unique().all()
    order = {case_id: n for n, case_id in enumerate(ids)}
    return sorted(rows, key=lambda c: order[c.id])


def next_action(summary: CaseSummary) -> ClockDue | None:
    return next_due(summary.due)
