"""Scenarios: reports, and the trust services (audit, retention, users, subject access)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.db.models import AuditEntry, Case
from tests.db.test_register_import import VALID, _write
from tests.db.scenarios import scenario
from tests.db.scenarios.builders import _case, _closed


# --- reports -------------------------------------------------------------------------------------------------

@scenario("reports.figures.record_export")
def _(ctx, tmp):
    from app.services.reports.figures import record_export
    return lambda: record_export(ctx, "partnership summary as PDF", date(2026, 4, 1), date(2027, 3, 31))


@scenario("reports.publication.record_published")
def _(ctx, tmp):
    from app.services.reports.publication import record_published
    return lambda: record_published(ctx, year_type="financial", period_end=date(2026, 3, 31),
                                    published_on=date(2026, 6, 1))


@scenario("reports.register_import.import_register")
def _(ctx, tmp):
    from app.services.reports.register_import import import_register
    path = _write(tmp, VALID)
    return lambda: import_register(ctx, path)  # eight rows, one batch: one transaction (one a batch, beyond)


# --- trust ---------------------------------------------------------------------------------------------------

@scenario("trust.audit_integrity.verify_chain")
def _(ctx, tmp):
    from app.services.trust.audit_integrity import verify_chain
    _case(ctx)
    return lambda: verify_chain(ctx)


@scenario("trust.audit_log.audit_values")
def _(ctx, tmp):
    from app.services.trust.audit_log import audit_values
    _case(ctx)
    with ctx.reading() as s:
        entry = s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    return lambda: audit_values(ctx, entry)


@scenario("trust.audit_log.export_audit")
def _(ctx, tmp):
    from app.services.trust.audit_log import export_audit
    _case(ctx)
    return lambda: export_audit(ctx, tmp / "audit.csv", reason="IG review 2026/14")


@scenario("trust.audit_log.search_audit")
def _(ctx, tmp):
    from app.services.trust.audit_log import search_audit
    _case(ctx)
    return lambda: search_audit(ctx)


@scenario("trust.retention.anonymise_case")
def _(ctx, tmp):
    from app.services.trust.retention import anonymise_case
    case_id = _closed(ctx)
    return lambda: anonymise_case(ctx, case_id, "retention period ended")


@scenario("trust.retention.delete_case")
def _(ctx, tmp):
    from app.services.trust.retention import delete_case
    case_id = _case(ctx)
    return lambda: delete_case(ctx, case_id, "opened by mistake")


@scenario("trust.retention.run_retention")
def _(ctx, tmp):
    from app.services.trust.retention import run_retention
    case_id = _closed(ctx)
    return lambda: run_retention(ctx, "anonymise", [case_id], "retention period ended")  # one case each


def _asha(ctx) -> int:
    case_id = _case(ctx)
    with ctx.reading() as s:
        return s.get(Case, case_id).applicant_id


@scenario("trust.subject_access.export_person")
def _(ctx, tmp):
    from app.services.trust.subject_access import PERSON, export_person
    person = _asha(ctx)
    return lambda: export_person(ctx, PERSON, person, "SAR 2026/1")


@scenario("trust.subject_access.export_subject_access")
def _(ctx, tmp):
    from app.services.trust.subject_access import PERSON, export_subject_access
    person = _asha(ctx)
    return lambda: export_subject_access(ctx, PERSON, person, "SAR 2026/1", tmp / "sar")


@scenario("trust.users.add_user")
def _(ctx, tmp):
    from app.services.trust import users
    return lambda: users.add_user(ctx, "k.user", display_name="K User", role="officer")


@scenario("trust.users.change_user")
def _(ctx, tmp):
    from app.services.trust import users
    users.add_user(ctx, "k.user", display_name="K User", role="officer")
    return lambda: users.change_user(ctx, "k.user", role="manager")


@scenario("trust.users.save_user")
def _(ctx, tmp):
    from app.services.trust import users
    return lambda: users.save_user(ctx, "k.user", display_name="K User", role="officer",
                                   password="correct horse battery")
