"""Redaction for subject access: every form another person's details take, and one pattern that replaces
them wherever, and however, they appear in free text (names whole and in parts, phones in any spacing,
emails, postcodes, address lines with the street word long or short)."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.db.models import Perpetrator, Person

REDACTED = "[redacted]"

_STREET_WORDS = {"road": "rd", "street": "st", "avenue": "ave", "close": "cl", "lane": "ln", "drive": "dr",
                 "crescent": "cres", "court": "ct", "place": "pl", "gardens": "gdns", "terrace": "terr",
                 "square": "sq", "grove": "gr", "park": "pk", "mount": "mt"}
_SEPARATORS = r"[\s,.\-'’]*"


def _loose(text: str) -> str:
    """A regex for text written with any spacing or punctuation between its words, any case, and a
    letter's accent typed or left off (Zoë or Zoe)."""
    words = [w for w in re.split(r"[\s,]+", text.strip()) if w]
    return r"[\s,]+".join("".join(_letter(c) for c in word) for word in words)


def _letter(c: str) -> str:
    base = unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode()
    if base and base != c and len(base) == 1:
        return f"[{re.escape(c)}{re.escape(base)}]"
    return re.escape(c)


def _phone(text: str) -> str | None:
    """A phone number in any spacing, with or without brackets, 0, +44 or 0044 (07700900123, 0770 0900 123,
    +44 7700 900123): the national digits with anything but digits between them."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits.startswith("44") and len(digits) >= 11:
        digits = digits[2:]
    digits = digits.removeprefix("0")
    if len(digits) < 6:
        return None
    gap = r"[\s\-.()/]*"
    return (r"(?<!\d)(?:(?:\+|00)\s*44\s*(?:\(\s*0\s*\)\s*)?|0)?" + gap
            + gap.join(re.escape(d) for d in digits) + r"(?!\d)")


def _postcode(text: str) -> str | None:
    compact = "".join(text.split()).upper()
    if not 5 <= len(compact) <= 8:
        return None
    outward, inward = compact[:-3], compact[-3:]
    return rf"(?<![A-Za-z0-9]){re.escape(outward)}\s*{re.escape(inward)}(?![A-Za-z0-9])"


def _address_forms(line: str) -> list[str]:
    """A line as written, with its street word short or long, and (for a numbered line) the street alone."""
    line = " ".join(line.replace(",", " ").split())
    forms = [line]
    words = line.split(" ")
    last = words[-1].casefold().rstrip(".")
    if last in _STREET_WORDS:
        forms.append(" ".join(words[:-1] + [_STREET_WORDS[last]]))
    elif last in _STREET_WORDS.values():
        full = next(k for k, v in _STREET_WORDS.items() if v == last)
        forms.append(" ".join(words[:-1] + [full]))
    if len(words) > 2 and re.fullmatch(r"\d+[a-zA-Z]?", words[0]):
        forms += [" ".join(f.split(" ")[1:]) for f in list(forms)]  # "Example Road" without the number
    return forms


@dataclass
class Tokens:
    """Every form one person's details take: names whole and in parts, phones, emails, postcodes, addresses."""
    words: set[str] = field(default_factory=set)  # names and address forms, matched as whole words
    phones: set[str] = field(default_factory=set)  # regexes
    postcodes: set[str] = field(default_factory=set)  # regexes

    def name(self, *names: str | None) -> None:
        for name in names:
            if not name or not name.strip():
                continue
            self.words.add(name.strip())
            for part in re.split(r"[\s\-]+", name.strip()):
                part = part.strip(".,'’()")
                if len(part) >= 2 and part.casefold() not in _TITLES:
                    self.words.add(part)

    def address(self, *given: str | None) -> None:
        lines = [line for line in given if line and line.strip()]
        for n, line in enumerate(lines):
            # A town or county line alone ("Royal Tunbridge Wells") names a place, not the person.
            if n == 0 or any(ch.isdigit() for ch in line):
                self.words.update(_address_forms(line))

    def phone(self, text: str | None) -> None:
        pattern = _phone(text or "")
        if pattern:
            self.phones.add(pattern)

    def postcode(self, text: str | None) -> None:
        pattern = _postcode(text or "")
        if pattern:
            self.postcodes.add(pattern)

    def email(self, text: str | None) -> None:
        if text and "@" in text:
            self.words.add(text.strip())
            local = text.split("@", 1)[0]
            if len(local) >= 4:
                self.words.add(local)


_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "revd", "sir", "dame", "lady", "lord", "cllr",
           "councillor", "the", "and", "of"}


def tokens_of_person(p: Person) -> Tokens:
    t = Tokens()
    t.name(p.display_name, " ".join(filter(None, (p.first_name, p.last_name))), p.first_name, p.last_name,
           p.organisation)
    t.address(*p.address_lines)
    t.phone(p.phone)
    t.postcode(p.postcode)
    t.email(p.email)
    return t


def tokens_of_perpetrator(p: Perpetrator) -> Tokens:
    t = Tokens()
    t.name(p.name)
    lines = [line.strip() for line in re.split(r"[\n,]", p.address or "") if line.strip()]
    t.address(p.address.replace("\n", " ") if p.address else None, *lines)
    for found in re.findall(r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}", (p.address or "").upper()):
        t.postcode(found)
    return t


class Redactor:
    """Replaces what the council holds about other people wherever, and however, it appears in free text.

    Names whole and in parts (a first name or a surname alone), phone numbers in any spacing or with
    +44, emails, postcodes in any spacing, and address lines with the street word long or short. A
    form that is also one of the subject's own (a shared surname, the same street) is left, for the
    officer to judge: the README lists what an officer must still check.
    """

    def __init__(self, others: Iterable[Tokens], own: Iterable[Tokens]) -> None:
        own = list(own)
        mine = {w.casefold() for t in own for w in t.words}
        my_phones = {p for t in own for p in t.phones}
        my_postcodes = {p for t in own for p in t.postcodes}
        words, patterns = set(), set()
        for t in others:
            words |= {w for w in t.words if w.casefold() not in mine and len(w) >= 2}
            patterns |= (t.phones - my_phones) | (t.postcodes - my_postcodes)
        ordered = sorted(words, key=len, reverse=True)  # the full name before a part of it
        alternatives = [rf"(?<!\w){_loose(w)}(?!\w)" for w in ordered] + sorted(patterns, key=len, reverse=True)
        self.pattern = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None

    def __call__(self, text: str | None) -> str | None:
        if not text or self.pattern is None:
            return text
        return self.pattern.sub(REDACTED, text)
