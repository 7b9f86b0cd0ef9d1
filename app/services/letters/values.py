"""The values each letter template is filled with, taken from a case's records (wording stays in the templates)."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.db.models import Agency, Incident, PanelAttendee, PanelMeeting, Person
from app.domain.clocks import Clock
from app.domain.dates import add_months, long_form
from app.domain.settings import Settings
from app.domain.calendar import WorkingCalendar
from app.services.letters.facts import RP_KIND, CaseRecords
from app.services.letters.law_values import law_template_values
from app.services.cases.steps import NOT_ACCEPTED_REASONS

CHANNEL_PHRASES = {"telephone": "by telephone", "post": "by post", "online": "through our online form",
                   "email": "by email", "in_person": "in person"}
NOT_ACCEPTED_WHY = {
    "not_asb": ("The behaviour you told us about is not anti-social behaviour as the law defines it: "
                "behaviour that causes harassment, alarm or distress to a member of the public."),
    "outside_area": "The problem you told us about happens outside the area this council covers.",
    "anonymous": "We cannot accept an application without a name and a way to contact you.",
    "service_complaint": ("Your application is a complaint about the service an organisation gave "
                          "you. The Community Trigger cannot deal with that."),
}
WHERE_INSTEAD = {
    "not_asb": ("If you think a crime has been committed, report it to the police on 101, or 999 in an "
                "emergency. For other problems, such as noise or rubbish, contact the council on {phone}."),
    "outside_area": ("Please contact the council for the area where the problem happens. You can find it "
                     "at www.gov.uk/find-local-council."),
    "anonymous": ("You can apply again and give your name. We only share your details with the agencies "
                  "involved in the review, and only what the review needs."),
    "service_complaint": ("Please use that organisation's own complaints procedure. If you are not sure "
                          "how, we can tell you: call {phone}."),
}
DECISIONS = {
    "upheld": "We have upheld your request.",
    "partly_upheld": "We have partly upheld your request.",
    "not_upheld": "We have not upheld your request. The original decision stands.",
    "referred_back": "We have referred your case back to the review panel.",
}
ROLE_PHRASES = {"chair": "the chair of the panel", "independent": "an independent panel member",
                "note taker": "a council officer who will take notes"}


@dataclass(frozen=True)
class Recipient:
    label: str  # stored in Letter.recipient
    lines: tuple[str, ...]  # the window address
    dear: str
    person: Person | None = None


def salutation(person: Person) -> str:
    if person.title and person.last_name:
        return f"{person.title} {person.last_name}"
    name = " ".join(p for p in (person.first_name, person.last_name) if p)
    return name or person.organisation or "Sir or Madam"


def person_recipient(person: Person) -> Recipient:
    lines = [person.display_name, *person.address_lines]
    if person.postcode:
        lines.append(person.postcode)
    return Recipient(person.display_name, tuple(lines), salutation(person), person)


def agency_recipient(agency: Agency, named: str | None = None) -> Recipient:
    address = [line for line in (agency.address or "").split("\n") if line.strip()]
    lines = ([named] if named else []) + [agency.name, *address]
    return Recipient(f"{named}, {agency.name}" if named else agency.name, tuple(lines), named or "colleague")


def attendee_recipient(attendee: PanelAttendee, agency: Agency | None) -> Recipient:
    address = [line for line in ((agency.address if agency else None) or "").split("\n") if line.strip()]
    lines = [attendee.name, *([agency.name] if agency else []), *address]
    label = f"{attendee.name}, {agency.name}" if agency else attendee.name
    return Recipient(label, tuple(lines), attendee.name)


# Small formatters ----------------------------------------------------------------------------

def when_happened(incident: Incident) -> str:
    if incident.occurred_on:
        return long_form(incident.occurred_on)
    start, end = incident.occurred_from, incident.occurred_to
    if start and end:
        if start.day == 1 and end == date(start.year, start.month, calendar.monthrange(start.year, start.month)[1]):
            return f"{start:%B} {start.year} (exact date to be confirmed)"
        return f"between {long_form(start)} and {long_form(end)} (exact date to be confirmed)"
    return "date not known"


def _agency_name(records: CaseRecords, incident: Incident) -> str:
    agency = records.agencies.get(incident.agency_id) if incident.agency_id else None
    return agency.name if agency else (incident.reported_to.strip() or "an organisation not named")


def incident_item(records: CaseRecords, incident: Incident) -> dict[str, str]:
    return {"when": when_happened(incident), "agency": _agency_name(records, incident),
            "reported": long_form(incident.reported_on) if incident.reported_on else "a date not given",
            "agency_reference": (f"your reference {incident.agency_reference}" if incident.agency_reference
                                 else "no reference given"),
            "description": _sentence(incident.description or "No description given")}


_UK_DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")
_PLAIN_REASONS = (
    (re.compile(r"^marked by the officer as not part of the same problem$"),
     "we judged it was not part of the same problem"),
    (re.compile(r"^reported to '(.*)', which is not matched to an agency yet$"),
     r"we could not match '\1' to an organisation that counts"),
    (re.compile(r"^(.*) is not a relevant body$"),
     r"\1 is not one of the organisations that count for the Community Trigger"),
    (re.compile(r"^date it happened is approximate.*$"), "we do not have the exact date it happened"),
    (re.compile(r"^date it happened is not known.*$"), "we do not know the date it happened"),
    (re.compile(r"^date it was reported is not known$"), "we do not know the date it was reported"),
    (re.compile(r"^reported before the date it happened.*$"), "the dates given do not agree"),
)


def plain_reason(reason: str) -> str:
    """The indicator's officer-facing reason, in the applicant's words and with long-form dates."""
    for pattern, words in _PLAIN_REASONS:
        if pattern.match(reason):
            reason = pattern.sub(words, reason)
            break
    return _UK_DATE.sub(lambda m: long_form(date(int(m[3]), int(m[2]), int(m[1]))), reason)


def _sentence(text: str) -> str:
    """A whole sentence: capital first letter, full stop at the end."""
    text = " ".join(text.split())
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _clause(text: str) -> str:
    return " ".join(text.split()).rstrip(".")


def time_of_day(moment: datetime) -> str:
    """GOV.UK style: 10am, 2:30pm, midday."""
    if moment.hour == 12 and moment.minute == 0:
        return "midday"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def meeting_values(meeting: PanelMeeting) -> dict[str, Any]:
    place = (meeting.place or "").strip()
    link = (meeting.online_link or "").strip()
    where = f"{place}, or online at {link}" if place and link else (place or (f"online at {link}" if link else None))
    return {"meeting_date": meeting.starts_at.date(), "meeting_time": time_of_day(meeting.starts_at),
            "meeting_place": where}


def _one_line(person: Person) -> str:
    return ", ".join([*person.address_lines, *([person.postcode] if person.postcode else [])]) or None  # type: ignore[return-value]


# The values -------------------------------------------------------------------------------------

def common_values(records: CaseRecords, settings: Settings, letter_date: date,
                  recipient: Recipient) -> dict[str, Any]:
    case, council = records.case, settings.council
    return {"reference": case.reference, "date": letter_date, "council": council.name,
            "unit": council.unit, "council_phone": council.phone, "council_email": council.email,
            "website": council.website, "dear": recipient.dear, "received_on": case.received_on,
            "channel": CHANNEL_PHRASES.get(case.channel, f"by {case.channel}"),
            "applicant_name": case.applicant.display_name,
            "applicant_address": _one_line(case.applicant),
            "threshold_days": settings.clocks.threshold_decision,
            "outcome_days": settings.clocks.outcome}


def template_values(template: str, records: CaseRecords, settings: Settings, cal: WorkingCalendar,
                    letter_date: date, *, agency: Agency | None = None,
                    applicant_is_tenant: bool | None = None) -> dict[str, Any]:
    """The values one template needs beyond the common ones; absent data is left out (the
    template then fails naming it) rather than guessed."""
    case, clocks = records.case, records.state.clocks
    days = settings.clocks
    v: dict[str, Any] = {}
    review_by = cal.add_working_days(letter_date, days.secondary_review_request)
    if template == "cannot-proceed":
        missing = []
        if case.victim_id is not None and not case.victim_consent:
            victim = case.victim.display_name if case.victim else "the victim"
            missing.append({"what": f"{victim}'s consent for you to apply on their behalf",
                            "how": (f"{victim} can tell us by phone, by email or in a signed letter "
                                    "that they agree.")})
        if not case.consent_to_share:
            missing.append({"what": "your agreement that we may share your details with the other agencies",
                            "how": ("We only share what the review needs, with agencies such as the "
                                    "police and your housing provider.")})
        v["missing"] = missing
    elif template == "not-accepted":
        reason = case.not_accepted_reason or ""
        code = next((k for k, text in NOT_ACCEPTED_REASONS.items() if reason.startswith(text)), None)
        details = reason.split(": ", 1)[1] if code and ": " in reason else ""
        v.update(why=NOT_ACCEPTED_WHY.get(code or "", _sentence(reason) if reason else None),
                 details=_sentence(details) if details else None, has_details=bool(details),
                 where_instead=WHERE_INSTEAD.get(code or "", "").format(phone=settings.council.phone) or None,
                 review_by=review_by)
    elif template == "withdrawal":
        v["withdrawn_on"] = case.withdrawn_on
    elif template == "acknowledgement":
        v["incidents"] = [incident_item(records, i) for i in case.incidents]
        v["awaiting_consent"] = case.status == "awaiting_consent"
        waiting = []
        if case.victim_id is not None and not case.victim_consent:
            waiting.append("the victim's consent")
        if not case.consent_to_share:
            waiting.append("your agreement to share your details with the agencies")
        v["waiting_for"] = " and ".join(waiting) or None
        due = clocks.get(Clock.THRESHOLD_DECISION)
        v["threshold_due"] = due.due if due else None
    elif template in ("threshold-met", "threshold-not-met"):
        verdicts = {vd.key: vd for vd in records.state.threshold.verdicts}
        rules = settings.rules_on(case.received_on)  # the rules the case was judged by
        v.update(decided_on=case.threshold_decided_on, decision_reason=case.threshold_reason,
                 has_decision_reason=bool(case.threshold_reason),
                 incidents_needed=rules.incidents_needed,
                 report_within=_months(rules.report_within_months),
                 lookback=_months(rules.lookback_months),
                 counted_number=records.state.threshold.qualifying_incidents,
                 incident_count=len(case.incidents), review_by=review_by,
                 action_instead=case.threshold_not_met_action)
        v["counted"] = [incident_item(records, i) for i in case.incidents
                        if i.id in verdicts and verdicts[i.id].qualifies]
        v["incidents"] = [{**incident_item(records, i), "verdict": _verdict(records, i, verdicts.get(i.id))}
                          for i in case.incidents]
        planned = records.planned_review()
        v["panel_arranged"] = planned is not None
        v["panel_date"] = planned[1].starts_at.date() if planned else None
        v["panel_by"] = clocks[Clock.PANEL].due if Clock.PANEL in clocks else None
        v["outcome_due"] = clocks[Clock.OUTCOME].due if Clock.OUTCOME in clocks else None
    elif template in ("incident-confirmation-request", "information-request", "agency-reminder",
                      "recommendation-notice"):
        v.update(_agency_values(template, records, settings, cal, letter_date, agency))
    elif template in ("panel-member-invitation", "panel-invitation"):
        planned = records.planned_review()
        if planned:
            review, meeting = planned
            v.update(meeting_values(meeting))
            v["reply_by"] = cal.subtract_working_days(meeting.starts_at.date(), 3)
            v["attending"] = _attending(records, records.attendees.get(meeting.id, []))
            v["agenda"] = records.agendas.get(meeting.id, [])
    elif template == "findings":
        v.update(_findings_values(records, review_by))
        v.update(where_next(records, applicant_is_tenant))
    elif template == "delay":
        due = clocks.get(Clock.OUTCOME)
        v["original_due"] = due.due if due else None
    elif template == "secondary-review-acknowledgement":
        sr = records.secondary
        if sr:
            v.update(requested_on=sr.requested_on, reviewer=sr.reviewer, reviewer_named=bool(sr.reviewer),
                     review_due=sr.due_on or cal.add_working_days(sr.requested_on, days.secondary_review))
    elif template == "secondary-review-outcome":
        sr = records.secondary
        if sr:
            new = [r for r in records.recommendations if r.secondary_review_id == sr.id]
            v.update(requested_on=sr.requested_on, grounds=sr.grounds,
                     decision=DECISIONS.get(sr.outcome or ""), decision_reasons=sr.outcome_reasons,
                     referred_back=sr.outcome == "referred_back", has_new_recommendations=bool(new),
                     new_recommendations=[_recommendation_item(records, r) for r in new])
            v.update(where_next(records, applicant_is_tenant))
    v.update(law_template_values(template, records, settings, letter_date, review_by))
    return v


def _months(n: int) -> str:
    words = {1: "one month", 2: "two months", 3: "three months", 6: "six months", 12: "twelve months"}
    return words.get(n, f"{n} months")


def _verdict(records: CaseRecords, incident: Incident, verdict: Any) -> str:
    refused = [c for c in records.confirmations.get(incident.id, []) if c.status == "not_found"]
    if refused:
        return "this does not count: the organisation could not find a record of this report."
    if verdict is None:
        return "we could not assess this incident."
    if verdict.qualifies:
        return "this counts."
    return "this does not count: " + "; ".join(plain_reason(r) for r in verdict.reasons) + "."


def _agency_values(template: str, records: CaseRecords, settings: Settings, cal: WorkingCalendar,
                   letter_date: date, agency: Agency | None) -> dict[str, Any]:
    if agency is None:
        return {}
    case = records.case
    incidents = [incident_item(records, i) for i in records.agency_incidents(agency.id)]
    v: dict[str, Any] = {"agency": agency.name, "incidents": incidents, "has_incidents": bool(incidents),
                         "return_by": cal.add_working_days(letter_date, settings.clocks.agency_information),
                         "problem_location": case.problem_location.description if case.problem_location else None,
                         "has_location": case.problem_location is not None,
                         "decided_on": case.threshold_decided_on,
                         "records_from": add_months(case.received_on, -settings.threshold.lookback_months)}
    for request in records.open_requests(agency.id)[:1]:
        v.update(request_sent=request.sent_on, request_due=request.revised_due_on or request.due_on)
        v["return_by"] = request.revised_due_on or request.due_on
        if request.kind == "confirmation":
            v["request_kind"] = "confirmation of the incidents the applicant says they reported to you"
            confirmed = {i for i, cs in records.confirmations.items() if any(c.status != "awaiting" for c in cs)}
            v["outstanding"] = [f"confirmation of the incident of {item['when']} ({item['agency_reference']})"
                                for i, item in zip(records.agency_incidents(agency.id), incidents)
                                if i.id not in confirmed] or ["your reply to our request"]
        else:
            v["request_kind"] = "your records of your involvement in the case"
            v["outstanding"] = ["your records about the applicant, the address and the people involved",
                                "the actions you have taken, with dates", "your view of the current risk"]
        late = (request.revised_due_on or request.due_on) < letter_date
        v["new_return_by"] = cal.add_working_days(letter_date, 5) if late else (request.revised_due_on or request.due_on)
    if template == "recommendation-notice":
        recs = [r for r in records.recommendations if r.agency_id == agency.id]
        v["recommendations"] = [_recommendation_item(records, r) for r in recs]
        held = records.held_review()
        secondary = records.secondary
        if recs and recs[0].secondary_review_id and secondary and secondary.completed_on:
            v["made_by"] = f"The secondary review completed on {long_form(secondary.completed_on)}"
        elif held:
            v["made_by"] = f"The review panel that met on {long_form(held[1].held_on or held[1].starts_at.date())}"
        v["reply_by"] = cal.add_working_days(letter_date, settings.clocks.agency_information)
    return v


def _recommendation_item(records: CaseRecords, rec: Any) -> dict[str, Any]:
    agency = records.agencies.get(rec.agency_id)
    return {"agency": agency.name if agency else None, "action": _clause(rec.action or "") or None,
            "rationale": _sentence(rec.rationale) if rec.rationale else None,
            "due": long_form(rec.due_on) if rec.due_on else None}


def _attending(records: CaseRecords, attendees: list[PanelAttendee]) -> list[str]:
    out: list[str] = []
    for a in attendees:
        if a.attendance == "apologies":
            continue
        agency = records.agencies.get(a.agency_id) if a.agency_id else None
        phrase = ROLE_PHRASES.get(a.role) or (f"a representative of {agency.name}" if agency else
                                              f"a {a.role}" if a.role else "a panel member")
        if phrase not in out:
            out.append(phrase)
    return out


def _findings_values(records: CaseRecords, review_by: date) -> dict[str, Any]:
    held = records.held_review()
    if held is None:
        return {}
    review, meeting = held
    represented: list[str] = []
    for a in records.attendees.get(meeting.id, []):
        if a.attendance != "attended":
            continue
        agency = records.agencies.get(a.agency_id) if a.agency_id else None
        if agency is None and a.role in ("chair", "note taker"):
            continue  # organisations are listed; the chair and the note taker are not one
        name = agency.name if agency else ROLE_PHRASES.get(a.role, a.role)
        if name not in represented:
            represented.append(name)
    recs = records.panel_recommendations()
    return {"held_on": meeting.held_on or meeting.starts_at.date(), "represented": represented,
            "information_considered": review.information_considered,
            "victim_attended": review.victim_attended,
            "impact_statement_given": bool(review.impact_statement),
            "findings": [_sentence(f.text) for f in records.findings.get(review.id, [])],
            "recommendations": [_recommendation_item(records, r) for r in recs],
            "has_recommendations": bool(recs), "review_by": review_by}


def where_next(records: CaseRecords, applicant_is_tenant: bool | None) -> dict[str, Any]:
    """The Ombudsman routes that apply: the council's part always; the police's part when the
    police were involved; the Housing Ombudsman only for a tenant of an involved registered provider."""
    kinds = records.involved_kinds()
    providers = sorted(records.agencies[a].name for a in records.involved_agencies()
                       if a in records.agencies and records.agencies[a].kind.casefold() == RP_KIND)
    tenant = bool(providers) if applicant_is_tenant is None else applicant_is_tenant
    return {"route_council": True, "route_police": "police" in kinds, "route_housing": tenant,
            "landlord": " or ".join(providers) if providers else "your landlord"}
