"""Every setting an administrator can change by name (`settings set KEY=VALUE`), with its limits and default.

One table serves the command line, the Settings screen's threshold form, the README and the tests:
each key reads its value from the settings, reads a typed value from text (refusing, with the reason,
anything outside its limits) and puts it back. Threshold keys are not written here: they become a
new dated version of the rules (`app.domain.threshold_rules`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from app.domain.clocks import ANCHORS, UNITS, ClockSettings
from app.domain.dates import parse_uk_or_iso, uk
from app.domain.settings import REVIEW_ROUTES, YEAR_TYPES, CouncilDetails, OpccDetails, Settings
from app.domain.threshold import ThresholdRules
from app.domain.threshold_rules import LIMITS


class BadValue(ValueError):
    """A value a key cannot take; the message says why, in words an administrator can act on."""


@dataclass(frozen=True)
class KeySpec:
    key: str
    description: str
    default: str
    limits: str
    parse: Callable[[str], Any]
    get: Callable[[Settings, date], Any]
    put: Callable[[Settings, Any], Settings] | None  # None for threshold keys (dated versions)
    show: Callable[[Any], str] = str
    threshold_field: str | None = None

    def read(self, settings: Settings, today: date) -> str:
        return self.show(self.get(settings, today))


_ON = {"on": True, "yes": True, "true": True, "1": True, "off": False, "no": False, "false": False, "0": False}


def _on_off(text: str) -> bool:
    try:
        return _ON[text.strip().casefold()]
    except KeyError:
        raise BadValue(f"'{text}' is not on or off") from None


def _show_on_off(value: Any) -> str:
    return "on" if value else "off"


def _whole(low: int, high: int, why_low: str = "", why_high: str = "") -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise BadValue(f"'{text}' is not a whole number") from None
        if value < low:
            raise BadValue(f"{value} is refused: {why_low or f'the lowest is {low}'}"
                           + (f" (lowest {low})" if why_low else ""))
        if value > high:
            raise BadValue(f"{value} is refused: {why_high or f'the highest is {high}'}"
                           + (f" (highest {high})" if why_high else ""))
        return value
    return parse


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().casefold()
        if value not in options:
            raise BadValue(f"'{text}' is not one of {', '.join(options)}")
        return value
    return parse


def _text(required: bool = True, longest: int = 200, email: bool = False) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = " ".join(text.split())
        if required and not value:
            raise BadValue("cannot be empty")
        if len(value) > longest:
            raise BadValue(f"is {len(value)} characters; the most is {longest}")
        if email and value and ("@" not in value or " " in value):
            raise BadValue(f"'{value}' is not an email address")
        return value
    return parse


def _lines(text: str) -> tuple[str, ...]:
    lines = tuple(" ".join(part.split()) for part in text.split("|") if part.strip())
    if len(lines) > 6:
        raise BadValue("give at most 6 address lines, separated by |")
    if any(len(line) > 100 for line in lines):
        raise BadValue("an address line is longer than 100 characters")
    return lines


def _show_lines(value: Any) -> str:
    return "|".join(value)


def _dates(text: str) -> tuple[date, ...]:
    try:
        return tuple(sorted({parse_uk_or_iso(part) for part in text.split("|") if part.strip()}))
    except ValueError as exc:
        raise BadValue(str(exc)) from None


def _council(name: str, description: str, parse: Callable[[str], Any], limits: str,
             show: Callable[[Any], str] = str) -> KeySpec:
    attr = {"address": "address_lines"}.get(name, name)
    default = getattr(CouncilDetails(), attr)
    return KeySpec(f"council.{name}", description, show(default), limits, parse,
                   lambda s, _t: getattr(s.council, attr),
                   lambda s, v: replace(s, council=replace(s.council, **{attr: v})), show)


def _opcc(name: str, description: str, parse: Callable[[str], Any], limits: str,
          show: Callable[[Any], str] = str) -> KeySpec:
    attr = {"address": "address_lines"}.get(name, name)
    default = getattr(OpccDetails(), attr)
    return KeySpec(f"opcc.{name}", description, show(default) or "(none)", limits, parse,
                   lambda s, _t: getattr(s.opcc, attr),
                   lambda s, v: replace(s, opcc=replace(s.opcc, **{attr: v})), show)


_CLOCK_WORDS = {
    "acknowledgement": "acknowledge the application",
    "threshold_decision": "decide the threshold",
    "agency_information": "each agency's information",
    "panel": "hold the review panel",
    "outcome": "send the findings letter (the whole review)",
    "secondary_review_request": "the applicant's window to ask for a review of the review",
    "secondary_review": "complete the review of the review",
    "keep_informed": "update the applicant while the review is under way (keep-informed clock)",
    "delay_prompt": "prompt for a delay letter this many working days before the findings are due",
    "due_soon": "a case is 'due soon' within this many working days",
}


def _clock_days(name: str) -> KeySpec:
    default = getattr(ClockSettings(), name)
    high = 20 if name in ("delay_prompt", "due_soon") else 60
    return KeySpec(f"clock.{name}", f"Days allowed: {_CLOCK_WORDS[name]}", str(default), f"1 to {high}",
                   _whole(1, high), lambda s, _t: getattr(s.clocks, name),
                   lambda s, v: replace(s, clocks=replace(s.clocks, **{name: v})))


def _clock_anchor(name: str) -> KeySpec:
    options = ANCHORS[name]
    return KeySpec(f"clock.{name}.from", f"What the {name.replace('_', ' ')} clock runs from",
                   options[0], " or ".join(options), _choice(options),
                   lambda s, _t: s.clocks.anchor(name),
                   lambda s, v: replace(s, clocks=replace(s.clocks, anchors={
                       **{k: a for k, a in s.clocks.anchors.items() if k != name},
                       **({name: v} if v != options[0] else {})})))


def _clock_unit(name: str) -> KeySpec:
    return KeySpec(f"clock.{name}.unit", f"Whether the {name.replace('_', ' ')} clock counts working or "
                   "calendar days", "working", " or ".join(UNITS), _choice(UNITS),
                   lambda s, _t: s.clocks.unit(name),
                   lambda s, v: replace(s, clocks=replace(s.clocks, units={
                       **{k: u for k, u in s.clocks.units.items() if k != name},
                       **({name: v} if v != "working" else {})})))


def _threshold(key: str, attr: str, description: str) -> KeySpec:
    default = getattr(ThresholdRules(), attr)
    if isinstance(default, bool):
        return KeySpec(f"threshold.{key}", description, _show_on_off(default), "on or off", _on_off,
                       lambda s, t: getattr(s.rules_on(t), attr), None, _show_on_off, attr)
    limit = LIMITS[attr]
    return KeySpec(f"threshold.{key}", description, str(default), f"{limit.low} to {limit.high}",
                   _whole(limit.low, limit.high, limit.why_low, limit.why_high),
                   lambda s, t: getattr(s.rules_on(t), attr), None, str, attr)


_CLOCKS = ("acknowledgement", "threshold_decision", "agency_information", "panel", "outcome",
           "secondary_review_request", "secondary_review")

KEYS: tuple[KeySpec, ...] = (
    _council("name", "The council's name, on every letter", _text(), "1 to 200 characters"),
    _council("unit", "The unit's name under the council's", _text(), "1 to 200 characters"),
    _council("address", "The council's address, lines separated by |", _lines, "up to 6 lines", _show_lines),
    _council("postcode", "The council's postcode", _text(longest=12), "up to 12 characters"),
    _council("phone", "The unit's phone number", _text(longest=40), "1 to 40 characters"),
    _council("email", "The unit's email address", _text(longest=200, email=True), "an email address"),
    _council("website", "The council's website", _text(required=False), "up to 200 characters"),
    _council("reference_prefix", "The prefix of case references (CT-2026-0001)",
             _text(longest=6), "1 to 6 characters"),
    *(_clock_days(c) for c in _CLOCKS),
    _clock_days("keep_informed"), _clock_days("delay_prompt"), _clock_days("due_soon"),
    *(_clock_anchor(c) for c in (*_CLOCKS, "keep_informed") if len(ANCHORS[c]) > 1),
    *(_clock_unit(c) for c in (*_CLOCKS, "keep_informed")),
    KeySpec("calendar.closure_days", "The council's own closure days (besides bank holidays), separated by |",
            "(none)", "dates dd/mm/yyyy", _dates, lambda s, _t: s.closure_days,
            lambda s, v: replace(s, closure_days=v), lambda v: "|".join(uk(d) for d in v) or "(none)"),
    _threshold("incidents", "incidents_needed", "Qualifying incidents needed for the threshold"),
    _threshold("period_months", "lookback_months",
               "Months before the application in which an incident must have been reported"),
    _threshold("report_within_months", "report_within_months",
               "Months after it happened within which an incident must have been reported"),
    _threshold("hate_route", "hate_incident_route", "The hate-incident route"),
    _threshold("hate_incidents", "hate_incidents_needed", "Hate incidents the hate-incident route needs"),
    _threshold("hate_period_months", "hate_period_months",
               "Months before the application the hate-incident route looks back"),
    _threshold("hate_total_incidents", "hate_total_incidents",
               "Incidents of any kind (the hate incidents included) the hate-incident route needs in all"),
    _threshold("community_route", "community_route",
               "The community route (households reporting the same problem)"),
    _threshold("community_households", "community_route_households",
               "Households (addresses) the community route needs within the period"),
    KeySpec("review.route", "Who carries out the review of the review", "senior_officer",
            " or ".join(REVIEW_ROUTES), _choice(tuple(REVIEW_ROUTES)), lambda s, _t: s.review_route,
            lambda s, v: replace(s, review_route=v)),
    _opcc("name", "The Police and Crime Commissioner's office, as letters name it", _text(), "1 to 200 characters"),
    _opcc("address", "Its address, lines separated by | (needed for the OPCC referral letter)", _lines,
          "up to 6 lines", _show_lines),
    _opcc("postcode", "Its postcode", _text(required=False, longest=12), "up to 12 characters"),
    _opcc("email", "Its email address", _text(required=False, email=True), "an email address"),
    _opcc("phone", "Its phone number", _text(required=False, longest=40), "up to 40 characters"),
    KeySpec("publication.year_type", "The year the published figures cover: financial (1 April to 31 March) "
            "or calendar", "financial", " or ".join(YEAR_TYPES), _choice(YEAR_TYPES),
            lambda s, _t: s.publication_year_type, lambda s, v: replace(s, publication_year_type=v)),
    KeySpec("retention.years", "Years after closure before a case is due for retention review", "6",
            "1 to 30", _whole(1, 30), lambda s, _t: s.retention_years, lambda s, v: replace(s, retention_years=v)),
)
BY_KEY: dict[str, KeySpec] = {k.key: k for k in KEYS}
THRESHOLD_FIELDS = {k.threshold_field for k in KEYS if k.threshold_field}


def spec(key: str) -> KeySpec:
    found = BY_KEY.get(key.strip())
    if found is None:
        raise BadValue(f"'{key}' is not a setting; `settings show` lists them all")
    return found


def parse_assignment(text: str) -> tuple[KeySpec, Any]:
    """KEY=VALUE to the key and its typed value; BadValue says what is wrong, naming the key."""
    key, sep, value = text.partition("=")
    if not sep:
        raise BadValue(f"'{text}' should be KEY=VALUE")
    found = spec(key)
    try:
        return found, found.parse(value)
    except BadValue as exc:
        raise BadValue(f"{found.key}: {exc}") from None


def all_threshold_fields_known() -> bool:
    """Every field of the rules has a key (a test keeps this true)."""
    return THRESHOLD_FIELDS == {f.name for f in fields(ThresholdRules)}
