"""Who is who in a letter: the applicant, the victim and the alleged perpetrators, kept apart.

When someone applies on the victim's behalf, a letter to the applicant speaks of the victim by name
(never "you" for the victim's experience), a letter to the victim says who applied for them, and an
agency letter names the victim and the victim's address as its subject, says who applied (name and
relationship, never their contact details) and names the alleged perpetrators where known.

Every letter gets the values `party_values` makes; a template uses what its purpose needs, and a
value a letter must not carry (the applicant's address in an agency letter) is simply not given,
so that an edited template cannot print it either.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.db.models import Case, Person

NBSP = "\u00a0"

# "Applied on the victim's behalf by Cllr Jane Doe, a councillor." (an agency letter, a letter to the applicant)
RELATIONSHIP_PHRASES = {
    "family": "a member of the victim's family", "friend": "a friend of the victim",
    "carer": "the victim's carer", "councillor": "a councillor", "mp": "a Member of Parliament",
    "professional": "a professional working with the victim", "other": "someone acting for the victim",
}
# "Cllr Jane Doe, a councillor, asked us..." (a letter to the victim)
RELATIONSHIP_TO_YOU = {
    "family": "a member of your family", "friend": "a friend of yours", "carer": "your carer",
    "councillor": "a councillor", "mp": "a Member of Parliament",
    "professional": "a professional working with you", "other": "someone acting for you",
}
# Words that can stand before a surname in a salutation ("Dear Inspector Lee", not "Dear Inspector Pat Lee").
TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "rev",
    "revd", "reverend", "cllr", "councillor", "pc", "ps", "dc", "ds", "di", "dci", "dsi", "sgt", "sergeant",
    "insp", "inspector", "supt", "superintendent", "constable", "officer", "captain", "major", "colonel",
    "judge"})
TITLE_PREFIXES = frozenset({"chief", "detective", "deputy", "assistant", "police", "acting", "temporary",
                            "borough", "county", "station", "group", "watch", "crew"})
RECIPIENT_APPLICANT, RECIPIENT_VICTIM, RECIPIENT_OTHER = "applicant", "victim", "other"


@dataclass(frozen=True)
class Perpetrator:
    name: str | None
    description: str | None
    address: str | None

    @property
    def who(self) -> str:
        """"John Smith, of 14 Example Road" or "Occupants of number 14 (14 Example Road)"."""
        label = self.name or self.description or "name not known"
        if self.name and self.description:
            label = f"{self.name} ({self.description})"
        address = " ".join((self.address or "").split())
        return f"{label}, of {address}" if address else label


@dataclass(frozen=True)
class Parties:
    """The people of one case, as letters name them."""

    applicant: Person
    victim: Person  # the applicant, when they applied for themselves
    third_party: bool
    relationship: str | None
    perpetrators: tuple[Perpetrator, ...]

    def relationship_phrase(self, to_victim: bool = False) -> str:
        words = RELATIONSHIP_TO_YOU if to_victim else RELATIONSHIP_PHRASES
        return words.get(self.relationship or "", words["other"])


def parties_of(case: Case, perpetrators: Sequence[Perpetrator] = ()) -> Parties:
    victim = case.victim if case.victim_id is not None and case.victim is not None else case.applicant
    return Parties(case.applicant, victim, victim is not case.applicant, case.relationship_to_victim,
                   tuple(perpetrators))


def salutation(person: Person) -> str:
    """"Ms Patel"; a person without a title by their full name; an organisation by its name."""
    if person.title and person.last_name:
        return f"{person.title} {person.last_name}"
    name = " ".join(p for p in (person.first_name, person.last_name) if p)
    return name or person.organisation or "Sir or Madam"


def salutation_of_name(name: str) -> str:
    """The salutation for a name typed as one string: "Inspector Pat Lee" -> "Inspector Lee",
    "Chief Inspector Mo Ali" -> "Chief Inspector Ali", "Pat Lee" -> "Pat Lee"."""
    words = name.split()
    title: list[str] = []
    for word in words[:-1]:
        key = word.rstrip(".").casefold()
        if key in TITLES or key in TITLE_PREFIXES:
            title.append(word)
            continue
        break
    if not title or not any(w.rstrip(".").casefold() in TITLES for w in title):
        return " ".join(words) or "Sir or Madam"
    return " ".join([*title, words[-1]])


def unbroken(text: str) -> str:
    """A piece of an address, a postcode or a phone number that must not break across lines."""
    return NBSP.join(text.split())


def one_line_address(person: Person) -> str | None:
    """The address on one line, each line of it kept whole: "12 Example Road, Royal Tunbridge Wells, TN1 1AA"."""
    parts = [unbroken(line) for line in person.address_lines]
    if person.postcode:
        parts.append(unbroken(person.postcode))
    return ", ".join(parts) or None


def party_values(parties: Parties, recipient: str) -> dict[str, Any]:
    """The who-is-who values every letter template can use.

    `recipient` is who the letter goes to: the applicant, the victim or someone else (an agency, a
    panel member). The applicant's address is given only to letters to the applicant or the victim
    themselves; an agency letter gets the victim's name and address and the applicant's name and
    relationship only.
    """
    p = parties
    victim_short = salutation(p.victim)
    to_victim = recipient == RECIPIENT_VICTIM or (recipient == RECIPIENT_APPLICANT and not p.third_party)
    values: dict[str, Any] = {
        "third_party": p.third_party,
        "to_victim": to_victim,
        "applicant_name": p.applicant.display_name,
        "applicant_short": salutation(p.applicant),
        "applicant_relationship": (p.relationship_phrase(recipient == RECIPIENT_VICTIM)
                                   if p.third_party else None),
        # A letter to someone who applied for the victim, and a letter to a victim someone applied for.
        "applied_for_them": p.third_party and recipient == RECIPIENT_APPLICANT,
        "applied_for_you": p.third_party and recipient == RECIPIENT_VICTIM,
        "victim_name": p.victim.display_name,
        "victim_short": victim_short,
        "victim_address": one_line_address(p.victim),
        "has_victim_address": one_line_address(p.victim) is not None,
        # In running text: "the incidents you reported" / "the incidents Mr Marchbank reported".
        "victim_ref": "you" if to_victim else victim_short,
        "victim_possessive": "your" if to_victim else f"{victim_short}'s",
        "perpetrators": [{"who": perp.who} for perp in p.perpetrators],
        "has_perpetrators": bool(p.perpetrators),
    }
    # "A review panel will look at {the_application} about anti-social behaviour (ASB)..."
    values["the_application"] = ("your application" if not p.third_party else
                                 f"the application you made on behalf of {p.victim.display_name}"
                                 if recipient == RECIPIENT_APPLICANT else
                                 f"the application {p.applicant.display_name} made on your behalf"
                                 if recipient == RECIPIENT_VICTIM else
                                 f"the application made on behalf of {p.victim.display_name}")
    if recipient in (RECIPIENT_APPLICANT, RECIPIENT_VICTIM):
        values["applicant_address"] = one_line_address(p.applicant)
    return values
