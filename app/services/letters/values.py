"""The values each letter template is filled with, taken from a case's records (wording stays in the templates)."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.db.models import Agency, AgencyContact, Incident, PanelAttendee, PanelMeeting, Person
from app.domain.clocks import Clock
from app.domain.dates import add_months, long_form
from app.domain.settings import Settings
from app.domain.calendar import WorkingCalendar
from app.services.letters.facts import CaseRecords, held
from app.services.letters.law_values import law_template_values
from app.services.letters.parties import (RECIPIENT_APPLICANT, RECIPIENT_OTHER, party_values,
                                          salutation, salutation_of_name, unbroken)
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
# How the applicant's invitation describes who will be there: roles, not names.
ROLE_PHRASES = {"chair": "the chair of the panel", "independent member": "an independent member of the panel",
                "independent": "an independent member of the panel",
                "note taker": "a council officer who will take notes"}
HEALTH_KIND = "health"
REPLY_DAYS = 10  # working days the victim has to answer a request for consent


@dataclass(frozen=True)
class Recipient:
    label: str  # stored in Letter.recipient
    lines: tuple[str, ...]  # the window address
    dear: str
    person: Person | None = None
    kind: str = RECIPIENT_OTHER  # applicant, victim or other (an agency, a panel member)


def person_recipient(person: Person, kind: str = RECIPIENT_APPLICANT) -> Recipient:
    lines = [person.display_name, *person.address_lines]
    if person.postcode:
        lines.append(person.postcode)
    return Recipient(person.display_name, tuple(lines), salutation(person), person, kind)


def agency_address(agency: Agency) -> list[str]:
    lines = [line.strip() for line in (agency.address or "").split("\n") if line.strip()]
    if agency.postcode and agency.postcode.strip():
        lines.append(agency.postcode.strip())
    return lines


def agency_recipient(agency: Agency, contact: AgencyContact | None = None, named: str | None = None) -> Recipient:
    """The named contact, their role, the agency and its postal address, in the window."""
    name = named or (contact.name if contact else None)
    role = contact.role if contact and not named and contact.role else None
    lines = [line for line in (name, role, agency.name) if line] + agency_address(agency)
    label = f"{name}, {agency.name}" if name else agency.name
    return Recipient(label, tuple(lines), salutation_of_name(name) if name else "Sir or Madam")


def attendee_recipient(attendee: PanelAttendee, agency: Agency | None) -> Recipient:
    lines = [attendee.name, *([agency.name] if agency else []), *(agency_address(agency) if agency else [])]
    label = f"{attendee.name}, {agency.name}" if agency else attendee.name
    return Recipient(label, tuple(lines), salutation_of_name(attendee.name))


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
            "reported": unbroken(long_form(incident.reported_on)) if incident.reported_on else "a date not given",
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


# The values -------------------------------------------------------------------------------------

def common_values(records: CaseRecords, settings: Settings, letter_date: date,
                  recipient: Recipient) -> dict[str, Any]:
    case, council = records.case, settings.council
    values = {"reference": case.reference, "date": letter_date, "council": council.name,
              "unit": council.unit, "council_phone": unbroken(council.phone), "council_email": council.email,
              "website": council.website, "dear": recipient.dear, "received_on": case.received_on,
              "council_address": ", ".join(unbroken(line) for line in (*council.address_lines, council.postcode)
                                           if line) or None,
              "channel": CHANNEL_PHRASES.get(case.channel, f"by {case.channel}"),
              "threshold_days": settings.clocks.threshold_decision,
              "outcome_days": settings.clocks.outcome,
              "problem_location": case.problem_location.description if case.problem_location else None,
              "has_location": case.problem_location is not None}
    values.update(party_values(records.parties, recipient.kind))
    return values


def template_values(template: str, records: CaseRecords, settings: Settings, cal: WorkingCalendar,
                    letter_date: date, *, agency: Agency | None = None) -> dict[str, Any]:
    """The values one template needs beyond the common ones; absent data is left out (the
    template then fails naming it) rather than guessed."""
    case, clocks = records.case, records.state.clocks
    days = settings.clocks
    v: dict[str, Any] = {}
    review_by = cal.add_working_days(letter_date, days.secondary_review_request)
    parties = records.parties
    if template == "cannot-proceed":
        missing = []
        if case.victim_id is not None and not case.victim_consent:
            victim = parties.victim.display_name
            missing.append({"what": f"{victim}'s consent for you to apply on their behalf",
                            "how": (f"{victim} can tell us by phone, by email or in a signed letter that they "
                                    "agree. We have written to them to ask.")})
        if not case.consent_to_share:
            missing.append({"what": "your agreement that we may share your details with the other agencies",
                            "how": ("We only share what the review needs, with agencies such as the "
                                    "police and housing providers.")})
        v["missing"] = missing
    elif template == "victim-consent-request":
        v.update(needs_review_consent=not case.victim_consent,
                 needs_disclosure_consent=case.disclosure_consent is None,
                 reply_by=cal.add_working_days(letter_date, REPLY_DAYS))
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
        v["incidents"] = [incident_item(records, i) for i in records.incidents()]
        v["awaiting_consent"] = case.status == "awaiting_consent"
        waiting = []
        if case.victim_id is not None and not case.victim_consent:
            waiting.append(f"{parties.victim.display_name}'s consent")
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
        v["counted"] = [incident_item(records, i) for i in records.incidents()
                        if i.id in verdicts and verdicts[i.id].qualifies]
        v["incidents"] = [{**incident_item(records, i), "verdict": _verdict(records, i, verdicts.get(i.id))}
                          for i in records.incidents()]
        v.update(_panel_stage(records, clocks))
        v["outcome_due"] = case.revised_outcome_due or (clocks[Clock.OUTCOME].due if Clock.OUTCOME in clocks else None)
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
            v["meeting_reference"] = meeting_reference(settings, meeting)
    elif template == "findings":
        v.update(_findings_values(records, review_by))
        v.update(where_next(records))
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
                     new_recommendations=[_recommendation_item(records, r) for r in new],
                     reviewer=sr.reviewer, reviewer_named=bool(sr.reviewer))
            v.update(where_next(records))
    v.update(law_template_values(template, records, settings, letter_date, review_by))
    return v


def meeting_reference(settings: Settings, meeting: PanelMeeting) -> str:
    """A meeting's own reference: a letter about a meeting carries no one case's reference."""
    return f"{settings.council.reference_prefix}-PANEL-{meeting.starts_at:%Y%m%d}"


def _panel_stage(records: CaseRecords, clocks: Any) -> dict[str, Any]:
    """Where the panel has got to, from the decision until the outcome: held, arranged, or expected by."""
    planned = records.planned_review()
    met = [m for _, m in records.reviews if held(m)]
    out: dict[str, Any] = {"panel_held": bool(met) and planned is None, "panel_arranged": planned is not None,
                           "panel_date": planned[1].starts_at.date() if planned else None,
                           "panel_held_on": (met[-1].held_on or met[-1].starts_at.date()) if met else None,
                           "panel_by": clocks[Clock.PANEL].due if Clock.PANEL in clocks else None}
    out["panel_expected"] = not out["panel_held"] and not out["panel_arranged"]
    return out


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
                         "decided_on": case.threshold_decided_on,
                         "health_body": agency.kind.casefold().startswith(HEALTH_KIND),
                         "records_from": add_months(case.received_on, -settings.threshold.lookback_months)}
    for request in records.open_requests(agency.id)[:1]:
        due = request.revised_due_on or request.due_on
        v.update(request_sent=request.sent_on, request_due=due)
        if request.kind == "confirmation":
            v["request_kind"] = "confirmation of the incidents reported to you"
            confirmed = {i for i, cs in records.confirmations.items() if any(c.status != "awaiting" for c in cs)}
            v["outstanding"] = [f"confirmation of the incident of {item['when']} ({item['agency_reference']})"
                                for i, item in zip(records.agency_incidents(agency.id), incidents)
                                if i.id not in confirmed] or ["your reply to our request"]
        else:
            v["request_kind"] = "your records of your involvement in the case"
            victim = records.parties.victim
            v["outstanding"] = ([f"your contacts with {salutation(victim)} that relate to the ASB or its effect "
                                 "on their health", "any risk or vulnerability the panel should know about"]
                                if v["health_body"] else
                                [f"your records about {salutation(victim)}, the address and the people involved",
                                 "the actions you have taken, with dates", "your view of the current risk"])
        # A reminder gives a new return date: five working days from now when the old one has passed.
        v["new_return_by"] = cal.add_working_days(letter_date, 5) if due < letter_date else due
        v["request_id"] = request.id
    if template == "recommendation-notice":
        recs = [r for r in records.recommendations if r.agency_id == agency.id]
        v["recommendations"] = [_recommendation_item(records, r) for r in recs]
        secondary = records.secondary
        held_review = records.held_review()
        if recs and recs[0].secondary_review_id and secondary is not None:
            by = f" carried out by {secondary.reviewer}" if secondary.reviewer else ""
            when = (f"completed on {long_form(secondary.completed_on)}" if secondary.completed_on
                    else f"requested on {long_form(secondary.requested_on)}")
            v["made_by"] = f"the secondary review{by}, {when}"
        elif held_review:
            meeting = held_review[1]
            chair = f", chaired by {meeting.chair}" if meeting.chair else ""
            v["made_by"] = (f"the review panel that met on "
                            f"{long_form(meeting.held_on or meeting.starts_at.date())}{chair}")
        v["reply_by"] = cal.add_working_days(letter_date, settings.clocks.agency_information)
    return v


def _recommendation_item(records: CaseRecords, rec: Any) -> dict[str, Any]:
    agency = records.agencies.get(rec.agency_id)
    return {"agency": agency.name if agency else None, "action": _clause(rec.action or "") or None,
            "rationale": _sentence(rec.rationale) if rec.rationale else None,
            "due": unbroken(long_form(rec.due_on)) if rec.due_on else None}


def _attending(records: CaseRecords, attendees: list[PanelAttendee]) -> list[str]:
    out: list[str] = []
    for a in attendees:
        if a.attendance == "apologies" or (a.for_case_id and a.for_case_id != records.case.id) \
                or a.conflict_case_id == records.case.id:
            continue  # away, there for another case only, or stepping out of this one (a conflict)
        agency = records.agencies.get(a.agency_id) if a.agency_id else None
        phrase = ROLE_PHRASES.get(a.role) or (f"a representative of {agency.name}" if agency else
                                              "a member of the panel")
        if phrase not in out:
            out.append(phrase)
    return out


def _findings_values(records: CaseRecords, review_by: date) -> dict[str, Any]:
    held_review = records.held_review()
    if held_review is None:
        return {}
    review, meeting = held_review
    case_id = records.case.id
    represented: list[str] = []
    independent = 0
    for a in records.attendees.get(meeting.id, []):
        # For this case only: present, not there for another item alone, and no conflict declared in it.
        if a.attendance != "attended" or a.conflict_case_id == case_id or (a.for_case_id and a.for_case_id != case_id):
            continue
        agency = records.agencies.get(a.agency_id) if a.agency_id else None
        if agency is None:
            independent += a.role in ("independent member", "independent")
            continue  # the chair, an independent member and the note taker are people, not organisations
        if agency.name not in represented:
            represented.append(agency.name)
    recs = records.panel_recommendations()
    return {"held_on": meeting.held_on or meeting.starts_at.date(), "represented": represented,
            "has_represented": bool(represented), "chair": meeting.chair, "has_chair": bool(meeting.chair),
            "independent_members": ("An independent member of the panel, who does not work for any of these "
                                    "organisations, also took part." if independent == 1 else
                                    f"{_count_words(independent)} independent members of the panel, who do not "
                                    "work for any of these organisations, also took part." if independent else None),
            "has_independent": bool(independent),
            "information_considered": review.information_considered,
            "victim_attended": review.victim_attended,
            "impact_statement_given": bool(review.impact_statement),
            "findings": [_sentence(f.text) for f in records.findings.get(review.id, [])],
            "recommendations": [_recommendation_item(records, r) for r in recs],
            "has_recommendations": bool(recs), "review_by": review_by}


def _count_words(n: int) -> str:
    return {2: "Two", 3: "Three", 4: "Four"}.get(n, str(n))


def where_next(records: CaseRecords) -> dict[str, Any]:
    """The Ombudsman routes that apply: the council's part always; the police's part (through a police
    complaint) when the police were involved; the Housing Ombudsman only when the victim rents from a
    registered provider that was involved in the case (recorded, never guessed)."""
    involved = records.involved_agencies()
    police = sorted(records.agencies[a].name for a in involved
                    if a in records.agencies and records.agencies[a].kind.casefold() == "police")
    landlord = records.landlord
    housing = landlord is not None and landlord.id in involved
    return {"route_council": True, "route_police": bool(police),
            "police_force": " or ".join(police) if police else None,
            "route_housing": housing, "landlord": landlord.name if housing and landlord else None}
