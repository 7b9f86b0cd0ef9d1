"""Search that scales (migration 0006): substring search through trigram indexes on PostgreSQL and a
trigram table on SQLite kept in step by triggers, finding the same cases as before."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from alembic import command
from sqlalchemy import text

from app.db.engine import make_engine
from app.db.location import normalise_url
from app.db.schema import SCHEMA_HEAD, alembic_config, schema_state
from app.domain.application import IncidentData, PersonData
from app.services.cases.case_list import CaseQuery, build_query, find_case_ids
from app.services.intake.applications import create_application
from tests.conftest import make_context, scratch_database
from tests.db.helpers import application

ORGANISATION = PersonData(organisation="Sandrock Residents' Association", address_lines=("1 Sandrock Road",),
                          postcode="TN2 3PR", phone="01892 222333")


def _cases(ctx) -> dict[str, int]:
    item = IncidentData(occurred_on=date(2026, 10, 1), reported_on=date(2026, 10, 2), reported_to="Kent Police",
                        agency_reference="KP/77123/26", description="Loud music")
    patel = create_application(ctx, application("2026-11-02", source="ONLINE-5581"))
    group = create_application(ctx, application("2026-11-03", applicant=ORGANISATION, items=(item,)))
    return {"patel": patel.id, "group": group.id}


def _finds(ctx, words: str) -> set[int]:
    return set(find_case_ids(ctx, CaseQuery(text=words)))


def _substring_search_finds_what_it_did(ctx) -> dict[str, int]:
    made = _cases(ctx)
    patel, group = {made["patel"]}, {made["group"]}
    assert _finds(ctx, "ate") == patel  # inside the surname
    assert _finds(ctx, "PATEL") == patel  # whatever the case
    assert _finds(ctx, "rock resid") == group  # inside the organisation, a space and all
    assert _finds(ctx, "tn23") == group and _finds(ctx, "2 3P") == group  # the postcode, spaces ignored
    assert _finds(ctx, "77123") == group  # an agency's own reference
    assert _finds(ctx, "5581") == patel  # the reference the application came with
    assert _finds(ctx, "CT-2026") == patel | group  # the case reference
    assert _finds(ctx, "a") == patel | group  # shorter than a trigram: still found, by reading the rows
    assert _finds(ctx, "%") == set() and _finds(ctx, "zzqx") == set()  # the user's % is a character
    return made


def test_sqlite_substring_search_through_the_trigram_table(ctx):
    _substring_search_finds_what_it_did(ctx)
    with ctx.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM case_search")).scalar() == 2


def test_sqlite_trigram_table_follows_every_writer(ctx):
    made = _cases(ctx)
    with ctx.engine.begin() as conn:  # written as any writer might, past the services: the triggers follow
        conn.execute(text("UPDATE people SET last_name = 'Okonkwo', postcode = 'ME15 6XB' WHERE id = "
                          "(SELECT applicant_id FROM cases WHERE id = :c)"), {"c": made["patel"]})
        conn.execute(text("UPDATE incidents SET agency_reference = 'TCH-0099' WHERE case_id = :c"),
                     {"c": made["group"]})
    assert _finds(ctx, "konk") == {made["patel"]} and _finds(ctx, "ate") == set()
    assert _finds(ctx, "me156") == {made["patel"]}
    assert _finds(ctx, "CH-009") == {made["group"]} and _finds(ctx, "77123") == set()
    with ctx.engine.begin() as conn:
        conn.execute(text("DELETE FROM incidents WHERE case_id = :c"), {"c": made["group"]})
    assert _finds(ctx, "CH-009") == set()
    with ctx.engine.begin() as conn:
        conn.execute(text("DELETE FROM cases WHERE id = :c"), {"c": made["patel"]})
        assert conn.execute(text("SELECT count(*) FROM case_search")).scalar() == 1


def test_postgresql_substring_search_with_trigram_indexes(pg_ctx):
    _substring_search_finds_what_it_did(pg_ctx)


def _many_rows(ctx, n: int = 20_000) -> None:
    """Enough cases, people and incidents for a planner to weigh an index against reading them all."""
    with ctx.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO people (id, last_name, postcode, address, search_key, version, updated_at, updated_by) "
            "SELECT 100000 + g, 'Surname' || g, 'ZZ' || (g % 97) || ' ' || (g % 9) || 'QQ', '', '', 1, now(), 'test' "
            "FROM generate_series(1, :n) g"), {"n": n})
        conn.execute(text(
            "INSERT INTO cases (id, reference, channel, received_at, received_on, status, applicant_id, "
            "consent_to_share, asb_types, qualifying_incidents, version, updated_at, updated_by, created_at, "
            "created_by) SELECT 100000 + g, 'CT-2019-' || lpad(g::text, 6, '0'), 'post', now(), current_date, "
            "'closed', 100000 + g, true, '', 0, 1, now(), 'test', now(), 'test' FROM generate_series(1, :n) g"),
            {"n": n})
        conn.execute(text(
            "INSERT INTO incidents (case_id, position, reported_to, agency_reference, same_problem, hate_incident, "
            "version, updated_at, updated_by) SELECT 100000 + g, 0, 'Kent Police', 'KP/' || g || '/19', true, "
            "false, 1, now(), 'test' FROM generate_series(1, :n) g"), {"n": n})
        # Rows written since the indexes were made wait in each GIN index's pending list (which a
        # planner must price as read in full) until a vacuum merges them: merge them now.
        for name in conn.execute(text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%\\_trgm'")).scalars():
            conn.execute(text("SELECT gin_clean_pending_list(CAST(:i AS regclass))"), {"i": name})
        conn.execute(text("ANALYZE cases"))
        conn.execute(text("ANALYZE people"))
        conn.execute(text("ANALYZE incidents"))


def test_postgresql_plans_the_search_on_the_trigram_indexes(pg_ctx):
    """The plan, not a time: on 20,000 cases, with sequential scans ruled out, the search's own
    statement (as find_case_ids sends it, with its parameters) is planned on the trigram indexes."""
    made = _cases(pg_ctx)
    _many_rows(pg_ctx)
    assert _finds(pg_ctx, "atel") == {made["patel"]}
    plans = {}
    with pg_ctx.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        for words in ("atel", "TN2 3", "77123"):
            statement = build_query(pg_ctx, CaseQuery(text=words)).compile(
                dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
            plans[words] = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {statement}", statement.params))
    for words, plan in plans.items():
        for index in ("ix_people_last_name_trgm", "ix_people_organisation_trgm", "ix_people_postcode_compact_trgm",
                      "ix_cases_reference_trgm", "ix_cases_source_reference_trgm",
                      "ix_incidents_agency_reference_trgm"):
            assert index in plan, (words, index, plan)


def _old_file(path: Path) -> None:
    engine = make_engine(normalise_url(f"sqlite:///{path}"))
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
    engine.dispose()


def test_a_file_of_the_fifth_version_gains_the_search_table_with_its_cases_in_it(tmp_path):
    path = tmp_path / "cases.db"
    _old_file(path)
    ctx = make_context(f"sqlite:///{path}")  # opened as the app opens it: backed up, then upgraded
    made = _cases(ctx)
    ctx.engine.dispose()
    # Back to 0005 and up again: the cases written before the table existed are put in it.
    engine = make_engine(normalise_url(f"sqlite:///{path}"))
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
        assert conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'case_search'")).scalar() == 0
    engine.dispose()
    ctx = make_context(f"sqlite:///{path}")
    assert schema_state(ctx.engine).current == SCHEMA_HEAD
    assert _finds(ctx, "ate") == {made["patel"]} and _finds(ctx, "77123") == {made["group"]}
    ctx.engine.dispose()


def test_a_server_of_the_fifth_version_gains_the_indexes_and_keeps_searching(pg_url):
    """On a database of its own, upgraded from 0005 as `migrate` does it."""
    with scratch_database("ct_search") as url:
        engine = make_engine(normalise_url(url))
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0005")
            conn.execute(text("DROP EXTENSION IF EXISTS pg_trgm"))
        engine.dispose()
        from app.db.location import DatabaseChoice
        from app.services.admin.database import migrate_server
        migrate_server(DatabaseChoice(normalise_url(url), "test"))
        ctx = make_context(url)
        assert schema_state(ctx.engine).current == SCHEMA_HEAD
        with ctx.engine.connect() as conn:
            indexes = set(conn.execute(text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_trgm'"))
                          .scalars())
        assert len(indexes) == 6, indexes
        made = _cases(ctx)
        assert _finds(ctx, "ate") == {made["patel"]}
        ctx.engine.dispose()


def test_without_pg_trgm_the_upgrade_succeeds_and_search_still_works(pg_url):
    """A server that does not offer the extension: no trigram index, the same results."""
    with scratch_database("ct_search") as url:
        engine = make_engine(normalise_url(url))
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0005")
            # As a server without the extension answers: it offers none by that name.
            conn.execute(text("CREATE TEMPORARY VIEW pg_available_extensions AS "
                              "SELECT * FROM pg_catalog.pg_available_extensions WHERE name <> 'pg_trgm'"))
            conn.execute(text("DROP EXTENSION IF EXISTS pg_trgm"))
            command.upgrade(config, "head")
            assert conn.execute(text("SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%_trgm'")).scalar() == 0
        engine.dispose()
        ctx = make_context(url)
        made = _cases(ctx)
        assert _finds(ctx, "ate") == {made["patel"]} and _finds(ctx, "tn23") == {made["group"]}
        ctx.engine.dispose()


def test_an_officers_own_login_searches_through_the_indexes(pg_ctx, pg_url, pg_roles):
    """As deployed: a login in the officers' group, which may call none of the extension's functions by
    name, still has its searches served by the indexes (an index uses its operator class itself)."""
    from app.domain.roles import Role
    made = _cases(pg_ctx)
    url = pg_roles.login(Role.OFFICER)
    make_context(pg_url, actor=url.username, role="officer").engine.dispose()  # the administrator adds them
    officer = make_context(url.render_as_string(hide_password=False), actor=url.username, role="officer")
    try:
        assert _finds(officer, "ate") == {made["patel"]} and _finds(officer, "tn23") == {made["group"]}
        with officer.engine.connect() as conn:
            conn.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(r[0] for r in conn.execute(text(
                "EXPLAIN SELECT id FROM people WHERE last_name ILIKE '%ate%'")))
        assert "ix_people_last_name_trgm" in plan, plan
    finally:
        officer.engine.dispose()
