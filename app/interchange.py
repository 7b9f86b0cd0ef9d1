"""Reading application JSON (application-format.md) into plain values, naming every problem."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.domain.application import (ApplicationData, Channel, IncidentData, OnBehalfData,
                                    PerpetratorData, PersonData, Problem, check_application)

# An import file larger than this, or nested deeper, is refused with a message before it is read
# further (application-format.md documents both). A real application is a few kilobytes, 4 deep.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 32


@dataclass(frozen=True)
class ParsedApplication:
    label: str  # the source_reference, or "application N in FILE" when there is none
    data: ApplicationData | None
    problems: tuple[Problem, ...]


class _Reader:
    """Pulls typed values out of one JSON object, collecting problems instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def text(self, obj: dict[str, Any], key: str, where: str) -> str | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(f"{where}{key}", "should be text, not a number too large to write")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                return str(value)
            except ValueError:  # more digits than Python will turn into text
                self.fail(f"{where}{key}", "should be text, not a number with thousands of digits")
                return None
        if not isinstance(value, str):
            self.fail(f"{where}{key}", "should be text")
            return None
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            self.fail(f"{where}{key}", "holds a broken character (an unpaired surrogate), which cannot be stored")
            return None
        return value.strip() or None

    def day(self, obj: dict[str, Any], key: str, where: str) -> date | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.fail(f"{where}{key}", f"{value!r} is not a date (use YYYY-MM-DD)")
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            self.fail(f"{where}{key}", f"'{value}' is not a real date (use YYYY-MM-DD)")
            return None

    def flag(self, obj: dict[str, Any], key: str, where: str, default: bool | None) -> bool | None:
        value = obj.get(key, default)
        if value is None or isinstance(value, bool):
            return value
        self.fail(f"{where}{key}", "should be true or false")
        return default

    def obj(self, value: Any, where: str) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(where, "should be an object")
            return None
        return value

    def items(self, value: Any, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(where, "should be a list")
            return []
        return value


def _received_at(r: _Reader, raw: dict[str, Any]) -> datetime | None:
    value = raw.get("received_at", raw.get("received_on"))
    if not isinstance(value, str) or not value.strip():
        r.fail("received_at", "the date received is missing")
        return None
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError:
        r.fail("received_at", f"'{value}' is not a real date and time (use YYYY-MM-DDTHH:MM:SS)")
        return None
    # UK local time is what the CSU works in; an explicit offset is dropped after conversion.
    if stamp.tzinfo is not None:
        from zoneinfo import ZoneInfo
        try:
            stamp = stamp.astimezone(ZoneInfo("Europe/London")).replace(tzinfo=None)
        except OverflowError:
            r.fail("received_at", f"'{value}' is not a date the council could have received")
            return None
    return stamp


def _person(r: _Reader, raw: Any, where: str) -> PersonData:
    obj = r.obj(raw, where) or {}
    p = f"{where}."
    lines = r.items(obj.get("address_lines"), f"{p}address_lines")
    address: list[str] = []
    for n, line in enumerate(lines):
        if isinstance(line, str):
            if line.strip():
                address.append(line.strip())
        else:
            r.fail(f"{p}address_lines[{n}]", "should be text")
    return PersonData(
        title=r.text(obj, "title", p), first_name=r.text(obj, "first_name", p),
        last_name=r.text(obj, "last_name", p), organisation=r.text(obj, "organisation", p),
        address_lines=tuple(address), postcode=r.text(obj, "postcode", p),
        phone=r.text(obj, "phone", p), email=r.text(obj, "email", p),
        preferred_contact=r.text(obj, "preferred_contact", p),
        date_of_birth=r.day(obj, "date_of_birth", p),
        accessibility_needs=r.text(obj, "accessibility_needs", p))


def _incident(r: _Reader, raw: Any, where: str) -> IncidentData | None:
    if raw is None:
        r.fail(where, "should be an incident object, not null")
        return None
    obj = r.obj(raw, where)
    if obj is None:
        return None
    p = f"{where}."
    approx = r.obj(obj.get("occurred_approx"), f"{p}occurred_approx") or {}
    occurred_from = r.day(approx, "from", f"{p}occurred_approx.")
    occurred_to = r.day(approx, "to", f"{p}occurred_approx.")
    return IncidentData(
        occurred_on=r.day(obj, "occurred_on", p), reported_on=r.day(obj, "reported_on", p),
        reported_to=r.text(obj, "reported_to", p) or "",
        occurred_from=occurred_from, occurred_to=occurred_to,
        reported_by=r.text(obj, "reported_by", p), contact_name=r.text(obj, "contact_name", p),
        agency_reference=r.text(obj, "agency_reference", p),
        how_reported=r.text(obj, "how_reported", p), location=r.text(obj, "location", p),
        description=r.text(obj, "description", p),
        same_problem=r.flag(obj, "same_problem", p, True) is not False,
        hate_incident=bool(r.flag(obj, "hate_incident", p, False)))


def parse_application(raw: Any, label: str, now: datetime) -> ParsedApplication:
    """One JSON object to an ApplicationData, or the list of what is wrong with it."""
    r = _Reader()
    if not isinstance(raw, dict):
        return ParsedApplication(label, None, (Problem("(application)", "should be a JSON object"),))
    label = r.text(raw, "source_reference", "") or label
    channel_text = raw.get("channel")
    channel: Channel | None = None
    try:
        if not isinstance(channel_text, str):  # missing, or a number or list where the name belongs
            raise ValueError(channel_text)
        channel = Channel(channel_text)
    except ValueError:
        choices = ", ".join(c.value for c in Channel)
        r.fail("channel", f"{channel_text!r} is not a known channel (one of {choices})"
               if channel_text is not None else f"the channel is missing (one of {choices})")
    received_at = _received_at(r, raw)
    applicant = _person(r, raw.get("applicant"), "applicant")
    if raw.get("applicant") is None:
        r.fail("applicant", "the applicant is missing")
    on_behalf: OnBehalfData | None = None
    ob = r.obj(raw.get("on_behalf_of"), "on_behalf_of")
    if ob is not None:
        on_behalf = OnBehalfData(
            victim=_person(r, ob.get("victim"), "on_behalf_of.victim"),
            relationship=r.text(ob, "relationship", "on_behalf_of.") or "",
            victim_consent=r.flag(ob, "victim_consent", "on_behalf_of.", False) is True,
            consent_method=r.text(ob, "consent_method", "on_behalf_of."),
            consent_given_on=r.day(ob, "consent_given_on", "on_behalf_of."))
    incidents: list[IncidentData] = []
    raw_incidents = raw.get("incidents")
    for n, item in enumerate(r.items(raw_incidents, "incidents")):
        incident = _incident(r, item, f"incidents[{n}]")
        if incident is not None:
            incidents.append(incident)
    perpetrators = []
    for n, item in enumerate(r.items(raw.get("alleged_perpetrators"), "alleged_perpetrators")):
        obj = r.obj(item, f"alleged_perpetrators[{n}]")
        if obj is not None:
            where = f"alleged_perpetrators[{n}]."
            perpetrators.append(PerpetratorData(r.text(obj, "name", where), r.text(obj, "description", where),
                                                r.text(obj, "address", where)))
    asb_types = [t.strip() for t in r.items(raw.get("asb_types"), "asb_types")
                 if isinstance(t, str) and t.strip()]
    consent = r.flag(raw, "consent_to_share", "", None)
    # Build the application even when basic fields are wrong, so that every problem is named at once.
    data = ApplicationData(
        channel=channel or Channel.ONLINE, received_at=received_at or now, applicant=applicant,
        incidents=tuple(incidents), source_reference=r.text(raw, "source_reference", ""),
        on_behalf_of=on_behalf, consent_to_share=consent is True, asb_types=tuple(asb_types),
        problem_location=r.text(raw, "problem_location", ""),
        alleged_perpetrators=tuple(perpetrators), impact=r.text(raw, "impact", ""),
        vulnerability=r.text(raw, "vulnerability", ""),
        desired_outcome=r.text(raw, "desired_outcome", ""))
    problems = list(r.problems)
    # A field the reader already complained about (or a part of it) is not reported twice.
    read_faults = [p.field for p in problems]
    problems += [p for p in check_application(data, now, strict=False)
                 if not any(f.startswith(p.field) for f in read_faults)]
    if problems:
        return ParsedApplication(label, None, tuple(problems))
    return ParsedApplication(label, data, ())


def _depth(raw: Any) -> int:
    """How deeply lists and objects nest (iteratively: a hostile file cannot exhaust the stack here)."""
    deepest, stack = 0, [(raw, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, (list, dict)):
            deepest = max(deepest, level)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((v, level + 1) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def _file_problem(path: Path, message: str) -> list[ParsedApplication]:
    return [ParsedApplication(str(path), None, (Problem("(file)", message),))]


def read_application_file(path: Path, now: datetime) -> list[ParsedApplication]:
    """A file holds one application object or a list of them."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return _file_problem(path, f"cannot be read: {exc.strerror or exc}")
    if len(data) > MAX_FILE_BYTES:
        return _file_problem(path, f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, the most one import "
                                   "file may hold: split it into smaller files")
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return _file_problem(path, "is not UTF-8 text: save it as UTF-8 and import it again")
    except json.JSONDecodeError as exc:
        return _file_problem(path, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
    except RecursionError:
        return _file_problem(path, f"nests lists or objects more than {MAX_DEPTH} deep, which no application does")
    except ValueError:  # a number of more than 4,300 digits
        return _file_problem(path, "holds a number too long to read (thousands of digits)")
    if _depth(raw) > MAX_DEPTH:
        return _file_problem(path, f"nests lists or objects more than {MAX_DEPTH} deep, which no application does")
    return parse_applications(raw, path.name, now)


def parse_applications(raw: Any, name: str, now: datetime) -> list[ParsedApplication]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        return [ParsedApplication(name, None, (Problem("(file)", "holds no applications"),))]
    return [parse_application(item, f"application {n} in {name}", now)
            for n, item in enumerate(items, start=1)]
