"""Database failures become plain refusals in one place (the unit of work): never a raw DataError,
IntegrityError, OperationalError or StaleDataError; a full disk and a read-only file say so; and a
connection lost at the commit says "not certain", after which the save is found by its submission id."""
from __future__ import annotations

import dataclasses
import uuid

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.engine import make_url

from app.db.models import Case, Person
from app.services.common.errors import (DatabaseUnavailable, DuplicateRecord, InvalidValue, OutcomeUnknown,
                                        ReadOnlyStorage, SimultaneousEdit, StorageFull)
from app.services.intake.applications import create_application, find_submission, save_application
from tests.conftest import make_context
from tests.db.helpers import application
from tests.db.tcp_proxy import TcpProxy


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_ctx(request):
    return request.getfixturevalue("ctx" if request.param == "sqlite" else "pg_ctx")


def test_a_true_simultaneous_edit_is_a_plain_refusal(any_ctx):
    created = create_application(any_ctx, application())
    with pytest.raises(SimultaneousEdit, match="same moment"):
        with any_ctx.unit_of_work() as s:
            case = s.get(Case, created.id)
            with any_ctx.engine.begin() as other:  # another officer's save lands in between
                other.execute(update(Case.__table__).where(Case.__table__.c.id == created.id)
                              .values(version=Case.__table__.c.version + 1))
            case.impact = "typed at the same moment"
            s.flush()


def test_a_duplicate_is_a_plain_refusal_naming_no_values(any_ctx):
    first = create_application(any_ctx, application())
    with pytest.raises(DuplicateRecord) as refused:
        with any_ctx.unit_of_work() as s:
            s.execute(update(Case).where(Case.id != first.id).values(reference="x"))
            s.add(Case(reference=first.reference, channel="post", received_at=first_received(any_ctx, first.id),
                       received_on=first_received(any_ctx, first.id).date(), status="received",
                       applicant_id=s.scalar(select(Case.applicant_id).where(Case.id == first.id))))
            s.flush()
    assert first.reference not in str(refused.value)


def first_received(ctx, case_id):
    with ctx.reading() as s:
        return s.scalar(select(Case.received_at).where(Case.id == case_id))


@pytest.mark.postgres
def test_a_value_too_long_for_the_server_is_a_plain_refusal(pg_ctx):
    with pytest.raises(InvalidValue, match="too long for its field") as refused:
        with pg_ctx.unit_of_work() as s:
            s.add(Person(last_name="Patel" * 40, address="", search_key=""))
            s.flush()
    assert "Patel" not in str(refused.value)


def test_a_full_disk_says_so(ctx):
    @event.listens_for(ctx.engine, "connect")
    def no_room(conn, _record):  # the file may not grow by one page: as a full disk
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
    ctx.engine.dispose()
    with pytest.raises(StorageFull, match="disk holding the database is full"):
        for _ in range(5):
            create_application(ctx, dataclasses.replace(application(), impact="x" * 20_000))


def test_a_read_only_file_says_so(ctx):
    @event.listens_for(ctx.engine, "connect")
    def read_only(conn, _record):
        conn.execute("PRAGMA query_only = ON")
    ctx.engine.dispose()
    with pytest.raises(ReadOnlyStorage, match="can only be read"):
        create_application(ctx, application())


@pytest.mark.postgres
def test_a_read_only_server_says_so(pg_ctx, pg_url):
    ctx = make_context(pg_url)
    def read_only(conn, _record) -> None:  # a server put into read-only mode (a standby, say)
        conn.autocommit = True
        conn.execute("SET default_transaction_read_only = on")
        conn.autocommit = False

    event.listen(ctx.engine, "connect", read_only)
    ctx.engine.dispose()
    try:
        with pytest.raises(ReadOnlyStorage):
            create_application(ctx, application())
    finally:
        ctx.engine.dispose()


@pytest.mark.postgres
def test_the_connection_lost_after_the_commit_is_not_nothing_saved_and_a_retry_makes_no_duplicate(pg_ctx, pg_url):
    server = make_url(pg_url)
    submission = str(uuid.uuid4())
    with TcpProxy(server.port or 5432, target_host=server.host or "127.0.0.1", max_seconds=60) as proxy:
        through = server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        ctx = make_context(through)
        try:
            proxy.drop_reply_to = b"COMMIT\x00"
            with pytest.raises(OutcomeUnknown, match="not certain whether this was saved"):
                save_application(ctx, application(), submission_id=submission)
            assert proxy.dropped_replies == 1
            found = find_submission(ctx, submission)  # what the form asks before saying anything
            assert found is not None and found.already_saved
            again = save_application(ctx, application(), submission_id=submission)  # the officer retries
            assert (again.id, again.already_saved) == (found.id, True)
        finally:
            ctx.engine.dispose()
    with pg_ctx.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 1


@pytest.mark.postgres
def test_the_connection_lost_before_the_commit_is_nothing_saved(pg_ctx, pg_url):
    server = make_url(pg_url)
    with TcpProxy(server.port or 5432, target_host=server.host or "127.0.0.1", max_seconds=60) as proxy:
        ctx = make_context(server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        try:
            proxy.cut()
            with pytest.raises(DatabaseUnavailable) as refused:
                save_application(ctx, application(), submission_id=str(uuid.uuid4()))
            assert not isinstance(refused.value, OutcomeUnknown) and "nothing was saved" in str(refused.value)
        finally:
            ctx.engine.dispose()
