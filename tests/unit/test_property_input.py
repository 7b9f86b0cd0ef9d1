"""Property tests of everything typed or imported: only the documented result, never a crash or a half-save."""
from __future__ import annotations

import copy
import json
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.db.models import AuditEntry, Case, Person
from app.domain.application import check_application
from app.interchange import ParsedApplication, parse_applications
from app.services.intake.form_input import INCIDENT_FIELDS, PERSON_FIELDS, FormResult, application_from_form
from app.services.intake.applications import import_applications
from tests.conftest import make_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXAMPLE: list[dict[str, Any]] = json.loads((FIXTURES / "public-applications.json").read_text(encoding="utf-8"))
NOW = datetime(2026, 11, 25, 12, 0)
MODEST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Values that reach past the type checks: dates and times in and out of range, words the format knows.
OFFSETS = st.sampled_from([None, timezone.utc, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))])
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
date_text = st.one_of(dates.map(date.isoformat), dates.map(lambda d: d.strftime("%d/%m/%Y")),
                      dates.map(lambda d: d.strftime("%m/%Y")), dates.map(lambda d: d.strftime("%B %Y")),
                      st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1),
                                   timezones=OFFSETS).map(lambda d: d.isoformat()),
                      st.from_regex(r"\A[0-9]{1,5}[-/][0-9]{1,3}[-/][0-9]{1,5}\Z"))
known_words = st.sampled_from(["", " ", "telephone", "post", "online", "email", "in_person", "letter", "phone",
                               "carer", "family", "other", "verbal", "signed", "yes", "no", "Kent Police",
                               "Clarion Housing", "noise", "a@b", "@", "TN1 1AA"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 12, 10 ** 12),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=25), date_text, known_words)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=10)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON value: object keys and list positions, containers as well as leaves."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found += paths(item, (*prefix, n))
    return found


EXAMPLE_PATHS = [paths(item) for item in EXAMPLE]


def _parent(root: Any, path: tuple) -> Any:
    for step in path[:-1]:
        root = root[step]
    return root


@st.composite
def mutated_example(draw: st.DrawFn) -> tuple[int, Any]:
    """One of the public examples with a few places replaced, removed or given a new key."""
    which = draw(st.integers(0, len(EXAMPLE) - 1))
    item = copy.deepcopy(EXAMPLE[which])
    for _ in range(draw(st.integers(1, 4))):
        places = paths(item)
        if not places:
            break
        path = draw(st.sampled_from(places))
        parent = _parent(item, path)
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(json_values)
        else:
            parent.append(draw(json_values))
    return which, item


def check_parsed(results: list[ParsedApplication]) -> None:
    """The documented result: data with no problems, or no data and every problem named."""
    assert isinstance(results, list) and results
    for result in results:
        assert isinstance(result, ParsedApplication) and isinstance(result.label, str) and result.label
        assert (result.data is None) == bool(result.problems)
        for problem in result.problems:
            assert isinstance(problem.field, str) and problem.field.strip()
            assert isinstance(problem.message, str) and problem.message.strip()
        if result.data is not None:
            assert check_application(result.data, NOW, strict=False) == []


def test_the_public_example_is_valid_to_start_with():
    results = parse_applications(EXAMPLE, "public-applications.json", NOW)
    assert [r.problems for r in results] == [(), (), ()]


@MODEST
@given(index=st.integers(0, len(EXAMPLE) - 1), data=st.data())
def test_any_value_in_any_field_of_the_json_format(index: int, data: st.DataObject):
    item = copy.deepcopy(EXAMPLE[index])
    path = data.draw(st.sampled_from(EXAMPLE_PATHS[index]))
    _parent(item, path)[path[-1]] = data.draw(json_values)
    check_parsed(parse_applications([item], "file.json", NOW))


@MODEST
@given(mutated=mutated_example())
def test_random_mutations_of_the_public_example(mutated: tuple[int, Any]):
    which, item = mutated
    others = [copy.deepcopy(e) for n, e in enumerate(EXAMPLE) if n != which]
    results = parse_applications([item, *others], "file.json", NOW)
    check_parsed(results)
    assert [r.problems for r in results[1:]] == [(), ()]  # one bad application does not spoil the rest


@MODEST
@given(raw=json_values)
def test_any_json_at_all_as_a_file(raw: Any):
    check_parsed(parse_applications(raw, "file.json", NOW))


# The intake form: every field is whatever text the officer typed ---------------------------------------

typed = st.one_of(st.text(max_size=30), date_text, known_words)
FORM_KEYS = ["received_at", "channel", "relationship", "victim_consent", "consent_method", "consent_given_on",
             "consent_to_share", "asb_types", "problem_location", "impact", "vulnerability", "desired_outcome",
             *(f"applicant.{f}" for f in PERSON_FIELDS), *(f"victim.{f}" for f in PERSON_FIELDS)]


@st.composite
def form_payload(draw: st.DrawFn) -> dict[str, Any]:
    payload: dict[str, Any] = {key: draw(typed) for key in FORM_KEYS}
    payload["on_behalf"] = draw(st.one_of(st.booleans(), typed))
    payload["incidents"] = draw(st.lists(st.fixed_dictionaries({k: typed for k in INCIDENT_FIELDS}), max_size=4))
    payload["perpetrators"] = draw(st.lists(st.fixed_dictionaries(
        {"name": typed, "description": typed, "address": typed}), max_size=2))
    return payload


@MODEST
@given(payload=form_payload())
def test_any_text_in_every_field_of_the_form(payload: dict[str, Any]):
    result = application_from_form(payload, NOW)
    assert isinstance(result, FormResult)
    assert (result.data is None) == bool(result.problems)
    for problem in result.problems:
        assert isinstance(problem.field, str) and problem.field.strip()
        assert isinstance(problem.message, str) and problem.message.strip()
    if result.data is not None:
        assert check_application(result.data, NOW, strict=False) == []


# Faults hypothesis found once; kept so they stay fixed. ----------------------------------------------

def test_a_time_zone_at_the_end_of_the_calendar_is_a_problem_not_a_crash():
    item = {**copy.deepcopy(EXAMPLE[0]), "received_at": "0001-01-01T00:00:00+14:00"}
    check_parsed(parse_applications([item], "file.json", NOW))


def test_form_messages_are_in_plain_words_for_unusual_digits():
    result = application_from_form({"received_at": "01/11/2026", "incidents": [{"happened": "March ²"}]}, NOW)
    assert not [p for p in result.problems if "invalid literal" in p.message]


# Importing: an invalid file saves nothing at all ---------------------------------------------------------

@pytest.fixture(scope="module")
def import_ctx(tmp_path_factory: pytest.TempPathFactory):
    ctx = make_context(f"sqlite:///{tmp_path_factory.mktemp('import') / 'cases.db'}")
    yield ctx
    ctx.engine.dispose()


def _counts(ctx) -> tuple[int, int, int]:
    with ctx.unit_of_work() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Case, Person, AuditEntry))  # type: ignore[return-value]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated=mutated_example(), garbage=st.booleans())
def test_an_invalid_import_file_leaves_no_case_behind(import_ctx, mutated: tuple[int, Any], garbage: bool):
    which, item = mutated
    raw = [copy.deepcopy(e) for e in EXAMPLE]
    raw[which] = item
    assume(any(r.problems for r in parse_applications(raw, "file.json", import_ctx.now())))
    before = _counts(import_ctx)
    assert before[0] == 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "applications.json"
        text = json.dumps(raw)
        path.write_text(text[: len(text) // 2] if garbage else text, encoding="utf-8")  # cut short: not JSON
        report = import_applications(import_ctx, [path])
    assert not report.ok and report.created == ()
    assert all(problem.field and problem.message for _label, problem in report.invalid)
    assert _counts(import_ctx) == before
