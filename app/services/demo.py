"""Demo data: many realistic made-up cases in every state, written fast with Core bulk inserts.

Each case is first planned as a chain of dated events (received, acknowledged, threshold decided,
panel, outcome letter...) cut at its status, so every date on it agrees with the state it is in.
The plans are sorted by date received, then turned into rows in batches; ids are allocated here
(after each table's current maximum) so that one executemany per table writes a whole batch.
"""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import count as counter
from typing import Any

from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.orm import Session

from app.db.models import (Agency, AgencyAction, AgencyAlias, AgencyRequest, Case, CasePerpetrator, CaseReview,
                           Finding, Incident, PanelAttendee, PanelMeeting, Perpetrator, Person,
                           ProblemLocation, Recommendation, ReferenceCounter, SecondaryReview)
from app.db.models.base import utcnow
from app.domain.calendar import WorkingCalendar
from app.domain.clocks import AgencyRequestFacts, CaseClockFacts, next_due, running_clocks
from app.domain.dates import add_months
from app.domain.settings import Settings
from app.domain.threshold import IncidentFacts, assess
from app.domain.workflow import Status
from app.services import audit
from app.services import demo_data as D
from app.services.agencies import AgencyMatcher
from app.services.context import ServiceContext
from app.services.intake import person_search_key
from app.services.references import format_reference

BATCH = 2000  # cases per transaction: big enough for executemany to pay off, small enough for progress
ACTOR = "demo"
S = Status
# Written in this order in each batch, so that every foreign key points at a row already there.
TABLES: tuple[Table, ...] = tuple(m.__table__ for m in (  # type: ignore[attr-defined]
    ProblemLocation, Person, Perpetrator, PanelMeeting, PanelAttendee, Case, CasePerpetrator, Incident,
    AgencyRequest, AgencyAction, CaseReview, Finding, SecondaryReview, Recommendation))

# The events a case can meet, in order; a case's route is a subsequence cut at its status.
MET = ("received", "consent", "ack", "check", "decided", "info", "scheduled", "panel", "outcome",
       "sr_req", "sr_done", "closed")
NOT_MET = ("received", "consent", "ack", "check", "decided", "letter", "sr_req", "sr_done", "closed")
REFUSED = ("received", "ack", "not_accepted", "letter", "sr_req", "sr_done", "closed")
# Working days from the previous event.
GAPS = {"consent": (2, 15), "ack": (1, 6), "check": (0, 3), "decided": (3, 9), "letter": (0, 3),
        "info": (0, 3), "scheduled": (5, 15), "panel": (5, 20), "outcome": (2, 12),
        "not_accepted": (1, 8), "withdrawn": (1, 10), "sr_req": (3, 19), "sr_done": (8, 22),
        "closed": (1, 10)}
# Status: (share of cases, working days spent in it so far, event it starts with).
TARGETS: dict[Status, tuple[int, tuple[int, int], str]] = {
    S.CLOSED: (940, (0, 0), "closed"), S.RECEIVED: (4, (0, 7), "received"),
    S.AWAITING_CONSENT: (6, (0, 40), "received"), S.NOT_ACCEPTED: (3, (0, 19), "letter"),
    S.WITHDRAWN: (4, (0, 15), "withdrawn"), S.ACKNOWLEDGED: (4, (0, 8), "ack"),
    S.THRESHOLD_CHECK: (5, (0, 12), "check"), S.THRESHOLD_MET: (3, (0, 5), "decided"),
    S.THRESHOLD_NOT_MET: (4, (0, 19), "letter"), S.INFORMATION_GATHERING: (8, (0, 15), "info"),
    S.PANEL_SCHEDULED: (7, (0, 15), "scheduled"), S.REVIEWED: (3, (0, 10), "panel"),
    S.OUTCOME_SENT: (5, (0, 19), "outcome"), S.SECONDARY_REVIEW_REQUESTED: (2, (0, 25), "sr_req"),
    S.SECONDARY_REVIEW_COMPLETED: (2, (0, 10), "sr_done")}
CHANNELS = (("telephone", 30), ("online", 30), ("email", 18), ("post", 12), ("in_person", 10))


@dataclass
class Plan:
    status: Status
    route: str  # met, not_met, refused (not accepted) or withdrawn
    on: dict[str, date]  # event -> the date it happened, in order
    channel: str
    received_at: datetime
    consent: str  # given, late (arrived after receipt), or still awaited: victim, share
    on_behalf: bool


def generate_demo_cases(ctx: ServiceContext, count: int, *, seed: int = 2014,
                        progress: Callable[[int], None] | None = None) -> int:
    """Add `count` made-up cases received over the last eight years; returns how many were made."""
    if count < 1:
        return 0
    settings, cal, rng = ctx.settings(), ctx.calendar(), random.Random(seed)
    plans = _plans(rng, count, ctx.today(), ctx.now(), cal)
    with ctx.unit_of_work() as session:
        builder = _Builder(session, rng, settings, cal, ctx.today())
    made = 0
    for start in range(0, count, BATCH):
        chunk = plans[start:start + BATCH]
        with ctx.unit_of_work() as session:
            for plan, reference in zip(chunk, _references(session, chunk, settings.council.reference_prefix)):
                builder.case(plan, reference)
            builder.write(session)
        made += len(chunk)
        if progress:
            progress(made)
    with ctx.unit_of_work() as session:
        if ctx.dialect == "postgresql":
            _sync_sequences(session)
        audit.record(session, ctx, "create", "case", None,
                     reason=f"demo data: {made} made-up cases generated (seed {seed})")
    return made


def _plans(rng: random.Random, count: int, today: date, now: datetime, cal: WorkingCalendar) -> list[Plan]:
    last_day = cal.subtract_working_days(today + timedelta(days=1), 1)  # latest working day so far
    first_day = add_months(today, -96) + timedelta(days=150)
    statuses, weights = list(TARGETS), [t[0] for t in TARGETS.values()]
    # The first few cover every state once, so that even a small demo shows them all.
    chosen = list(Status)[:count] + rng.choices(statuses, weights, k=max(0, count - len(Status)))
    plans = [_plan(rng, status, last_day, first_day, now, cal) for status in chosen]
    return sorted(plans, key=lambda p: p.received_at)  # stable: references follow the date received


def _plan(rng: random.Random, status: Status, last_day: date, first_day: date, now: datetime,
          cal: WorkingCalendar) -> Plan:
    on_behalf = rng.random() < 0.2
    consent = "late" if rng.random() < 0.08 else "given"
    sr = rng.random() < 0.1
    _, (dwell_lo, dwell_hi), cut = TARGETS[status]
    if status == S.CLOSED:
        route = rng.choices(("met", "not_met", "refused", "withdrawn"), (45, 30, 10, 15))[0]
    elif status in (S.SECONDARY_REVIEW_REQUESTED, S.SECONDARY_REVIEW_COMPLETED):
        route, sr = rng.choices(("met", "not_met", "refused"), (60, 30, 10))[0], True
    elif status in (S.NOT_ACCEPTED, S.WITHDRAWN):
        route = "refused" if status == S.NOT_ACCEPTED else "withdrawn"
    elif status in (S.RECEIVED, S.AWAITING_CONSENT, S.ACKNOWLEDGED, S.THRESHOLD_CHECK):
        route = "met" if rng.random() < 0.6 else "not_met"  # undecided: only shapes the incidents
    else:
        route = "not_met" if status == S.THRESHOLD_NOT_MET else "met"
    if status == S.AWAITING_CONSENT:
        consent = "victim" if on_behalf and rng.random() < 0.7 else "share"
        cut = "ack" if rng.random() < 0.6 else "received"
    elif status == S.RECEIVED and consent == "late":
        cut = "consent"
    elif status in (S.NOT_ACCEPTED, S.THRESHOLD_NOT_MET) and rng.random() < 0.15:
        cut, dwell_hi = ("not_accepted" if status == S.NOT_ACCEPTED else "decided"), 3  # letter not sent yet
    if route == "withdrawn":
        stage = rng.choice(("received", "ack", "check", "decided", "info", "scheduled", "panel"))
        sequence = MET[:MET.index(stage) + 1] + ("withdrawn", "closed")
    else:
        sequence = {"met": MET, "not_met": NOT_MET, "refused": REFUSED}[route]
    skip = {"sr_req", "sr_done"} if not sr else set()
    if route == "refused" and rng.random() < 0.5:
        skip.add("ack")
    events = [e for e in sequence if e not in skip]
    events = events[:events.index(cut) + 1]
    if "consent" in events and consent != "late":
        events.remove("consent")
    elif consent == "late" and "consent" not in events:
        consent = "given"
    gaps = [rng.randint(*((21, 30) if e == "closed" and before in ("outcome", "letter") else GAPS[e]))
            for before, e in zip(events, events[1:])]  # closing waits for the secondary review window
    if status == S.CLOSED:
        end = first_day + timedelta(days=rng.randrange(max(1, (last_day - first_day).days)))
        end = cal.subtract_working_days(end + timedelta(days=1), 1)
    else:
        end = cal.subtract_working_days(last_day, rng.randint(dwell_lo, dwell_hi))
    day = cal.subtract_working_days(end, sum(gaps))  # end is a working day, so adding back lands on it
    on = {"received": day}
    for event, gap in zip(events[1:], gaps):
        day = cal.add_working_days(day, gap)
        on[event] = day
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    if channel in ("online", "email"):
        on["received"] -= timedelta(days=rng.choice((0, 0, 0, 1, 2)))  # forms arrive at weekends too
        clock = time(rng.randint(0, 23), rng.randint(0, 59))
    else:
        clock = time(rng.randint(9, 11 if channel == "post" else 16), rng.randint(0, 59))
    received_at = min(datetime.combine(on["received"], clock), now)
    return Plan(status, route, on, channel, received_at, consent, on_behalf)


def _references(session: Session, plans: list[Plan], prefix: str) -> list[str]:
    """Take a block of numbers per year from the counters, as next_reference takes one."""
    table = ReferenceCounter.__table__
    years = Counter(p.received_at.year for p in plans)
    following: dict[int, int] = {}
    for year in sorted(years):
        n = years[year]
        bumped = session.execute(update(table).where(table.c.year == year)
                                 .values(last_number=table.c.last_number + n))
        if bumped.rowcount:
            last = int(session.scalar(select(table.c.last_number).where(table.c.year == year)) or n)
        else:
            session.execute(insert(table).values(year=year, last_number=n))
            last = n
        following[year] = last - n + 1
    references = []
    for plan in plans:
        year = plan.received_at.year
        references.append(format_reference(prefix, year, following[year]))
        following[year] += 1
    return references


def _sync_sequences(session: Session) -> None:
    # Ids were given explicitly, so PostgreSQL's sequences must be moved past them.
    for table in TABLES:
        if "id" in table.c:
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                 f"(SELECT max(id) FROM {table.name}))"))


def _template(table: Table, stamp: datetime) -> dict[str, Any]:
    """Every column with its default, so all rows of a table have the same keys (executemany)."""
    row: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        row[column.key] = None if default is None else (default.arg if default.is_scalar else stamp)
    row.update({k: ACTOR for k in ("updated_by", "created_by") if k in row})
    return row


class _Builder:
    """Turns plans into rows kept in memory until the batch is written."""

    def __init__(self, session: Session, rng: random.Random, settings: Settings, cal: WorkingCalendar,
                 today: date) -> None:
        self.rng, self.settings, self.cal, self.today = rng, settings, cal, today
        stamp = utcnow()
        self.ids = {t.name: counter((session.scalar(select(func.max(t.c.id))) or 0) + 1)
                    for t in TABLES if "id" in t.c}
        self.rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
        self.templates = {t.name: _template(t, stamp) for t in TABLES}
        matcher = AgencyMatcher(session)
        agencies = session.execute(select(Agency.id, Agency.name, Agency.kind, Agency.relevant_body)
                                   .where(Agency.active.is_(True)).order_by(Agency.id)).all()
        self.agency = {a.id: (a.name, a.kind, a.relevant_body) for a in agencies}
        self.relevant, self.other = [], []  # (as the applicant writes it, agency id)
        for a in agencies:
            weight = 4 if "police" in a.kind else 2 if a.kind in ("council", "police") or "housing" in a.kind else 1
            aliases = session.scalars(select(AgencyAlias.alias).where(AgencyAlias.agency_id == a.id)
                                      .order_by(AgencyAlias.id))
            spellings = [a.name] * weight + [x for x in aliases if (m := matcher.match(x)) and m.id == a.id]
            (self.relevant if a.relevant_body else self.other).extend((s, a.id) for s in spellings)
        self.unknown = [(o, None) for o in D.UNKNOWN_ORGS if matcher.match(o) is None]
        self.relevant = self.relevant or self.unknown
        self.other = self.other or self.unknown
        self.locations = dict(session.execute(select(ProblemLocation.search_key, ProblemLocation.id)).all())
        self.meetings: dict[date, int] = {}
        self.perpetrators: dict[str, list[int]] = {}  # by street, so that neighbours' cases link up
        self.applicants: list[tuple[int, str, tuple[str, str, int]]] = []  # some apply again

    def add(self, table: str, **values: Any) -> int:
        row = dict(self.templates[table], **values)
        if "id" in row and row["id"] is None:
            row["id"] = next(self.ids[table])
        self.rows[table].append(row)
        return row.get("id", 0)

    def write(self, session: Session) -> None:
        for table in TABLES:
            rows = self.rows[table.name]
            if rows:
                session.execute(insert(table), rows)
                rows.clear()

    def wd(self, day: date, n: int) -> date:
        return self.cal.add_working_days(day, n)

    # -- one case -------------------------------------------------------------------------------
    def case(self, plan: Plan, reference: str) -> None:
        rng, on, clocks = self.rng, plan.on, self.settings.clocks
        case_id, received = next(self.ids["cases"]), plan.received_at.date()
        applicant, victim, relationship, place = self._parties(plan)
        types = rng.sample(list(D.ASB), rng.choice((1, 1, 2, 2, 3)))
        location = self._location(place)
        for perpetrator in self._perpetrators(place):
            self.add("case_perpetrators", case_id=case_id, perpetrator_id=perpetrator)
        incidents = self._incidents(case_id, plan, received, types, location)
        facts = [IncidentFacts(i["id"], i["occurred_on"], i["reported_on"],
                               self.agency[i["agency_id"]][0] if i["agency_id"] else i["reported_to"],
                               self.agency[i["agency_id"]][2] if i["agency_id"] else None,
                               i["same_problem"], i["duplicate_of_id"], i["occurred_from"],
                               i["occurred_to"], i["hate_incident"]) for i in incidents]
        threshold = assess(facts, received, self.settings.threshold)
        involved = list(dict.fromkeys(i["agency_id"] for i in incidents
                                      if i["agency_id"] and self.agency[i["agency_id"]][2]))[:3]
        requests = self._requests(case_id, plan, "confirmation", "check", involved)
        extra = [a for a in rng.sample(list(self.agency), min(2, len(self.agency))) if a not in involved]
        requests += self._requests(case_id, plan, "information", "info", (involved + extra)[:4])
        self._panel(case_id, plan, involved + extra)
        secondary = self._secondary(case_id, plan, applicant[1], involved or list(self.agency))
        decided, need = on.get("decided"), self.settings.threshold.incidents_needed
        met = None if decided is None else plan.route in ("met", "withdrawn")
        revised = None
        if met:
            original = self.wd(decided, clocks.outcome)  # type: ignore[arg-type]
            if (on.get("outcome") or on.get("withdrawn") or self.today) > original and rng.random() < 0.7:
                revised = self.wd(original, rng.randint(10, 20))  # a delay letter gave a new date
        q = threshold.qualifying_incidents
        failing = next((v.reason for v in threshold.verdicts if not v.qualifies), "")
        reason = (None if decided is None else
                  f"{q} incidents qualify, confirmed by the agencies." if met and q >= need else
                  f"{q} of {need} incidents qualify, but met because {rng.choice(D.DISCRETION)}." if met else
                  f"Only {q} of {need} incidents qualify" + (f" (for example: {failing})." if failing else "."))
        consent_on = on.get("consent")
        waiting_victim = plan.consent == "victim"
        officer = rng.choice(D.OFFICERS)
        clock_facts = CaseClockFacts(
            status=plan.status, received_on=received, consent_recorded_on=consent_on,
            acknowledged_on=on.get("ack"), threshold_decided_on=decided, threshold_met=met,
            agency_requests=tuple(requests), panel_completed_on=on.get("panel"),
            outcome_sent_on=on.get("outcome"), revised_outcome_due=revised,
            decision_letter_sent_on=on.get("letter"),
            secondary_review_requested_on=secondary[0], secondary_review_outcome_sent_on=secondary[1])
        first = next_due(running_clocks(clock_facts, self.cal, clocks))
        self.add(
            "cases", id=case_id, reference=reference, channel=plan.channel, received_at=plan.received_at,
            received_on=received, status=plan.status.value,
            source_reference=f"WEB-DEMO-{case_id:07d}" if plan.channel == "online" else None,
            applicant_id=applicant[0], victim_id=victim, relationship_to_victim=relationship,
            victim_consent=None if victim is None else not waiting_victim,
            victim_consent_method=rng.choice(("verbal", "signed", "email")) if victim and not waiting_victim else None,
            victim_consent_given_on=(consent_on or received - timedelta(days=rng.randint(0, 20)))
            if victim and not waiting_victim else None,
            consent_to_share=plan.consent != "share", consent_recorded_by=officer,
            consent_recorded_at=datetime.combine(consent_on, time(10)) if consent_on else plan.received_at,
            consent_completed_on=consent_on, asb_types=", ".join(types), problem_location_id=location[0],
            impact=rng.choice(D.IMPACTS), desired_outcome=rng.choice(D.DESIRED),
            vulnerability=rng.choice(D.VULNERABILITIES) if rng.random() < 0.3 else None,
            officer=None if len(on) == 1 and rng.random() < 0.5 else officer,  # named on acknowledgement
            acknowledged_on=on.get("ack"),
            not_accepted_reason=rng.choice(D.NOT_ACCEPTED) if "not_accepted" in on else None,
            withdrawn_on=on.get("withdrawn"),
            withdrawn_reason=rng.choice(D.WITHDRAWN) if "withdrawn" in on else None,
            threshold_met=met, threshold_decided_on=decided,
            threshold_decided_by=rng.choice(D.SENIOR_OFFICERS) if decided else None, threshold_reason=reason,
            threshold_not_met_action=rng.choice(D.NOT_MET_ACTIONS) if met is False else None,
            decision_letter_sent_on=on.get("letter"), panel_completed_on=on.get("panel"),
            outcome_sent_on=on.get("outcome"), revised_outcome_due=revised, closed_on=on.get("closed"),
            next_due_on=first.due if first else None, next_clock=first.clock.value if first else None,
            qualifying_incidents=q, created_at=plan.received_at)

    # -- people and places ----------------------------------------------------------------------
    def _person(self, place: tuple[str, tuple[str, ...], tuple[str, ...]] | None = None, *,
                title: str | None = None, organisation: str | None = None,
                last: str | None = None) -> tuple[int, str, tuple[str, str, int]]:
        rng = self.rng
        town, districts, streets = place or rng.choices(D.PLACES, D.PLACE_WEIGHTS)[0]
        female = rng.random() < 0.55
        first = rng.choice(D.FIRST_NAMES_F if female else D.FIRST_NAMES_M)
        last = last or rng.choice(D.SURNAMES)
        title = title or rng.choice(D.TITLES_F if female else D.TITLES_M)
        street, number = rng.choice(streets), rng.randint(1, 160)
        flat = f"Flat {rng.randint(1, 24)}, {rng.choice(D.BLOCKS)}" if rng.random() < 0.2 else None
        letters = D.POSTCODE_LETTERS
        postcode = f"{rng.choice(districts)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        phone = None if rng.random() < 0.15 else (f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.6
                                                  else f"01632 960{rng.randrange(1000):03d}")
        email = (f"{first}.{last}{rng.randint(1, 99)}@{rng.choice(('example.org', 'example.com', 'example.net'))}"
                 .lower().replace("'", "") if rng.random() < 0.6 else None)
        preferred = "email" if email and rng.random() < 0.6 else "phone" if phone and rng.random() < 0.5 else "letter"
        pid = self.add(
            "people", title=title, first_name=first, last_name=last, organisation=organisation,
            address="\n".join(x for x in (flat, f"{number} {street}", town) if x), postcode=postcode,
            phone=phone, email=email, preferred_contact=preferred,
            date_of_birth=date(rng.randint(1935, 2006), rng.randint(1, 12), rng.randint(1, 28))
            if rng.random() < 0.35 else None,
            accessibility_needs=rng.choice(D.ACCESSIBILITY) if rng.random() < 0.07 else None,
            search_key=person_search_key(last or organisation, postcode, phone))
        return pid, f"{title} {first} {last}", (town, street, number)

    def _parties(self, plan: Plan) -> tuple[tuple[int, str, tuple[str, str, int]], int | None, str | None,
                                            tuple[str, str, int]]:
        rng = self.rng
        if not plan.on_behalf:
            if self.applicants and rng.random() < 0.04:
                applicant = rng.choice(self.applicants)  # someone who has applied before
            else:
                applicant = self._person(organisation=rng.choice(D.ORGANISATIONS) if rng.random() < 0.06 else None)
                self.applicants = [*self.applicants[-499:], applicant]
            return applicant, None, None, applicant[2]
        relationship = rng.choice(D.RELATIONSHIPS)
        victim = self._person()
        represents = D.REPRESENTATIVE_ORGS.get(relationship)
        applicant = self._person(
            title="Cllr" if relationship == "councillor" else None,
            organisation=rng.choice(represents) if isinstance(represents, tuple) else represents,
            last=victim[1].split()[-1] if relationship == "family" and rng.random() < 0.7 else None)
        return applicant, victim[0], relationship, victim[2]

    def _location(self, place: tuple[str, str, int]) -> tuple[int | None, str]:
        rng = self.rng
        town, street, number = place
        if rng.random() < 0.25:
            return None, f"{number} {street}"
        description = rng.choice((f"Outside {number + 2} {street}, {town}",
                                  f"{street}, {town}, outside numbers {number} to {number + 8}",
                                  f"The alleyway behind {street}, {town}", rng.choice(D.LANDMARKS)))
        key = " ".join(description.casefold().split())
        if key not in self.locations:  # shared, as intake shares them, so neighbours' cases meet
            self.locations[key] = self.add("problem_locations", description=description, search_key=key)
        return self.locations[key], description

    def _perpetrators(self, place: tuple[str, str, int]) -> list[int]:
        rng = self.rng
        town, street, number = place
        known = self.perpetrators.setdefault(f"{street}|{town}", [])
        chosen: list[int] = []
        for _ in range(rng.choices((0, 1, 2), (30, 55, 15))[0]):
            if known and rng.random() < 0.3:
                pid = rng.choice(known)
            else:
                n = number + rng.choice((-2, 2, 4))
                named = rng.random() < 0.4
                pid = self.add(
                    "alleged_perpetrators",
                    name=f"{rng.choice(D.FIRST_NAMES_M + D.FIRST_NAMES_F)} {rng.choice(D.SURNAMES)}" if named else None,
                    description=None if named and rng.random() < 0.5 else rng.choice(D.PERPETRATORS).format(n=max(1, n)),
                    address=f"{max(1, n)} {street}, {town}" if rng.random() < 0.6 else None)
                known.append(pid)
            if pid not in chosen:
                chosen.append(pid)
        return chosen

    # -- incidents ------------------------------------------------------------------------------
    def _incidents(self, case_id: int, plan: Plan, received: date, types: list[str],
                   location: tuple[int | None, str]) -> list[dict[str, Any]]:
        rng, need = self.rng, self.settings.threshold.incidents_needed
        decided = "decided" in plan.on
        if decided and plan.route in ("met", "withdrawn"):
            good = need + rng.choice((0, 0, 1, 1, 2)) if rng.random() > 0.07 else rng.randint(max(0, need - 2), need - 1)
        elif decided:
            good = rng.randint(0, need - 1)
        else:
            good = rng.randint(0, need + 2)
        kinds = ["ok"] * min(good, 6) + rng.choices(("late", "old", "approx", "other", "unknown"),
                                                    (30, 15, 20, 15, 20), k=rng.choices((0, 1, 2, 3), (35, 35, 20, 10))[0])
        kinds = kinds[:6] or [rng.choice(("late", "approx", "unknown"))]
        checked = "ack" in plan.on  # an officer has looked: duplicates linked, some incidents unticked
        if checked and good and len(kinds) < 6 and rng.random() < 0.08:
            kinds.append("dup")
        if checked and len(kinds) < 6 and rng.random() < 0.05:
            kinds.append("unticked")
        drafts: list[dict[str, Any]] = []
        for kind in kinds:
            occurred, start, end, reported = self._dates(kind, received)
            spelling, agency_id = rng.choice(self.other if kind == "other" else self.unknown
                                             if kind == "unknown" else self.relevant)
            original = next((d for d in drafts if d["kind"] == "ok"), None) if kind == "dup" else None
            if original:  # the same incident, also reported to another agency
                occurred, reported = original["occurred_on"], original["reported_on"]
            hate = rng.random() < 0.04
            name = self.agency[agency_id][0] if agency_id else spelling
            drafts.append(dict(
                kind=kind, original=original, occurred_on=occurred, occurred_from=start, occurred_to=end,
                reported_on=reported, reported_to=spelling, agency_id=agency_id,
                reported_by=rng.choice(D.REPORTED_BY), how_reported=rng.choice(D.HOW_REPORTED),
                contact_name=(f"PC {rng.choice(D.SURNAMES)}" if "Police" in name else
                              f"{rng.choice(D.FIRST_NAMES_F)} {rng.choice(D.SURNAMES)}") if agency_id and rng.random() < 0.6 else None,
                agency_reference=(f"46/{rng.randint(10000, 99999)}/{reported.year % 100:02d}" if "Police" in name else
                                  f"{''.join(w[0] for w in name.split() if w[0].isupper())}-{rng.randint(1000, 99999)}")
                if agency_id and rng.random() < 0.7 else None,
                location=location[1], same_problem=kind != "unticked", hate_incident=hate,
                description=rng.choice(D.HATE) if hate else rng.choice(D.ASB[rng.choice(types)])))
        drafts.sort(key=lambda d: d["occurred_on"] or d["occurred_from"])
        rows = []
        for position, d in enumerate(drafts):
            kind, original = d.pop("kind"), d.pop("original")
            d["id"] = self.add("incidents", case_id=case_id, position=position,
                               duplicate_of_id=original["id"] if original else None, **d)
            rows.append(self.rows["incidents"][-1])
        return rows

    def _dates(self, kind: str, received: date) -> tuple[date | None, date | None, date | None, date]:
        """Dates that make the incident count or not, whatever else is true of it."""
        rng, days = self.rng, timedelta
        if kind == "late":  # more than a month after it happened
            occurred = received - days(rng.randint(40, 170))
            return occurred, None, None, occurred + days(rng.randint(32, min(90, (received - occurred).days)))
        if kind == "old":  # more than six months before the application
            occurred = received - days(rng.randint(200, 400))
            return occurred, None, None, occurred + days(rng.randint(0, 14))
        if kind == "approx":  # "sometime in March": to confirm
            start = (received - days(rng.randint(20, 150))).replace(day=1)
            end = min(add_months(start, 1) - days(1), received)
            return None, start, end, start + days(rng.randint(0, (end - start).days))
        occurred = received - days(rng.randint(0, 150))
        return occurred, None, None, occurred + days(min(rng.choice((0, 0, 1, 1, 2, 3, 7, 14, 25)),
                                                         (received - occurred).days))

    # -- agencies, panel, secondary review ---------------------------------------------------------
    def _requests(self, case_id: int, plan: Plan, kind: str, event: str,
                  agencies: list[int]) -> list[AgencyRequestFacts]:
        if event not in plan.on:
            return []
        rng, events = self.rng, list(plan.on)
        sent = plan.on[event]
        after = events[events.index(event) + 1] if events[-1] != event else None
        facts = []
        for agency_id in agencies:
            due = self.wd(sent, self.settings.clocks.agency_information)
            answered: date | None = self.wd(sent, rng.randint(2, 16))
            if after and after != "withdrawn":
                answered = min(answered, plan.on[after])  # everything was back before the next step
            elif answered > (plan.on[after] if after else self.today):
                answered = None
            chased: date | None = self.wd(due, 1)
            if chased > self.today or (answered and chased >= answered) or (answered is None and rng.random() < 0.3):
                chased = None
            revised = self.wd(chased, 5) if chased and answered is None and rng.random() < 0.5 else None
            request_id = self.add("agency_requests", case_id=case_id, agency_id=agency_id, kind=kind,
                                  sent_on=sent, due_on=due, revised_due_on=revised, chased_on=chased,
                                  answered_on=answered)
            facts.append(AgencyRequestFacts(sent, answered, revised))
            if kind == "information" and answered:
                name, agency_kind, _ = self.agency[agency_id]
                for _ in range(rng.randint(1, 3)):
                    self.add("agency_actions", case_id=case_id, agency_id=agency_id, request_id=request_id,
                             action_on=sent - timedelta(days=rng.randint(1, 180)),
                             description=rng.choice(D.ACTIONS[_action_kind(agency_kind)]),
                             source_document=f"{name} {rng.choice(D.DOCUMENTS)}",
                             created_at=datetime.combine(answered, time(rng.randint(9, 16))))
        return facts

    def _meeting(self, day: date, held: bool, agencies: list[int]) -> int:
        if day in self.meetings:
            return self.meetings[day]
        rng = self.rng
        venue = rng.choice(D.VENUES)
        state = "planned" if not held else "minutes_approved" if (self.today - day).days > 20 else "held"
        meeting = self.meetings[day] = self.add(
            "panel_meetings", starts_at=datetime.combine(day, time(10)), place=venue,
            online_link="https://teams.example.org/meet/" + day.strftime("%Y%m%d") if "Online" in venue else None,
            chair=rng.choice(D.CHAIRS), state=state, held_on=day if held else None)
        people = [("chair", None), ("note taker", None)] + [("agency representative", a) for a in agencies]
        for role, agency_id in people:
            self.add("panel_attendees", meeting_id=meeting, role=role, agency_id=agency_id,
                     name=f"{rng.choice(D.FIRST_NAMES_F + D.FIRST_NAMES_M)} {rng.choice(D.SURNAMES)}",
                     attendance="invited" if not held else "apologies" if rng.random() < 0.1 else "attended")
        return meeting

    def _review(self, case_id: int, meeting: int, completes: bool) -> int:
        rng = self.rng
        invited = rng.random() < 0.7
        return self.add("case_reviews", meeting_id=meeting, case_id=case_id, victim_invited=invited,
                        victim_attended=invited and rng.random() < 0.4,
                        impact_statement=rng.choice(D.IMPACTS) if rng.random() < 0.5 else None,
                        information_considered=rng.choice(D.INFO_CONSIDERED),
                        decision=rng.choice(D.REVIEW_DECISIONS) if completes else None,
                        completes_review=completes)

    def _panel(self, case_id: int, plan: Plan, agencies: list[int]) -> None:
        rng, on = self.rng, plan.on
        if plan.status == S.PANEL_SCHEDULED:
            self._review(case_id, self._meeting(self.wd(self.today, rng.randint(1, 12)), False, agencies), False)
        if "panel" not in on:
            return
        earlier = self.cal.subtract_working_days(on["panel"], 10)
        if rng.random() < 0.08 and earlier > on["scheduled"]:  # adjourned once: a second meeting finished it
            self._review(case_id, self._meeting(earlier, True, agencies), False)
        review = self._review(case_id, self._meeting(on["panel"], True, agencies), True)
        for n in range(rng.randint(1, 3)):
            self.add("findings", review_id=review, text=rng.choice(D.FINDINGS), key_finding=n == 0)
        outcome = on.get("outcome")
        for _ in range(0 if rng.random() < 0.15 else rng.randint(1, 3)):
            self._recommendation(case_id, rng.choice(agencies or list(self.agency)), on["panel"], outcome, review_id=review)

    def _recommendation(self, case_id: int, agency_id: int, made: date, told: date | None, **source: Any) -> None:
        rng = self.rng
        action, rationale = rng.choice(D.RECOMMENDATIONS)
        due = made + timedelta(days=rng.randint(20, 60))
        status, responded, completed = "open", None, None
        if told and (answer := told + timedelta(days=rng.randint(3, 20))) <= self.today:
            responded = answer
            status = rng.choices(("accepted", "completed", "declined"), (40, 45, 15))[0]
            completed = answer + timedelta(days=rng.randint(0, 30)) if status == "completed" else None
            if completed and completed > self.today:
                status, completed = "accepted", None
        chased = due + timedelta(days=3) if status == "open" and due + timedelta(days=3) <= self.today else None
        self.add("recommendations", case_id=case_id, agency_id=agency_id, action=action, rationale=rationale,
                 due_on=due, status=status, responded_on=responded, completed_on=completed, chased_on=chased,
                 response={"accepted": "Accepted; work under way.", "completed": "Done; details sent to the CSU.",
                           "declined": "Declined: not within our powers."}.get(status), **source)

    def _secondary(self, case_id: int, plan: Plan, applicant: str,
                   agencies: list[int]) -> tuple[date | None, date | None]:
        rng, on = self.rng, plan.on
        requested, done = on.get("sr_req"), on.get("sr_done")
        if requested is None:
            return None, None
        outcome, reasons = rng.choice(D.SR_OUTCOMES if plan.route == "met" else D.SR_OUTCOMES[:2]) if done else (None, None)
        review = self.add("secondary_reviews", case_id=case_id, requested_on=requested, requested_by=applicant,
                          grounds=rng.choice(D.SR_GROUNDS), reviewer=rng.choice(D.SR_REVIEWERS),
                          due_on=self.wd(requested, self.settings.clocks.secondary_review), outcome=outcome,
                          outcome_reasons=reasons, outcome_sent_on=done,
                          completed_on=self.cal.subtract_working_days(done, rng.randint(0, 2)) if done else None)
        if outcome == "upheld":
            self._recommendation(case_id, rng.choice(agencies), done, done, secondary_review_id=review)  # type: ignore[arg-type]
        return requested, done


def _action_kind(kind: str) -> str:
    kind = kind.casefold()
    for word in ("police", "housing", "health"):
        if word in kind:
            return word
    return "other" if kind.startswith("other") or "council" not in kind else "council"

