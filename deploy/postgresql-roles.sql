-- Community Trigger Case Manager: the server's roles on the shared PostgreSQL database.
--
-- Run by an administrator, connected to the case database as the owner of its tables, after every
-- `community-trigger --database URL migrate` (tables added by a migration need their grants). It can
-- be run again at any time: it starts each role from nothing, so rights granted by hand are taken away.
--
--     psql "postgresql://admin@server.council.local/trigger" -v ON_ERROR_STOP=1 -f deploy/postgresql-roles.sql
--
-- One group role per app role (app/domain/roles.py), none of which can log in:
--
--     ct_read_only  <  ct_officer  <  ct_panel_chair  <  ct_manager  <  ct_admin
--
-- each a member of the one before, so it has that one's rights and more. Give each officer a login
-- role in exactly the group of their app role; the app then takes the server's session_user as the
-- user, and refuses to open when the app role and the server group disagree:
--
--     CREATE ROLE jane_smith LOGIN PASSWORD '...' IN ROLE ct_officer;
--     community-trigger users add jane_smith --name "Jane Smith" --role officer
--
-- What the server enforces, whatever program an officer connects with (psql, Excel, Access):
--   * ct_read_only reads the case records and changes nothing but their own contact details.
--   * ct_officer changes the case records, the agency directory, panel meetings and their own drafts;
--     never users, settings, the audit log, or the deletion of a case or a person (retention).
--   * Approving a findings letter or a meeting's minutes needs ct_panel_chair (a trigger checks).
--   * ct_manager also reads the audit log's before/after values and deletes for retention.
--   * Only ct_admin changes users and settings.
--   * No role reads password hashes: sign-in checks a password through ct_password_salt and
--     ct_password_check (SECURITY DEFINER), which also count failures and lock a username out.
--   * No role inserts into the audit log: ct_audit_write (SECURITY DEFINER) records session_user as
--     the database user (and as the actor for a login in these groups) and the server's time, and
--     chains each entry's hash to the one before under a lock. Nobody but the owner changes or
--     deletes an entry.
--   * Before/after values are purged only through purge_case_audit_values(), by a manager, for a
--     case that is deleted or really anonymised (the function looks at the case, not only the log).
-- (tests/db/test_postgres_roles.py runs this very file, with the group names made unique, and tries
-- every role against every table and function.)

DO $$
DECLARE
    groups text[] := ARRAY['ct_read_only', 'ct_officer', 'ct_panel_chair', 'ct_manager', 'ct_admin'];
    roles text[] := ARRAY['read_only', 'officer', 'panel_chair', 'manager', 'administrator'];
    i integer;
BEGIN
    FOR i IN 1 .. array_length(groups, 1) LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = groups[i]) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT', groups[i]);
        END IF;
        -- The app reads this comment to know which app role a login's group stands for.
        EXECUTE format('COMMENT ON ROLE %I IS %L', groups[i], 'community-trigger role: ' || roles[i]);
    END LOOP;
    FOR i IN 2 .. array_length(groups, 1) LOOP
        IF NOT pg_has_role(groups[i], groups[i - 1], 'MEMBER') THEN
            EXECUTE format('GRANT %I TO %I', groups[i - 1], groups[i]);
        END IF;
    END LOOP;
    -- The first version had one group, ct_app, with every right on the case records: take them away,
    -- so that logins still in it can no longer change roles or the log (move them to the new groups).
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ct_app') THEN
        EXECUTE 'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ct_app';
        EXECUTE 'REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ct_app';
        EXECUTE 'REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM ct_app';
        RAISE NOTICE 'ct_app no longer has any rights: put its logins in ct_officer (or the group of their role)';
    END IF;
END
$$;

-- The secret that makes the salt of an unknown username look like a real one.
CREATE TABLE IF NOT EXISTS ct_sign_in_secret (secret text NOT NULL);
INSERT INTO ct_sign_in_secret (secret)
    SELECT md5(random()::text || clock_timestamp()::text) || md5(random()::text)
    WHERE NOT EXISTS (SELECT 1 FROM ct_sign_in_secret);

-- Nobody but the owner creates objects in the schema (PostgreSQL 14 and older allowed everyone).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO ct_read_only;

-- Start from nothing.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ct_read_only, ct_officer, ct_panel_chair, ct_manager, ct_admin;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ct_read_only, ct_officer, ct_panel_chair, ct_manager, ct_admin;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM ct_read_only, ct_officer, ct_panel_chair, ct_manager, ct_admin;

-- Read only: every record, except the before/after values, password hashes, failed sign-ins, drafts.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ct_read_only;
REVOKE SELECT ON audit_values, user_passwords, sign_in_attempts, ct_sign_in_secret, drafts FROM ct_read_only;
GRANT SELECT (user_id, set_at) ON user_passwords TO ct_read_only;  -- whether a user has a password
GRANT UPDATE (display_name, phone, email, job_title) ON users TO ct_read_only;  -- their own row (policy below)

-- Officer: the case records, the directory, panels and their own drafts.
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ct_officer;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON users, user_passwords, settings, audit_log, audit_values,
    alembic_version, sign_in_attempts, ct_sign_in_secret FROM ct_officer;
REVOKE DELETE ON cases, people, alleged_perpetrators, problem_locations FROM ct_officer;  -- retention's
GRANT SELECT, INSERT, UPDATE, DELETE ON drafts TO ct_officer;  -- their own (policy below)
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ct_officer;

-- Manager: the audit log's values, and deleting for retention.
GRANT SELECT ON audit_values TO ct_manager;
GRANT DELETE ON cases, people, alleged_perpetrators, problem_locations TO ct_manager;

-- Administrator: users and settings.
GRANT INSERT, UPDATE ON users TO ct_admin;
GRANT INSERT, UPDATE, DELETE ON user_passwords, settings TO ct_admin;

-- Rows: everyone reads the users; a user changes only their own contact details; an officer sees only
-- their own drafts (a manager all of them, for retention). The owner is not subject to these.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS ct_users_read ON users;
DROP POLICY IF EXISTS ct_users_own ON users;
DROP POLICY IF EXISTS ct_users_admin ON users;
CREATE POLICY ct_users_read ON users FOR SELECT TO ct_read_only USING (true);
CREATE POLICY ct_users_own ON users FOR UPDATE TO ct_read_only
    USING (lower(login) = lower(session_user)) WITH CHECK (lower(login) = lower(session_user));
CREATE POLICY ct_users_admin ON users FOR ALL TO ct_admin USING (true) WITH CHECK (true);

ALTER TABLE drafts ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS ct_drafts_own ON drafts;
DROP POLICY IF EXISTS ct_drafts_manager ON drafts;
CREATE POLICY ct_drafts_own ON drafts FOR ALL TO ct_officer
    USING (lower(owner) = lower(session_user)) WITH CHECK (lower(owner) = lower(session_user));
CREATE POLICY ct_drafts_manager ON drafts FOR ALL TO ct_manager USING (true) WITH CHECK (true);

-- The groups a login is directly in (logins are put in exactly one).
CREATE OR REPLACE FUNCTION ct_groups_of_session() RETURNS text[]
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(g.rolname::text), '{}')
      FROM pg_auth_members m
      JOIN pg_roles g ON g.oid = m.roleid
      JOIN pg_roles u ON u.oid = m.member
     WHERE u.rolname = session_user
       AND g.rolname IN ('ct_read_only', 'ct_officer', 'ct_panel_chair', 'ct_manager', 'ct_admin');
$$;
GRANT EXECUTE ON FUNCTION ct_groups_of_session() TO PUBLIC;

-- One entry of the audit log, chained to the one before (app/domain/audit_chain.py hashes the same text).
CREATE OR REPLACE FUNCTION ct_audit_part(v text) RETURNS text
    LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN v IS NULL THEN '-' ELSE length(v)::text || ':' || v END $$;
GRANT EXECUTE ON FUNCTION ct_audit_part(text) TO PUBLIC;

CREATE OR REPLACE FUNCTION ct_audit_write(p_actor text, p_machine text, p_action text, p_entity text,
                                          p_entity_id integer, p_case_id integer, p_fields text, p_reason text,
                                          p_value_fields text[], p_befores text[], p_afters text[])
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp
AS $$
DECLARE
    prev text;
    new_id integer;
    stamp timestamp := clock_timestamp() AT TIME ZONE 'UTC';
    who text := p_actor;
    digest text;
BEGIN
    IF p_action IS NULL OR p_entity IS NULL THEN
        RAISE EXCEPTION 'an audit entry needs an action and an entity' USING ERRCODE = 'not_null_violation';
    END IF;
    -- A login in the app's groups acts as itself: its entries cannot name anyone else.
    IF cardinality(ct_groups_of_session()) > 0 OR who IS NULL THEN
        who := session_user;
    END IF;
    PERFORM pg_advisory_xact_lock(4851041946604833108);  -- the chain's lock, held until commit
    SELECT hash INTO prev FROM audit_log ORDER BY id DESC LIMIT 1;
    prev := coalesce(prev, repeat('0', 64));
    new_id := nextval(pg_get_serial_sequence('audit_log', 'id'));
    digest := encode(sha256(convert_to(concat_ws('|', prev,
        ct_audit_part(new_id::text), ct_audit_part(to_char(stamp, 'YYYY-MM-DD"T"HH24:MI:SS.US')),
        ct_audit_part(who), ct_audit_part(session_user::text), ct_audit_part(p_machine), ct_audit_part(p_action),
        ct_audit_part(p_entity), ct_audit_part(p_entity_id::text), ct_audit_part(p_case_id::text),
        ct_audit_part(p_fields), ct_audit_part(p_reason)), 'UTF8')), 'hex');
    INSERT INTO audit_log (id, at, actor, db_user, machine, action, entity, entity_id, case_id, fields, reason,
                           prev_hash, hash)
    VALUES (new_id, stamp, who, session_user, p_machine, p_action, p_entity, p_entity_id, p_case_id, p_fields,
            p_reason, prev, digest);
    IF cardinality(p_value_fields) > 0 THEN
        INSERT INTO audit_values (audit_id, case_id, field, before, after)
        SELECT new_id, p_case_id, f, b, a
          FROM unnest(p_value_fields, coalesce(p_befores, '{}'), coalesce(p_afters, '{}')) AS v(f, b, a);
    END IF;
    RETURN new_id;
END
$$;

-- Retention: purge one case's before/after values, by a manager, once the case really is erased; with
-- them, the texts searched for (kept with no case) that name the erased people (p_terms, at least 3
-- characters each: the same rule as app/services/trust/retention.py).
DROP FUNCTION IF EXISTS purge_case_audit_values(integer);
CREATE OR REPLACE FUNCTION purge_case_audit_values(p_case_id integer, p_terms text[] DEFAULT '{}') RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp
AS $$
DECLARE
    purged integer;
    searches integer;
    groups text[] := ct_groups_of_session();
    case_status text;
    applicant text;
    terms text[];
BEGIN
    IF cardinality(groups) > 0 AND NOT (groups && ARRAY['ct_manager', 'ct_admin']) THEN
        RAISE EXCEPTION 'only a manager may purge the audit values of a case' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT c.status, p.last_name INTO case_status, applicant
      FROM cases c LEFT JOIN people p ON p.id = c.applicant_id WHERE c.id = p_case_id;
    IF FOUND THEN
        IF case_status NOT IN ('closed', 'withdrawn') OR applicant IS DISTINCT FROM '[anonymised]'
           OR NOT EXISTS (SELECT 1 FROM audit_log WHERE case_id = p_case_id AND action = 'anonymise') THEN
            RAISE EXCEPTION 'case % is not anonymised', p_case_id USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM audit_log WHERE case_id = p_case_id AND action = 'delete') THEN
        RAISE EXCEPTION 'case % has no delete entry in the audit log', p_case_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM audit_values
     WHERE case_id = p_case_id
        OR audit_id IN (SELECT id FROM audit_log WHERE case_id = p_case_id);
    GET DIAGNOSTICS purged = ROW_COUNT;
    SELECT coalesce(array_agg(DISTINCT lower(t)), '{}') INTO terms
      FROM unnest(coalesce(p_terms, '{}')) AS t WHERE length(trim(t)) >= 3;
    DELETE FROM audit_values v
     WHERE v.case_id IS NULL AND v.field = 'search' AND v.after IS NOT NULL
       AND EXISTS (SELECT 1 FROM unnest(terms) AS t
                    WHERE position(t IN lower(v.after)) > 0
                       OR (length(v.after) >= 3 AND position(lower(v.after) IN t) > 0));
    GET DIAGNOSTICS searches = ROW_COUNT;
    RETURN purged + searches;
END
$$;

-- Password sign-in. The salt of a username that does not exist (or has no password) is made from the
-- secret, so it looks the same as a real one and is the same every time: no way to tell who exists.
CREATE OR REPLACE FUNCTION ct_password_salt(p_login text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER STABLE
    SET search_path = public, pg_temp
AS $$
DECLARE
    salt text;
BEGIN
    SELECT split_part(p.hash, '$', 2) INTO salt
      FROM users u JOIN user_passwords p ON p.user_id = u.id
     WHERE lower(u.login) = lower(p_login);
    IF salt IS NULL OR salt = '' THEN
        salt := encode(substr(sha256(convert_to(lower(p_login) || (SELECT secret FROM ct_sign_in_secret LIMIT 1),
                                                'UTF8')), 1, 16), 'base64');
    END IF;
    RETURN salt;
END
$$;

-- 'ok', 'wrong', 'locked <until>' (already waiting) or 'lockout <until>' (this failure locked it);
-- the same rule as app/services/trust/users.py uses on SQLite.
CREATE OR REPLACE FUNCTION ct_password_check(p_login text, p_digest text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp
AS $$
DECLARE
    key text := lower(p_login);
    now_utc timestamp := clock_timestamp() AT TIME ZONE 'UTC';
    attempt sign_in_attempts%ROWTYPE;
    stored text;
    failures integer;
    wait interval;
BEGIN
    SELECT * INTO attempt FROM sign_in_attempts WHERE login = key FOR UPDATE;
    SELECT split_part(p.hash, '$', 3) INTO stored
      FROM users u JOIN user_passwords p ON p.user_id = u.id
     WHERE lower(u.login) = key AND u.active;
    IF attempt.locked_until IS NOT NULL AND attempt.locked_until > now_utc THEN
        RETURN 'locked ' || to_char(attempt.locked_until, 'YYYY-MM-DD"T"HH24:MI:SS');
    END IF;
    IF stored IS NOT NULL AND stored <> '' AND stored = p_digest THEN
        DELETE FROM sign_in_attempts WHERE login = key;
        RETURN 'ok';
    END IF;
    failures := coalesce(attempt.failures, 0) + 1;
    wait := CASE WHEN failures >= 5 THEN interval '15 minutes' WHEN failures = 4 THEN interval '2 minutes'
                 WHEN failures = 3 THEN interval '30 seconds' END;
    INSERT INTO sign_in_attempts (login, failures, last_failed_at, locked_until)
    VALUES (key, failures, now_utc, now_utc + wait)
    ON CONFLICT (login) DO UPDATE SET failures = EXCLUDED.failures, last_failed_at = EXCLUDED.last_failed_at,
                                      locked_until = EXCLUDED.locked_until;
    IF failures >= 5 THEN
        RETURN 'lockout ' || to_char(now_utc + wait, 'YYYY-MM-DD"T"HH24:MI:SS');
    END IF;
    RETURN 'wrong';
END
$$;

-- Approving a findings letter or a meeting's minutes is the chair's (or a manager's, an administrator's).
CREATE OR REPLACE FUNCTION ct_guard_approvals() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
AS $$
DECLARE
    groups text[] := ct_groups_of_session();
BEGIN
    IF cardinality(groups) = 0 OR (groups && ARRAY['ct_panel_chair', 'ct_manager', 'ct_admin']) THEN
        RETURN NEW;
    END IF;
    -- Nested, not joined with AND: SQL does not promise to stop early, and each table has its own columns.
    IF TG_TABLE_NAME = 'letters' THEN
        IF (TG_OP = 'INSERT' AND (NEW.approved_by IS NOT NULL OR NEW.approved_at IS NOT NULL))
           OR (TG_OP = 'UPDATE' AND (NEW.approved_by IS DISTINCT FROM OLD.approved_by
                                     OR NEW.approved_at IS DISTINCT FROM OLD.approved_at)) THEN
            RAISE EXCEPTION 'only a panel chair may approve a letter' USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF TG_TABLE_NAME = 'panel_meetings' AND NEW.state = 'minutes_approved' THEN
        IF TG_OP = 'INSERT' THEN
            RAISE EXCEPTION 'only a panel chair may approve the minutes' USING ERRCODE = 'insufficient_privilege';
        ELSIF OLD.state IS DISTINCT FROM 'minutes_approved' THEN
            RAISE EXCEPTION 'only a panel chair may approve the minutes' USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
GRANT EXECUTE ON FUNCTION ct_guard_approvals() TO PUBLIC;
DROP TRIGGER IF EXISTS ct_guard_approvals ON letters;
CREATE TRIGGER ct_guard_approvals BEFORE INSERT OR UPDATE ON letters
    FOR EACH ROW EXECUTE FUNCTION ct_guard_approvals();
DROP TRIGGER IF EXISTS ct_guard_approvals ON panel_meetings;
CREATE TRIGGER ct_guard_approvals BEFORE INSERT OR UPDATE ON panel_meetings
    FOR EACH ROW EXECUTE FUNCTION ct_guard_approvals();

REVOKE ALL ON FUNCTION ct_audit_write(text, text, text, text, integer, integer, text, text, text[], text[], text[]),
    purge_case_audit_values(integer, text[]), ct_password_salt(text), ct_password_check(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ct_audit_write(text, text, text, text, integer, integer, text, text, text[], text[], text[]),
    ct_password_salt(text), ct_password_check(text, text) TO ct_read_only;
GRANT EXECUTE ON FUNCTION purge_case_audit_values(integer, text[]) TO ct_manager;
