"""The structured assessment every threshold decision records (the 2014 Act s.104 and the guidance):
persistence, harm or potential harm, vulnerability and the adequacy of the response so far, each with
a rating and a note; and the same in plain words for the decision letter."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.application import Problem


@dataclass(frozen=True)
class Factor:
    key: str
    label: str  # as the officer and the panel read it
    letter_label: str  # as the applicant reads it
    ratings: tuple[tuple[str, str, str], ...]  # (value, label, the plain-words sentence for a letter)


FACTORS: tuple[Factor, ...] = (
    Factor("persistence", "Persistence of the behaviour", "How long and how often it has happened", (
        ("high", "High", "The behaviour has gone on for a long time, or happens often."),
        ("medium", "Medium", "The behaviour has happened more than once over a period."),
        ("low", "Low", "The behaviour has not gone on for long."))),
    Factor("harm", "Harm or potential harm", "The harm it causes, or could cause", (
        ("high", "High", "The behaviour has caused, or could cause, serious harm."),
        ("medium", "Medium", "The behaviour has caused, or could cause, some harm."),
        ("low", "Low", "The behaviour has caused, or could cause, little harm."))),
    Factor("vulnerability", "Vulnerability of the victim", "Vulnerability", (
        ("high", "High", "The person affected is particularly vulnerable."),
        ("medium", "Medium", "The person affected is vulnerable in some ways."),
        ("low", "Low", "We found no particular vulnerability."))),
    Factor("response", "Adequacy of the response so far", "What the agencies have done so far", (
        ("inadequate", "Inadequate", "The response from the agencies so far has not been adequate."),
        ("partly_adequate", "Partly adequate", "The response from the agencies so far has been partly adequate."),
        ("adequate", "Adequate", "The response from the agencies so far has been adequate."))),
)
FACTOR_KEYS = tuple(f.key for f in FACTORS)
_BY_KEY = {f.key: f for f in FACTORS}


@dataclass(frozen=True)
class Rating:
    factor: str
    rating: str
    note: str


@dataclass(frozen=True)
class Assessment:
    ratings: tuple[Rating, ...]

    @classmethod
    def of(cls, values: dict[str, tuple[str, str]]) -> Assessment:
        """{factor: (rating, note)} in any order; kept in the order of FACTORS."""
        return cls(tuple(Rating(k, *values[k]) for k in FACTOR_KEYS if k in values)
                   + tuple(Rating(k, *v) for k, v in values.items() if k not in FACTOR_KEYS))

    def get(self, factor: str) -> Rating | None:
        return next((r for r in self.ratings if r.factor == factor), None)

    def to_json(self) -> dict[str, Any]:
        return {r.factor: {"rating": r.rating, "note": r.note} for r in self.ratings}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Assessment | None:
        if not data:
            return None
        return cls.of({k: (str(v.get("rating", "")), str(v.get("note", ""))) for k, v in data.items()
                       if isinstance(v, dict)})

    def officer_lines(self) -> list[tuple[str, str]]:
        """(label, "Rating: note") for the case page and the panel pack."""
        out = []
        for r in self.ratings:
            factor = _BY_KEY.get(r.factor)
            if factor is None:
                continue
            out.append((factor.label, f"{rating_label(r.factor, r.rating)}: {r.note}"))
        return out

    def letter_items(self) -> list[dict[str, str]]:
        """Each factor in the applicant's words, for the decision letters."""
        out = []
        for r in self.ratings:
            factor = _BY_KEY.get(r.factor)
            if factor is None:
                continue
            words = next((w for v, _l, w in factor.ratings if v == r.rating), "")
            note = " ".join(r.note.split())
            note = note[:1].upper() + note[1:]
            if note and not note.endswith((".", "!", "?")):
                note += "."
            out.append({"factor": factor.letter_label, "words": words, "note": note})
        return out


def rating_label(factor: str, rating: str) -> str:
    found = _BY_KEY.get(factor)
    return next((label for v, label, _w in found.ratings if v == rating), rating) if found else rating


def rating_choices(factor: str) -> list[tuple[str, str]]:
    return [(v, label) for v, label, _w in _BY_KEY[factor].ratings]


def check_assessment(assessment: Assessment | None) -> list[Problem]:
    """Every factor rated, with a note saying why: the decision must show it weighed each one."""
    problems: list[Problem] = []
    for factor in FACTORS:
        rating = assessment.get(factor.key) if assessment else None
        allowed = [v for v, _l, _w in factor.ratings]
        if rating is None or not rating.rating:
            problems.append(Problem(f"{factor.key}_rating", f"rate the {factor.label.lower()}"))
        elif rating.rating not in allowed:
            problems.append(Problem(f"{factor.key}_rating", f"choose one of {', '.join(allowed)}"))
        if rating is None or not rating.note.strip():
            problems.append(Problem(f"{factor.key}_note", f"say why you rated the {factor.label.lower()} so"))
    return problems
