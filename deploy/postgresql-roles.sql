-- Community Trigger Case Manager: the application's role on the shared PostgreSQL database.
--
-- Run by an administrator, connected to the case database as the owner of its tables, after every
-- `community-trigger --database URL migrate` (tables added by a migration need their grants):
--
--     psql "postgresql://admin@server.council.local/trigger" -f deploy/postgresql-roles.sql
--
-- ct_app is a group role that cannot log in. Give each officer a login role in it, so that the
-- audit log records who did what as the server's session_user:
--
--     CREATE ROLE jane_smith LOGIN PASSWORD '...' IN ROLE ct_app;
--
-- The application may read and change the case records, but the audit log is append-only: it may
-- add entries and read them, never change or remove them. The before/after values kept apart for
-- retention can be purged only through purge_case_audit_values(), and only for a case whose
-- anonymisation or deletion has already been written to the audit log.
-- (tests/db/test_postgres_resilience.py runs this very file, with ct_app renamed.)

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ct_app') THEN
        CREATE ROLE ct_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

-- Nobody but the owner creates objects in the schema (PostgreSQL 14 and older allowed everyone).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO ct_app;

-- Start from nothing, so that re-running the file also takes away anything granted by hand.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ct_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ct_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ct_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ct_app;

-- The audit log: append-only.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_values FROM ct_app;
-- Only an administrator migrates the schema; the application only reads its version.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM ct_app;

-- Retention: purge one case's before/after values, once the purge itself has been logged.
CREATE OR REPLACE FUNCTION purge_case_audit_values(p_case_id integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp
AS $$
DECLARE
    purged integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM audit_log
                   WHERE case_id = p_case_id AND action IN ('anonymise', 'delete')) THEN
        RAISE EXCEPTION 'case % has no anonymise or delete entry in the audit log', p_case_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM audit_values
     WHERE case_id = p_case_id
        OR audit_id IN (SELECT id FROM audit_log WHERE case_id = p_case_id);
    GET DIAGNOSTICS purged = ROW_COUNT;
    RETURN purged;
END
$$;

REVOKE ALL ON FUNCTION purge_case_audit_values(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_case_audit_values(integer) TO ct_app;
