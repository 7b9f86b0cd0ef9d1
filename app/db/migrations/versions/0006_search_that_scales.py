"""search that scales: trigram indexes for substring search on PostgreSQL (pg_trgm, where the server
has it), a trigram full-text table kept in step by triggers on SQLite

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

The case list searches references, the agency's own references, the applicant's surname or
organisation and the postcode (ignoring spaces) for the text anywhere inside them: a LIKE '%text%'
that no ordinary index can serve, so every search read every row. A trigram index serves it.

PostgreSQL: the pg_trgm extension is created (in a schema of its own, ct_search) if the server offers
it and this role may create it;
where it cannot be, the upgrade still succeeds and search works as before, by reading the rows.
SQLite: an FTS5 table with the trigram tokenizer holds each case's searched values (its rowid is the
case's id), filled here and kept in step by triggers on cases, people and incidents, whoever writes.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# (index, table, expression): the expressions are exactly those the case list's search compares.
TRIGRAM_INDEXES = (
    ("ix_cases_reference_trgm", "cases", "reference"),
    ("ix_cases_source_reference_trgm", "cases", "source_reference"),
    ("ix_people_last_name_trgm", "people", "last_name"),
    ("ix_people_organisation_trgm", "people", "organisation"),
    ("ix_people_postcode_compact_trgm", "people", "(replace(postcode, ' ', ''))"),
    ("ix_incidents_agency_reference_trgm", "incidents", "agency_reference"),
)
SEARCH_TABLE = "case_search"
TRIGRAM_SCHEMA = "ct_search"  # where the extension is created when this migration creates it

# One case's row of the search table, from its own row `c` (NEW or OLD in a trigger).
_VALUES = """{c}.id, {c}.reference, {c}.source_reference,
    (SELECT coalesce(p.last_name, '') || char(10) || coalesce(p.organisation, '') FROM people p
      WHERE p.id = {c}.applicant_id),
    (SELECT replace(p.postcode, ' ', '') FROM people p WHERE p.id = {c}.applicant_id),
    (SELECT group_concat(i.agency_reference, char(10)) FROM incidents i WHERE i.case_id = {c}.id)"""
_COLUMNS = "rowid, reference, source_reference, names, postcode, agency_refs"
_AGENCY_REFS = ("UPDATE case_search SET agency_refs = (SELECT group_concat(i.agency_reference, char(10)) "
                "FROM incidents i WHERE i.case_id = {c}.case_id) WHERE rowid = {c}.case_id;")
SQLITE_TRIGGERS = {
    "case_search_case_added": f"AFTER INSERT ON cases BEGIN INSERT INTO case_search ({_COLUMNS}) "
                              f"SELECT {_VALUES.format(c='NEW')}; END",
    "case_search_case_changed": "AFTER UPDATE OF reference, source_reference, applicant_id ON cases BEGIN "
                                "DELETE FROM case_search WHERE rowid = OLD.id; "
                                f"INSERT INTO case_search ({_COLUMNS}) SELECT {_VALUES.format(c='NEW')}; END",
    "case_search_case_removed": "AFTER DELETE ON cases BEGIN DELETE FROM case_search WHERE rowid = OLD.id; END",
    "case_search_person_changed": (
        "AFTER UPDATE OF last_name, organisation, postcode ON people BEGIN "
        "UPDATE case_search SET names = coalesce(NEW.last_name, '') || char(10) || coalesce(NEW.organisation, ''), "
        "postcode = replace(NEW.postcode, ' ', '') "
        "WHERE rowid IN (SELECT id FROM cases WHERE applicant_id = NEW.id); END"),
    "case_search_incident_added": f"AFTER INSERT ON incidents BEGIN {_AGENCY_REFS.format(c='NEW')} END",
    "case_search_incident_changed": ("AFTER UPDATE OF agency_reference, case_id ON incidents BEGIN "
                                     f"{_AGENCY_REFS.format(c='OLD')} {_AGENCY_REFS.format(c='NEW')} END"),
    "case_search_incident_removed": f"AFTER DELETE ON incidents BEGIN {_AGENCY_REFS.format(c='OLD')} END",
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _postgresql(bind)
    elif bind.dialect.name == "sqlite":
        _sqlite(bind)


def _postgresql(bind: sa.engine.Connection) -> None:
    opclass = _trigram_opclass(bind)
    if opclass is None and bind.execute(sa.text(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).scalar():
        try:
            # In a savepoint: a role that may not create extensions leaves the upgrade itself intact.
            # In a schema of its own, so that its functions stay out of public (where every function
            # is one the roles of deploy/postgresql-roles.sql are granted or refused by name); an
            # index uses its operator class whoever may call the functions.
            with bind.begin_nested():
                bind.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {TRIGRAM_SCHEMA}"))
                bind.execute(sa.text(f"CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA {TRIGRAM_SCHEMA}"))
        except sa.exc.DBAPIError:
            pass
        opclass = _trigram_opclass(bind)
    if opclass is None:
        return  # no trigram indexes on this server: search reads the rows, as before
    for name, table, expression in TRIGRAM_INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression} {opclass})")


def _trigram_opclass(bind: sa.engine.Connection) -> str | None:
    """gin_trgm_ops, named with its schema (the extension may live outside the search path)."""
    schema = bind.execute(sa.text(
        "SELECT n.nspname FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace "
        "JOIN pg_am a ON a.oid = c.opcmethod WHERE c.opcname = 'gin_trgm_ops' AND a.amname = 'gin'")).scalar()
    return f'"{schema}".gin_trgm_ops' if schema else None


def _sqlite(bind: sa.engine.Connection) -> None:
    try:
        bind.execute(sa.text(f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(reference, source_reference, "
                             "names, postcode, agency_refs, tokenize = 'trigram')"))
    except sa.exc.OperationalError:
        return  # an SQLite without FTS5's trigram tokenizer (before 3.34): search reads the rows, as before
    bind.execute(sa.text(f"INSERT INTO {SEARCH_TABLE} ({_COLUMNS}) SELECT {_VALUES.format(c='c')} FROM cases c"))
    for name, body in SQLITE_TRIGGERS.items():
        bind.execute(sa.text(f"CREATE TRIGGER {name} {body}"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name, _table, _expression in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    elif bind.dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            bind.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
        bind.execute(sa.text(f"DROP TABLE IF EXISTS {SEARCH_TABLE}"))
