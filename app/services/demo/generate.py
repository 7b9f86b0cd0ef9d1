"""Demo data: many realistic made-up cases in every state, written fast with Core bulk inserts.

Each case is planned first (demo_plan: its dated events, cut at its status), then turned into
rows: people, incidents, agency requests and actions, panel reviews, secondary reviews. Ids are
allocated here, after each table's current maximum, so that one executemany per table writes a
whole batch; the threshold indicator and the clocks come from the domain rules, as for any case.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import count as counter
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from app.db.models import (Agency, AgencyAction, AgencyAlias, AgencyRequest, Case, CasePerpetrator,
                           CaseReview, Finding, Incident, PanelAttendee, PanelMeeting, Perpetrator,
                           Person, ProblemLocation, Recommendation, SecondaryReview, User)
from app.db.models.base import utcnow
from app.domain.clocks import AgencyRequestFacts, CaseClockFacts, next_due, running_clocks
from app.domain.settings import Settings
from app.domain.threshold import IncidentFacts, assess
from app.domain.workflow import Status
from app.services.common.sql import table_of
from app.services.common import audit
from app.services.demo import words as D
from app.services.agencies.matching import AgencyMatcher
from app.services.common.bulk_insert import row_template, sync_sequences
from app.services.cases.references import reserve_numbers
from app.domain.roles import Permission
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError
from app.services.common.ops import NOTHING, Changes, Part, Progress, in_batches
from app.services.demo.plan import CachedCalendar, Plan, plan_cases
from app.services.intake.applications import person_search_key
from app.services.cases.references import format_reference
from app.services.cases.steps import NOT_ACCEPTED_REASONS

BATCH = 500  # cases per transaction: big enough for executemany to pay off, small enough for progress and a stop
ACTOR = "demo"
# Written in this order in each batch, so that every foreign key points at a row already there.
TABLES: tuple[Table, ...] = tuple(table_of(m) for m in (
    ProblemLocation, Person, Perpetrator, PanelMeeting, PanelAttendee, Case, CasePerpetrator, Incident,
    AgencyRequest, AgencyAction, CaseReview, Finding, SecondaryReview, Recommendation))
RESPONSES = {"accepted": "Accepted; work under way.", "completed": "Done; details sent to the CSU.",
             "declined": "Declined: not within our powers."}


@dataclass(frozen=True)
class DemoLoaded:
    """Demo cases made: each batch of cases is written whole, so a stop leaves whole batches only."""
    made: int
    not_started: int  # cases asked for but not made, because the user stopped the work
    changes: Changes

    @property
    def cancelled(self) -> bool:
        return self.not_started > 0

    def summary(self) -> str:
        if not self.cancelled:
            return f"Created {self.made} demo cases."
        return (f"Stopped after {self.made} of {self.made + self.not_started} demo cases; "
                f"{self.not_started} not started.")


def generate_demo_cases(ctx: ServiceContext, count: int, *, seed: int = 2014, progress: Progress | None = None,
                        batch: int | None = None) -> DemoLoaded:
    """Add `count` made-up cases received over the last eight years, `batch` (default BATCH) per unit of work.

    Refused on a database that holds any case the demo did not make: made-up cases among real ones
    would be counted in the statutory figures and could not be told apart later. `progress` counts
    the cases made; a cancel stops between batches, and every batch written is whole (its cases
    with all their records, and its own audit entry).
    """
    ctx.require(Permission.CHANGE_CASES)
    if count < 1:
        return DemoLoaded(0, 0, NOTHING)
    with ctx.reading() as session:
        real = session.scalar(select(func.count()).select_from(Case).where(Case.created_by != ACTOR)) or 0
    if real:
        raise ServiceError(f"This database holds {real:,} real case{'s' if real != 1 else ''} (not made by the demo), "
                           "so no demo cases were added: they would be counted in the statutory figures with them. "
                           "Try the demo on a new, empty database instead (for example: community-trigger --database "
                           "demo.db demo).")
    settings, rng = ctx.settings(), random.Random(seed)
    cal = CachedCalendar(settings.closure_days)  # the same working days as ctx.calendar()
    plans = plan_cases(rng, count, ctx.today(), ctx.now(), cal)
    builder: _Builder | None = None
    made = 0
    for chunk in in_batches(plans, batch or BATCH, progress, "demo cases"):
        with ctx.unit_of_work() as session:
            if builder is None:  # in the first batch's transaction: the ids to follow, the demo's officers
                builder = _Builder(session, rng, settings, cal, ctx.today())
                known = {login.lower() for login in session.scalars(select(User.login))}
                session.add_all(User(login=login, display_name=name, role="officer", active=False)
                                for login, name in D.OFFICER_NAMES.items() if login not in known)
            for plan, reference in zip(chunk, _references(session, list(chunk), settings.council.reference_prefix)):
                builder.case(plan, reference)
            builder.write(session)
            # In the same transaction as the rows: PostgreSQL must never hand out these ids again,
            # even if a later batch fails (ids were allocated here, not by the sequences).
            sync_sequences(session, TABLES)
            audit.record(session, ctx, "create", "case", None,
                         reason=f"demo data: {len(chunk)} made-up cases generated (seed {seed}, "
                                f"{made + 1} to {made + len(chunk)} of {count})")
        made += len(chunk)
    # Every case shown (the list, the counts, the figures, the meetings) is new.
    changes = Changes(parts=frozenset({Part.LIST, Part.MEETINGS, Part.REPORTS, Part.USERS}), all_cases=True)
    return DemoLoaded(made, count - made, changes if made else NOTHING)


def _references(session: Session, plans: list[Plan], prefix: str) -> list[str]:
    """References in order received, from a block of numbers per year."""
    years = Counter(p.received_at.year for p in plans)
    following = {year: reserve_numbers(session, year, years[year]) for year in sorted(years)}
    references = []
    for plan in plans:
        year = plan.received_at.year
        references.append(format_reference(prefix, year, following[year]))
        following[year] += 1
    return references


class _Builder:
    """Turns plans into rows, kept in memory until the batch is written."""

    def __init__(self, session: Session, rng: random.Random, settings: Settings, cal: CachedCalendar,
                 today: date) -> None:
        self.rng, self.settings, self.cal, self.today = rng, settings, cal, today
        self.ids = {t.name: counter((session.scalar(select(func.max(t.c.id))) or 0) + 1)
                    for t in TABLES if "id" in t.c}
        self.rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
        stamp = utcnow()
        self.templates = {t.name: row_template(t, ACTOR, stamp) for t in TABLES}
        matcher = AgencyMatcher(session)
        agencies = session.execute(select(Agency.id, Agency.name, Agency.kind, Agency.relevant_body)
                                   .where(Agency.active.is_(True)).order_by(Agency.id)).all()
        self.agency = {a.id: (a.name, a.kind, a.relevant_body) for a in agencies}
        # How applicants write each agency (name or alias), weighted to who hears most about ASB.
        self.relevant: list[tuple[str, int | None]] = []
        self.other: list[tuple[str, int | None]] = []
        for a in agencies:
            weight = 4 if "police" in a.kind else 2 if a.kind == "council" or "housing" in a.kind else 1
            aliases = session.scalars(select(AgencyAlias.alias).where(AgencyAlias.agency_id == a.id)
                                      .order_by(AgencyAlias.id))
            spellings = [a.name] * weight + [x for x in aliases if (m := matcher.match(x)) and m.id == a.id]
            (self.relevant if a.relevant_body else self.other).extend((s, a.id) for s in spellings)
        self.unknown: list[tuple[str, int | None]] = [(o, None) for o in D.UNKNOWN_ORGS if matcher.match(o) is None]
        self.relevant, self.other = self.relevant or self.unknown, self.other or self.unknown
        self.locations = dict(session.execute(select(ProblemLocation.search_key, ProblemLocation.id)).all())
        self.meetings: dict[date, int] = {}
        self.perpetrators: dict[str, list[int]] = {}  # by street, so that neighbours' cases link up
        self.applicants: list[tuple[int, str, D.Place]] = []  # recent ones; a few apply again

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

    def case(self, plan: Plan, reference: str) -> None:
        rng, on, clocks = self.rng, plan.on, self.settings.clocks
        case_id, received, met = next(self.ids["cases"]), plan.received_at.date(), plan.met
        applicant, victim, relationship, where = self._parties(plan)
        types = rng.sample(list(D.ASB), rng.choice((1, 1, 2, 2, 3)))
        location = self._location(where)
        for perpetrator in self._perpetrators(where):
            self.add("case_perpetrators", case_id=case_id, perpetrator_id=perpetrator)
        incidents = self._incidents(case_id, plan, received, types, location[1] or f"{where[2]} {where[1]}")
        threshold = assess([IncidentFacts(
            i["id"], i["occurred_on"], i["reported_on"],
            self.agency[i["agency_id"]][0] if i["agency_id"] else i["reported_to"],
            self.agency[i["agency_id"]][2] if i["agency_id"] else None, i["same_problem"],
            i["duplicate_of_id"], i["occurred_from"], i["occurred_to"], i["hate_incident"])
            for i in incidents], received, self.settings.threshold)
        involved = list(dict.fromkeys(i["agency_id"] for i in incidents
                                      if i["agency_id"] and self.agency[i["agency_id"]][2]))[:3]
        partners = [a for a in rng.sample(list(self.agency), min(2, len(self.agency))) if a not in involved]
        requests = self._requests(case_id, plan, "confirmation", "check", involved)
        requests += self._requests(case_id, plan, "information", "info", (involved + partners)[:4])
        self._panel(case_id, plan, involved + partners)
        secondary = self._secondary(case_id, plan, applicant[1], involved or list(self.agency))
        decided, need = on.get("decided"), self.settings.threshold.incidents_needed
        revised = None
        if met and decided:
            original = self.wd(decided, clocks.outcome)
            if (on.get("outcome") or on.get("withdrawn") or self.today) > original and rng.random() < 0.7:
                revised = self.wd(original, rng.randint(10, 20))  # a delay letter gave a new date
        q = threshold.qualifying_incidents
        failing = next((v.reason for v in threshold.verdicts if not v.qualifies), "")
        reason = (None if decided is None else
                  f"{q} incidents qualify, confirmed by the agencies." if met and q >= need else
                  f"{q} of {need} incidents qualify, but met because {rng.choice(D.DISCRETION)}." if met else
                  f"Only {q} of {need} incidents qualify" + (f" (for example: {failing})." if failing else "."))
        refused = rng.choice(D.NOT_ACCEPTED)
        consent_on, victim_waits = on.get("consent"), plan.consent == "victim"
        officer = rng.choice(D.OFFICERS)
        first = next_due(running_clocks(CaseClockFacts(
            status=plan.status, received_on=received, consent_recorded_on=consent_on,
            acknowledged_on=on.get("ack"), threshold_decided_on=decided, threshold_met=met,
            agency_requests=tuple(requests), panel_completed_on=on.get("panel"),
            outcome_sent_on=on.get("outcome"), revised_outcome_due=revised,
            decision_letter_sent_on=on.get("letter"), secondary_review_requested_on=secondary[0],
            secondary_review_outcome_sent_on=secondary[1]), self.cal, clocks))
        self.add(
            "cases", id=case_id, reference=reference, channel=plan.channel, received_at=plan.received_at,
            received_on=received, status=plan.status.value,
            source_reference=f"WEB-DEMO-{case_id:07d}" if plan.channel == "online" else None,
            applicant_id=applicant[0], victim_id=victim, relationship_to_victim=relationship,
            victim_consent=None if victim is None else not victim_waits,
            victim_consent_method=rng.choice(("verbal", "signed", "email")) if victim and not victim_waits else None,
            victim_consent_given_on=(consent_on or received - timedelta(days=rng.randint(0, 20)))
            if victim and not victim_waits else None,
            consent_to_share=plan.consent != "share", consent_recorded_by=officer,
            consent_recorded_at=datetime.combine(consent_on, time(10)) if consent_on else plan.received_at,
            consent_completed_on=consent_on, asb_types=", ".join(types), problem_location_id=location[0],
            impact=rng.choice(D.IMPACTS), desired_outcome=rng.choice(D.DESIRED),
            vulnerability=rng.choice(D.VULNERABILITIES) if rng.random() < 0.3 else None,
            officer=None if len(on) == 1 and rng.random() < 0.5 else officer,  # named on acknowledgement
            acknowledged_on=on.get("ack"),
            not_accepted_reason=f"{NOT_ACCEPTED_REASONS[refused[0]]}: {refused[1]}" if "not_accepted" in on else None,
            withdrawn_on=on.get("withdrawn"),
            withdrawn_reason=rng.choice(D.WITHDRAWN) if "withdrawn" in on else None,
            threshold_met=met, threshold_decided_on=decided, threshold_reason=reason,
            threshold_decided_by=rng.choice(D.SENIOR_OFFICERS) if decided else None,
            threshold_not_met_action=rng.choice(D.NOT_MET_ACTIONS) if met is False else None,
            decision_letter_sent_on=on.get("letter"), panel_completed_on=on.get("panel"),
            outcome_sent_on=on.get("outcome"), revised_outcome_due=revised, closed_on=on.get("closed"),
            next_due_on=first.due if first else None, next_clock=first.clock.value if first else None,
            qualifying_incidents=q, created_at=plan.received_at)

    def _person(self, **kwargs: Any) -> tuple[int, str, D.Place]:
        values, name, where = D.person(self.rng, **kwargs)
        surname = values["last_name"] or values["organisation"]  # as intake keys a person
        key = person_search_key(surname, values["postcode"], values["phone"])
        return self.add("people", search_key=key, **values), name, where

    def _parties(self, plan: Plan) -> tuple[tuple[int, str, D.Place], int | None, str | None, D.Place]:
        """The applicant, and the victim when someone applies on their behalf; where the problem is."""
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

    def _location(self, where: D.Place) -> tuple[int | None, str | None]:
        description = D.problem_location(self.rng, where)
        if description is None:
            return None, None
        key = " ".join(description.casefold().split())
        if key not in self.locations:  # shared, as intake shares them, so that neighbours' cases meet
            self.locations[key] = self.add("problem_locations", description=description, search_key=key)
        return self.locations[key], description

    def _perpetrators(self, where: D.Place) -> list[int]:
        rng = self.rng
        known = self.perpetrators.setdefault(f"{where[1]}|{where[0]}", [])
        chosen: list[int] = []
        for _ in range(rng.choices((0, 1, 2), (30, 55, 15))[0]):
            if known and rng.random() < 0.3:
                pid = rng.choice(known)  # already named in a neighbour's case
            else:
                pid = self.add("alleged_perpetrators", **D.perpetrator(rng, where))
                known.append(pid)
            if pid not in chosen:
                chosen.append(pid)
        return chosen

    def _incidents(self, case_id: int, plan: Plan, received: date, types: list[str],
                   location: str) -> list[dict[str, Any]]:
        """1 to 6 incidents; enough of them count when the officer decided 'met', too few for 'not met'."""
        rng, need = self.rng, self.settings.threshold.incidents_needed
        if plan.met:
            good = (need + rng.choice((0, 0, 1, 1, 2)) if rng.random() > 0.07
                    else rng.randint(max(0, need - 2), need - 1))  # met below the number, with a reason
        else:
            good = rng.randint(0, need - 1) if plan.met is False else rng.randint(0, need + 2)
        extra = rng.choices((0, 1, 2, 3), (35, 35, 20, 10))[0]
        kinds = ["ok"] * min(good, 6) + rng.choices(("late", "old", "approx", "other", "unknown"),
                                                    (30, 15, 20, 15, 20), k=extra)
        kinds = kinds[:6] or [rng.choice(("late", "approx", "unknown"))]
        checked = "ack" in plan.on  # an officer has looked: duplicates linked, some incidents unticked
        if checked and good and len(kinds) < 6 and rng.random() < 0.08:
            kinds.append("dup")
        if checked and len(kinds) < 6 and rng.random() < 0.05:
            kinds.append("unticked")
        drafts: list[dict[str, Any]] = []
        for kind in kinds:
            occurred, start, end, reported = D.incident_dates(rng, kind, received)
            spelling, agency_id = rng.choice(self.other if kind == "other" else
                                             self.unknown if kind == "unknown" else self.relevant)
            original = next((d for d in drafts if d["kind"] == "ok"), None) if kind == "dup" else None
            if original:  # the same incident, reported to a second agency and linked by the officer
                occurred, reported = original["occurred_on"], original["reported_on"]
            hate = rng.random() < 0.04
            contact, agency_reference = (D.contact_and_reference(rng, self.agency[agency_id][0], reported.year)
                                         if agency_id else (None, None))
            drafts.append(dict(
                kind=kind, original=original, occurred_on=occurred, occurred_from=start, occurred_to=end,
                reported_on=reported, reported_to=spelling, agency_id=agency_id, contact_name=contact,
                agency_reference=agency_reference, reported_by=rng.choice(D.REPORTED_BY),
                how_reported=rng.choice(D.HOW_REPORTED), location=location, same_problem=kind != "unticked",
                hate_incident=hate, description=rng.choice(D.HATE) if hate else rng.choice(D.ASB[rng.choice(types)])))
        drafts.sort(key=lambda d: d["occurred_on"] or d["occurred_from"])  # listed as they happened
        rows = []
        for position, d in enumerate(drafts):
            d.pop("kind")
            original = d.pop("original")
            d["id"] = self.add("incidents", case_id=case_id, position=position,
                               duplicate_of_id=original["id"] if original else None, **d)
            rows.append(self.rows["incidents"][-1])
        return rows

    def _requests(self, case_id: int, plan: Plan, kind: str, event: str,
                  agencies: list[int]) -> list[AgencyRequestFacts]:
        """Requests sent on the event's date; answered before the next step (or not yet, or late)."""
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
                answered = min(answered, plan.on[after])  # type: ignore[type-var]
            elif answered > (plan.on[after] if after else self.today):  # type: ignore[operator]
                answered = None
            chased: date | None = self.wd(due, 1)
            if (chased > self.today or (answered is not None and chased >= answered)  # type: ignore[operator]
                    or (answered is None and rng.random() < 0.3)):
                chased = None
            revised = self.wd(chased, 5) if chased and answered is None and rng.random() < 0.5 else None
            request_id = self.add("agency_requests", case_id=case_id, agency_id=agency_id, kind=kind,
                                  sent_on=sent, due_on=due, revised_due_on=revised, chased_on=chased,
                                  answered_on=answered)
            facts.append(AgencyRequestFacts(sent, answered, revised))
            if kind == "information" and answered:  # what the agency did: the case chronology
                name, agency_kind, _ = self.agency[agency_id]
                for _ in range(rng.randint(1, 3)):
                    self.add("agency_actions", case_id=case_id, agency_id=agency_id, request_id=request_id,
                             action_on=sent - timedelta(days=rng.randint(1, 180)),
                             description=rng.choice(D.ACTIONS[D.action_kind(agency_kind)]),
                             source_document=f"{name} {rng.choice(D.DOCUMENTS)}",
                             created_at=datetime.combine(answered, time(rng.randint(9, 16))))
        return facts

    def _meeting(self, day: date, held: bool, agencies: list[int]) -> int:
        """One panel meeting per day, shared by every case reviewed that day."""
        if day in self.meetings:
            return self.meetings[day]
        rng = self.rng
        venue = rng.choice(D.VENUES)
        state = "planned" if not held else "minutes_approved" if (self.today - day).days > 20 else "held"
        meeting = self.meetings[day] = self.add(
            "panel_meetings", starts_at=datetime.combine(day, time(10)), place=venue,
            online_link=f"https://teams.example.org/meet/{day:%Y%m%d}" if "Online" in venue else None,
            chair=rng.choice(D.CHAIRS), state=state, held_on=day if held else None)
        members = [("chair", None), ("note taker", None)] + [("agency representative", a) for a in agencies]
        for role, agency_id in members:
            self.add("panel_attendees", meeting_id=meeting, role=role, agency_id=agency_id,
                     name=f"{rng.choice(D.FIRST_NAMES_F + D.FIRST_NAMES_M)} {rng.choice(D.SURNAMES)}",
                     attendance="invited" if not held else "apologies" if rng.random() < 0.1 else "attended")
        return meeting

    def _review(self, case_id: int, meeting: int, decision: str | None) -> int:
        """The case on one meeting's agenda; a decision means this meeting completed the review."""
        rng = self.rng
        invited = rng.random() < 0.7
        return self.add("case_reviews", meeting_id=meeting, case_id=case_id, victim_invited=invited,
                        victim_attended=invited and rng.random() < 0.4,
                        impact_statement=rng.choice(D.IMPACTS) if rng.random() < 0.5 else None,
                        information_considered=rng.choice(D.INFO_CONSIDERED), decision=decision,
                        completes_review=decision is not None)

    def _panel(self, case_id: int, plan: Plan, agencies: list[int]) -> None:
        rng, on = self.rng, plan.on
        if plan.status == Status.PANEL_SCHEDULED:
            self._review(case_id, self._meeting(self.wd(self.today, rng.randint(1, 12)), False, agencies), None)
        if "panel" not in on:
            return
        earlier = self.cal.subtract_working_days(on["panel"], 10)
        if rng.random() < 0.08 and earlier > on["scheduled"]:  # adjourned once; the second meeting finished it
            self._review(case_id, self._meeting(earlier, True, agencies), None)
        recommendations = 0 if rng.random() < 0.15 else rng.randint(1, 3)  # some reviews recommend nothing
        review = self._review(case_id, self._meeting(on["panel"], True, agencies),
                              D.REVIEW_DECISIONS[0 if recommendations else 1])
        for n in range(rng.randint(1, 3)):
            self.add("findings", review_id=review, text=rng.choice(D.FINDINGS), key_finding=n == 0)
        pool = agencies or list(self.agency)
        for _ in range(recommendations if pool else 0):
            self._recommendation(case_id, rng.choice(pool), on["panel"],
                                 on.get("outcome"), review_id=review)

    def _recommendation(self, case_id: int, agency_id: int, made: date, told: date | None, **source: Any) -> None:
        """Agencies answer once the outcome letter has gone; older ones are mostly done."""
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
            if status == "accepted" and due < self.today - timedelta(days=180):
                status, completed = "completed", due  # accepted long ago: carried out by now
        chase = due + timedelta(days=3)
        self.add("recommendations", case_id=case_id, agency_id=agency_id, action=action, rationale=rationale,
                 due_on=due, status=status, responded_on=responded, completed_on=completed,
                 chased_on=chase if status == "open" and chase <= self.today else None,
                 response=RESPONSES.get(status), **source)

    def _secondary(self, case_id: int, plan: Plan, applicant: str,
                   agencies: list[int]) -> tuple[date | None, date | None]:
        rng, on = self.rng, plan.on
        requested, done = on.get("sr_req"), on.get("sr_done")
        if requested is None:
            return None, None
        # Upholding a not met or not accepted decision would reopen the case: not in the demo.
        outcomes = D.SR_OUTCOMES if plan.route == "met" else D.SR_OUTCOMES[:2]
        outcome, reasons = rng.choice(outcomes) if done else (None, None)
        review = self.add("secondary_reviews", case_id=case_id, requested_on=requested, requested_by=applicant,
                          grounds=rng.choice(D.SR_GROUNDS), reviewer=rng.choice(D.SR_REVIEWERS),
                          due_on=self.wd(requested, self.settings.clocks.secondary_review), outcome=outcome,
                          outcome_reasons=reasons, outcome_sent_on=done,
                          completed_on=self.cal.subtract_working_days(done, rng.randint(0, 2)) if done else None)
        if outcome == "upheld" and done and agencies:
            self._recommendation(case_id, rng.choice(agencies), done, done, secondary_review_id=review)
        return requested, done
