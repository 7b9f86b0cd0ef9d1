"""Reading and checking the historical register's rows: every problem named by row and column."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.domain.application import Channel
from app.domain.dates import parse_uk_or_iso, uk
from app.services.cases.secondary_review import OUTCOMES
from app.services.intake.limits import text_problem

COMMENCEMENT = date(2014, 10, 20)  # the Community Trigger came into force: no case is older
MAX_RECOMMENDATIONS = 50  # for one case; a panel makes a handful
CELL_LIMITS = {"reference": 120, "applicant_name": 120, "postcode": 12}  # the columns they are stored in
COLUMNS = ("reference", "received_on", "channel", "applicant_name", "postcode", "threshold_decided_on",
           "threshold_met", "panel_held_on", "recommendations", "outcome_sent_on",
           "secondary_review_requested_on", "secondary_review_outcome", "closed_on")
DATE_COLUMNS = ("received_on", "threshold_decided_on", "panel_held_on", "outcome_sent_on",
                "secondary_review_requested_on", "closed_on")
# The order the steps happen in: each date on or after the one before it that is filled in.
STEP_ORDER = DATE_COLUMNS
WORDS = {"received_on": "the date received", "threshold_decided_on": "the threshold decision",
         "panel_held_on": "the panel", "outcome_sent_on": "the outcome letter",
         "secondary_review_requested_on": "the secondary review request", "closed_on": "closing"}

_CHANNELS = {**{c.value: c.value for c in Channel}, **{c.label.casefold(): c.value for c in Channel},
             "phone": "telephone", "tel": "telephone", "letter": "post", "postal": "post", "web": "online",
             "online": "online", "website": "online", "e-mail": "email", "in person": "in_person",
             "in-person": "in_person", "face to face": "in_person"}
_YES = {"yes", "y", "met", "true", "1"}
_NO = {"no", "n", "not met", "false", "0"}
_OUTCOMES = {**{k: k for k in OUTCOMES}, **{v.casefold(): k for k, v in OUTCOMES.items()},
             "partly upheld": "partly_upheld", "not upheld": "not_upheld", "referred back": "referred_back"}
TITLES = {"mr", "mrs", "miss", "ms", "mx", "dr", "cllr", "councillor", "rev", "revd", "prof", "sir", "dame",
          "lady", "lord"}
ORGANISATION_WORDS = {"ltd", "limited", "plc", "llp", "cic", "association", "residents", "group", "trust",
                      "society", "church", "school", "club", "partnership", "centre", "center", "committee",
                      "company", "council", "college", "surgery", "shop", "store", "services"}
PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "del", "la", "le", "st", "st.", "ter", "ten"}


@dataclass(frozen=True)
class RegisterProblem:
    row: int  # as a spreadsheet numbers it: the header is row 1 (0: the file itself)
    column: str
    message: str

    def __str__(self) -> str:
        where = "The file" if self.row == 0 else f"Row {self.row}"
        return f"{where}, column {self.column}: {self.message}"


@dataclass(frozen=True)
class Name:
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class RegisterRow:
    row: int
    reference: str
    received_on: date
    channel: str
    applicant: Name
    postcode: str | None
    threshold_decided_on: date | None
    threshold_met: bool | None
    panel_held_on: date | None
    recommendations: int
    outcome_sent_on: date | None
    secondary_review_requested_on: date | None
    secondary_review_outcome: str | None
    closed_on: date | None


def split_name(text: str) -> Name:
    """'Mrs Jane Smith', 'Smith, Jane', 'J. A. van der Berg' or 'Hill Street Residents Association'."""
    text = " ".join(text.split())
    words = text.replace(",", " ").split()
    if any(w.casefold().strip(".()") in ORGANISATION_WORDS for w in words) or "&" in words:
        return Name(organisation=text)
    if "," in text:  # "Surname, Title First"
        surname, rest = (part.strip() for part in text.split(",", 1))
        words = [*rest.split(), *surname.split()] if rest else surname.split()
    title = None
    if len(words) > 1 and words[0].casefold().rstrip(".") in TITLES:
        title, words = words[0], words[1:]
    last = [words[-1]] if words else []
    given = words[:-1]
    while given and given[-1].casefold() in PARTICLES:
        last.insert(0, given.pop())
    return Name(title=title, first_name=" ".join(given) or None, last_name=" ".join(last) or None)


def read_rows(text: str, today: date) -> tuple[list[RegisterRow], list[RegisterProblem]]:
    """Every row parsed and checked; the rows are usable only when there are no problems."""
    problems: list[RegisterProblem] = []
    try:
        # Read as a file, not split into lines first: a quoted cell may hold a newline, and
        # str.splitlines() would also break rows at Unicode line and paragraph separators (U+2028,
        # U+2029, U+0085), which belong to the cell they were typed in (and become spaces there).
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return [], [RegisterProblem(0, "file", f"is not a readable CSV file ({exc})")]
    if not lines:
        return [], [RegisterProblem(0, "file", "is empty: it needs a header row naming the columns")]
    header = [h.strip().casefold().replace(" ", "_") for h in lines[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [RegisterProblem(1, c, "this column is missing from the header row") for c in missing]
    index = {name: header.index(name) for name in COLUMNS}
    rows: list[RegisterRow] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines at the end of a spreadsheet export
        values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in index.items()}
        row = _check_row(number, values, today, problems)
        if row is not None:
            if row.reference in seen:
                problems.append(RegisterProblem(number, "reference", f"{row.reference} is also on row "
                                                f"{seen[row.reference]}; each case appears once"))
            seen.setdefault(row.reference, number)
            rows.append(row)
    if not rows and not problems:
        problems.append(RegisterProblem(0, "file", "has a header row but no cases"))
    return rows, problems


def _check_row(n: int, v: dict[str, str], today: date, problems: list[RegisterProblem]) -> RegisterRow | None:
    found: list[RegisterProblem] = []

    def bad(column: str, message: str) -> None:
        found.append(RegisterProblem(n, column, message))

    for column, value in v.items():
        problem = text_problem(column, value, CELL_LIMITS.get(column, 120))
        if problem is not None:
            bad(column, problem.message)
    dates: dict[str, date | None] = {}
    for column in DATE_COLUMNS:
        dates[column] = None
        if v[column]:
            try:
                day = parse_uk_or_iso(v[column])
            except ValueError as exc:
                bad(column, str(exc))
                continue
            if day > today:
                bad(column, f"{uk(day)} is in the future")
            elif day < COMMENCEMENT:
                bad(column, f"{uk(day)} is before the Community Trigger came into force (20/10/2014)")
            dates[column] = day
    reference = v["reference"]
    if not reference:
        bad("reference", "every row needs the register's reference")
    if not v["received_on"]:
        bad("received_on", "every application needs the date it was received")
    channel = _CHANNELS.get(v["channel"].casefold().replace("_", " ")) or _CHANNELS.get(v["channel"].casefold())
    if channel is None:
        bad("channel", f"'{v['channel']}' is not a channel: use one of "
                       f"{', '.join(c.label.lower() for c in Channel)}" if v["channel"] else
            "give how the application arrived (telephone, post, online form, email or in person)")
    if not v["applicant_name"]:
        bad("applicant_name", "give the applicant's name (or the organisation's)")
    met = _yes_no(v["threshold_met"])
    if v["threshold_met"] and met is None:
        bad("threshold_met", f"'{v['threshold_met']}' should be yes or no")
    decided = dates["threshold_decided_on"]
    if v["threshold_met"] and not v["threshold_decided_on"]:
        bad("threshold_decided_on", "the threshold decision has no date (threshold_met is filled in)")
    if v["threshold_decided_on"] and not v["threshold_met"]:
        bad("threshold_met", "say whether the threshold was met (yes or no): the decision has a date")
    count = 0
    if v["recommendations"]:
        if re.fullmatch(r"[0-9]{1,6}", v["recommendations"]):
            count = int(v["recommendations"])
            if count > MAX_RECOMMENDATIONS:
                bad("recommendations", f"{count:,} is more recommendations than a panel makes for one case "
                                       f"(at most {MAX_RECOMMENDATIONS})")
        else:
            shown = v["recommendations"] if len(v["recommendations"]) <= 20 else v["recommendations"][:20] + "…"
            bad("recommendations", f"'{shown}' is not a number of recommendations (0, 1, 2...)")
    if v["panel_held_on"] and met is not True and not (v["threshold_met"] and met is None):
        bad("panel_held_on", "a panel reviews a case only once the threshold is met (threshold_met is "
                             f"{'no' if met is False else 'empty'})")
    if count and not v["panel_held_on"]:
        bad("recommendations", "recommendations are made at a panel, but panel_held_on is empty")
    if v["outcome_sent_on"]:
        if not v["threshold_decided_on"]:
            bad("outcome_sent_on", "an outcome letter needs a threshold decision first")
        elif met and not v["panel_held_on"]:
            bad("outcome_sent_on", "the findings letter follows the panel, but panel_held_on is empty")
    outcome = None
    if v["secondary_review_outcome"]:
        outcome = _OUTCOMES.get(v["secondary_review_outcome"].casefold().replace("_", " ")) or \
            _OUTCOMES.get(v["secondary_review_outcome"].casefold())
        if outcome is None:
            bad("secondary_review_outcome", f"'{v['secondary_review_outcome']}' is not an outcome: use "
                f"{', '.join(x.lower() for x in OUTCOMES.values())}")
        if not v["secondary_review_requested_on"]:
            bad("secondary_review_outcome", "there is an outcome but no date the secondary review was requested")
    if v["secondary_review_requested_on"] and not v["threshold_decided_on"]:
        bad("secondary_review_requested_on", "a secondary review follows a decision, but threshold_decided_on "
                                             "is empty")
    _check_order(dates, bad)
    problems.extend(found)
    if found:
        return None
    assert dates["received_on"] is not None and channel is not None
    postcode = " ".join(v["postcode"].upper().split()) or None
    return RegisterRow(n, reference, dates["received_on"], channel, split_name(v["applicant_name"]), postcode,
                       decided, met, dates["panel_held_on"], count, dates["outcome_sent_on"],
                       dates["secondary_review_requested_on"], outcome, dates["closed_on"])


def _check_order(dates: dict[str, date | None], bad: Callable[[str, str], None]) -> None:
    """Each step on or after every earlier step that has a date."""
    received = dates["received_on"]
    for n, column in enumerate(STEP_ORDER[1:], start=1):
        day = dates[column]
        if day is None:
            continue
        if received and day < received:
            bad(column, f"{uk(day)} is before the date received ({uk(received)})")
            continue
        for earlier in reversed(STEP_ORDER[1:n]):
            before = dates[earlier]
            if before is not None:
                if day < before:
                    bad(column, f"{uk(day)} is before {WORDS[earlier]} ({uk(before)})")
                break


def _yes_no(text: str) -> bool | None:
    word = text.strip().casefold()
    return True if word in _YES else False if word in _NO else None
