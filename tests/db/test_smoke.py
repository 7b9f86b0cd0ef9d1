from tests.conftest import FIXTURES
from app.services.intake.applications import import_applications
from app.services.cases.summaries import list_cases


def test_import_on_sqlite(ctx):
    report = import_applications(ctx, [FIXTURES / "public-applications.json"])
    assert [c.reference for c in report.created] == ["CT-2026-0001", "CT-2026-0002", "CT-2026-0003"]


def test_import_on_postgres(pg_ctx):
    report = import_applications(pg_ctx, [FIXTURES / "public-applications.json"])
    assert len(report.created) == 3
    cases = {c.source_reference: c for c in list_cases(pg_ctx)}
    assert cases["EXAMPLE-3"].status == "awaiting_consent"
