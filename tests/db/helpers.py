"""Small builders for database tests."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from app.domain.application import ApplicationData, Channel, IncidentData, OnBehalfData, PersonData

APPLICANT = PersonData(title="Ms", first_name="Asha", last_name="Patel",
                       address_lines=("12 Example Road", "Royal Tunbridge Wells"), postcode="TN1 1AA",
                       phone="01892 000000", preferred_contact="letter")


def incidents(*pairs: tuple[str, str], to: str = "Kent Police") -> tuple[IncidentData, ...]:
    return tuple(IncidentData(occurred_on=date.fromisoformat(a), reported_on=date.fromisoformat(b),
                              reported_to=to, description="Loud music") for a, b in pairs)


THREE = incidents(("2026-09-01", "2026-09-02"), ("2026-09-10", "2026-09-11"), ("2026-10-01", "2026-10-03"))


def application(received: str = "2026-11-02", *, consent: bool = True, on_behalf: bool = False,
                victim_consent: bool = True, source: str | None = None, items=THREE,
                applicant: PersonData = APPLICANT) -> ApplicationData:
    ob = None
    if on_behalf:
        ob = OnBehalfData(victim=PersonData(first_name="Lee", last_name="Reed"), relationship="carer",
                          victim_consent=victim_consent, consent_method="verbal" if victim_consent else None,
                          consent_given_on=date(2026, 11, 1) if victim_consent else None)
    return ApplicationData(channel=Channel.TELEPHONE, received_at=datetime.fromisoformat(received + "T10:00"),
                           applicant=applicant, incidents=items, source_reference=source,
                           on_behalf_of=ob, consent_to_share=consent, asb_types=("noise",),
                           problem_location="Example Road")


# The aliases the directory tests were written with; the shipped directory has none (see agencies.py).
TEST_ALIASES = {"Kent Police": ("Police", "Kent Constabulary"),
                "Tunbridge Wells Borough Council": ("TWBC", "Borough Council", "The council"),
                "Town and Country Housing": ("TCH",), "Clarion Housing": ("Clarion",),
                "NHS Kent and Medway": ("NHS", "Kent and Medway ICB"), "Kent County Council": ("KCC",),
                "Kent Fire and Rescue Service": ("KFRS",)}


def add_test_aliases(ctx) -> None:
    from app.db.models import Agency, AgencyAlias
    with ctx.unit_of_work() as session:
        for agency in session.query(Agency).all():
            have = {a.alias for a in agency.aliases}
            for alias in TEST_ALIASES.get(agency.name, ()):
                if alias not in have:
                    session.add(AgencyAlias(agency_id=agency.id, alias=alias))


@dataclass(frozen=True)
class Sent:
    """A letter produced, approved where it must be, and recorded as sent; the case as it is after."""
    letter_id: int
    version: int
    status: str


def send_letter(ctx, case_id: int, template: str, sent_on: date, method: str = "post", *,
                version: int | None = None, **produce) -> Sent:
    """The one path by which a letter completes its step: produced on `sent_on`, then sent.

    The letter is produced by the same user on the day it is sent (a letter cannot be sent before
    it was produced); the findings letter is approved first, as the panel chair would.
    """
    from app.db.models import Case
    from app.services.letters.case_letters import approve_letter, produce_letter, record_sent
    named_officer(ctx, case_id)
    council_set_up(ctx)
    on_day = replace(ctx, today=lambda: sent_on, now=lambda: datetime.combine(sent_on, time(12)))
    info = produce_letter(on_day, case_id, template, **produce)
    if info.needs_approval:
        approve_letter(*chair_who_read(on_day, info.id))
    record_sent(on_day, info.id, sent_on, method, expected_version=version)
    with ctx.reading() as session:
        case = session.get(Case, case_id)
        return Sent(info.id, case.version, case.status)


class Transactions:
    """Counts the transactions committed on an engine while a block runs (reads commit none)."""

    def __init__(self, engine) -> None:
        self.engine, self.committed, self.statements = engine, 0, 0

    def _commit(self, _conn) -> None:
        self.committed += 1

    def _statement(self, *_args) -> None:
        self.statements += 1

    def __enter__(self) -> Transactions:
        from sqlalchemy import event
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *_exc) -> None:
        from sqlalchemy import event
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "before_cursor_execute", self._statement)


def named_officer(ctx, case_id: int | None = None) -> None:
    """Letters name their contact officer (the case officer, else the user) with a job title, and go out
    only once the council's details are no longer the examples: give them what they need."""
    from app.db.models import Case, User
    from app.services.letters.prepare import placeholder_details
    if placeholder_details(ctx.settings().council):
        from app.domain.roles import Role
        from app.services.admin.settings import save_council_details
        save_council_details(replace(ctx, role=Role.ADMINISTRATOR), {
            "name": "Tunbridge Wells Borough Council", "phone": "01892 526121",
            "email": "community.safety@tunbridgewells.gov.uk", "website": "www.tunbridgewells.gov.uk"})
        ctx.forget_settings()
    with ctx.unit_of_work() as session:
        officer = (session.get(Case, case_id).officer if case_id else None) or ctx.actor
        user = session.query(User).filter_by(login=officer).one_or_none()
        if user is None:
            user = User(login=officer, role="officer")
            session.add(user)
        if user.display_name in (None, "", officer):
            user.display_name = officer.replace(".", " ").title()
            user.phone, user.email = user.phone or "01892 526121", user.email or f"{officer}@tunbridgewells.gov.uk"
        user.job_title = user.job_title or "Community Safety Officer"


def chair_who_read(ctx, letter_id: int):
    """The panel chair, signed in, having read the letter (the approval is of what they read)."""
    from app.db.models import User
    from app.domain.roles import Role
    from app.services.letters.case_letters import letter_pdf
    with ctx.unit_of_work() as session:
        if session.query(User).filter_by(login="sam.okoro").one_or_none() is None:
            session.add(User(login="sam.okoro", display_name="Sam Okoro", role="panel_chair"))
    chair = replace(ctx, actor="sam.okoro", role=Role.PANEL_CHAIR)
    letter_pdf(chair, letter_id)
    return chair, letter_id


def council_set_up(ctx) -> None:
    """Letters are refused while the council's details are the first-run examples: set real ones."""
    from app.services.admin.settings import save_council_details
    from app.services.letters.prepare import placeholder_details
    from app.services.agencies.directory import list_agency_details, set_agency_details
    from tests.db.letter_cases import AGENCY_ADDRESSES, COUNCIL
    if placeholder_details(ctx.settings().council):
        save_council_details(ctx, dict(COUNCIL))
    have = {a.name for a in list_agency_details(ctx) if a.address}
    for name, (lines, postcode, contact, role) in AGENCY_ADDRESSES.items():
        if name not in have:  # agency letters go to a named contact at a postal address
            set_agency_details(ctx, name, address_lines=lines, postcode=postcode, contact=contact,
                               contact_role=role)


def assessment(note: str = "Recorded for the test"):
    """A complete structured assessment, as every threshold decision records."""
    from app.domain.assessment import FACTORS, Assessment
    return Assessment.of({f.key: (f.ratings[0][0], note) for f in FACTORS})


ASSESSMENT = assessment()


def stopping(after: int | None = None, *, during: str | None = None):
    """A Progress that records every update and, as a user pressing Cancel would, stops the work once
    `after` items are done (of the stage whose label contains `during`, if given).

    Returns the progress and the list of (done, total, label) it was told.
    """
    from app.services.common.ops import Progress
    calls: list[tuple[int, int, str]] = []
    progress = Progress()

    def seen(done: int, total: int, label: str) -> None:
        calls.append((done, total, label))
        if after is not None and done >= after and (during is None or during in label):
            progress.cancel()

    progress.on_update = seen
    return progress, calls


def at_once(work: Callable[[Any], None], contexts: Sequence[Any]) -> list[BaseException]:
    """Run `work(ctx)` for each context in a thread of its own, all let go at the same moment; wait for
    them all and return what any of them raised (a failure on a thread would otherwise pass unseen)."""
    import threading
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(contexts))

    def run(ctx: Any) -> None:
        try:
            barrier.wait()
            work(ctx)
        except BaseException as exc:  # noqa: BLE001 - returned to the test, which asserts on it
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in contexts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
