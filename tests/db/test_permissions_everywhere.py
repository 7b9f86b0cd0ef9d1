"""Every public service function checks a permission first: found by inspecting app.services, not listed.

A function that takes the service context (`ctx`) is an operation a user can start. Each must refuse
a context that never signed in; each that can change anything must refuse a read-only user. The
reads that a read-only user may run are named below (a short list: adding a read means adding it
here), and the test checks that each of them, run as a read-only user, writes nothing but the
audit log (a view is audited).
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

import app.services
from app.services.common.context import ServiceContext
from app.services.common.errors import PermissionDenied
from app.services.intake.applications import create_application
from tests.conftest import FIXED_TODAY, make_context
from tests.db.helpers import application

# Run before anyone has signed in: opening a database and signing in itself.
BEFORE_SIGN_IN = {
    "app.services.admin.database.ensure_defaults",
    "app.services.trust.users.sign_in",
    "app.services.trust.users.sign_in_with_password",
}
# What a read-only user may do: read (each audited where it shows personal data), and their own details.
READS = {
    "app.services.cases.others_changes.changes_since",  # what others saved: a read (F5, focus regained)
    "app.services.admin.named_settings.show_settings",
    "app.services.admin.named_settings.threshold_history",
    "app.services.cases.updates.list_updates",
    "app.services.intake.applications.form_households",
    "app.services.reports.publication.publication_reminder",
    "app.services.reports.publication.publication_table",
    "app.services.agencies.directory.agency_kinds",
    "app.services.agencies.directory.get_agency",
    "app.services.agencies.directory.list_agencies",
    "app.services.agencies.links.unmatched_reported_to",
    "app.services.admin.settings.my_details",
    "app.services.admin.settings.my_job_title",
    "app.services.admin.named_settings.show_settings",
    "app.services.admin.named_settings.threshold_history",
    "app.services.cases.updates.list_updates",
    "app.services.intake.applications.form_households",
    "app.services.reports.publication.publication_reminder",
    "app.services.reports.publication.publication_table",
    "app.services.agencies.directory.list_agency_details",
    "app.services.panels.pack.meeting_on",
    "app.services.admin.settings.needs_set_up",
    "app.services.admin.settings.save_my_details",
    "app.services.cases.case_list.build_query",
    "app.services.cases.case_list.case_counts",
    "app.services.cases.case_list.fetch_rows",
    "app.services.cases.case_list.find_case_ids",
    "app.services.cases.case_list.officer_choices",
    "app.services.cases.case_list.iter_rows",
    "app.services.cases.case_list.officers",
    "app.services.cases.case_list.received_years",
    "app.services.cases.case_page.load_case",
    "app.services.cases.secondary_review.latest_secondary_review",
    "app.services.panels.recommendations.recommendations",
    "app.services.cases.summaries.case_summary",
    "app.services.cases.summaries.list_cases",
    "app.services.intake.applications.find_submission",
    "app.services.intake.applications.parse_files",
    "app.services.intake.support.awaiting_consent_cases",
    "app.services.intake.support.find_possible_repeats",
    "app.services.intake.support.list_drafts",
    "app.services.intake.support.suggest",
    "app.services.letters.case_letters.available_templates",
    "app.services.letters.case_letters.list_letters",
    "app.services.letters.queue.letters_to_send",
    "app.services.panels.meetings.cases_ready_for_panel",
    "app.services.panels.meetings.list_meetings",
    "app.services.panels.meetings.meeting_detail",
    "app.services.panels.pack.pack_history",
    "app.services.reports.figures.partnership_summary",
    "app.services.reports.figures.statutory_figures",
    "app.services.trust.retention.case_id_for_reference",
    "app.services.trust.retention.cases_due_for_review",
    "app.services.trust.subject_access.find_people",
    "app.services.trust.users.list_users",
}
_WRITES = ("insert", "update", "delete", "replace")


def service_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every public function defined in app.services whose first parameter is the service context."""
    for info in pkgutil.walk_packages(app.services.__path__, "app.services."):
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if params and params[0] == "ctx":
                yield f"{module.__name__}.{name}", fn


ALL = dict(service_functions())


def _dummy(annotation: Any, tmp: Path) -> Any:
    text = str(annotation)
    for marker, value in (("Path", tmp / "missing.file"), ("datetime", datetime(2026, 11, 25, 12)),
                          ("date", FIXED_TODAY), ("bool", False), ("int", 1), ("float", 1.0),
                          ("str", "x"), ("list", []), ("Sequence", []), ("tuple", ()), ("dict", {}),
                          ("Mapping", {})):
        if marker in text:
            return value
    return None


def _call(fn: Callable[..., Any], ctx: ServiceContext, tmp: Path) -> Any:
    kwargs = {}
    for name, param in list(inspect.signature(fn).parameters.items())[1:]:
        if param.default is inspect.Parameter.empty and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            kwargs[name] = _dummy(param.annotation, tmp)
    result = fn(ctx, **kwargs)
    if inspect.isgenerator(result):
        next(result, None)
    return result


@pytest.fixture(scope="module")
def contexts(tmp_path_factory):
    # One database for the module: a refused call changes nothing, and the reads write only the log.
    sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('permissions') / 'cases.db'}"
    admin = make_context(sqlite_url)
    create_application(admin, application())
    reader = make_context(sqlite_url, actor="r.only", role="read_only")
    stranger = ServiceContext(admin.engine, actor="nobody", machine="test-pc", today=lambda: FIXED_TODAY)
    yield reader, stranger
    admin.engine.dispose()


def test_the_services_are_found_by_inspection():
    assert len(ALL) > 80
    assert {"app.services.intake.applications.create_application", "app.services.agencies.directory.save_agency",
            "app.services.agencies.links.link_name_to_agency"} <= set(ALL)
    assert READS <= set(ALL) and BEFORE_SIGN_IN <= set(ALL)  # the lists name real functions


@pytest.mark.parametrize("name", sorted(set(ALL) - BEFORE_SIGN_IN))
def test_a_context_that_never_signed_in_is_refused(name, contexts, tmp_path):
    _reader, stranger = contexts
    with pytest.raises(PermissionDenied):
        _call(ALL[name], stranger, tmp_path)


@pytest.mark.parametrize("name", sorted(set(ALL) - BEFORE_SIGN_IN - READS))
def test_a_read_only_user_is_refused_every_change(name, contexts, tmp_path):
    reader, _stranger = contexts
    with pytest.raises(PermissionDenied):
        _call(ALL[name], reader, tmp_path)


@pytest.mark.parametrize("name", sorted(READS - {"app.services.admin.settings.save_my_details"}))
def test_the_reads_a_read_only_user_may_run_write_nothing_but_the_audit_log(name, contexts, tmp_path):
    reader, _stranger = contexts
    written: list[str] = []

    def watch(_conn, _cursor, statement: str, *_args: Any) -> None:
        words = statement.lstrip().lower()
        if words.startswith(_WRITES) and "audit_log" not in words[:40] and "audit_values" not in words[:40]:
            written.append(statement)

    event.listen(reader.engine, "before_cursor_execute", watch)
    try:
        try:
            _call(ALL[name], reader, tmp_path)
        except PermissionDenied:
            pytest.fail(f"{name} refused a read-only user")
        except Exception:  # noqa: BLE001 - made-up arguments may not find a record; what matters is no write
            pass
    finally:
        event.remove(reader.engine, "before_cursor_execute", watch)
    assert written == []
