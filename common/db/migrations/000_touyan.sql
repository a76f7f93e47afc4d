-- Every service schema has these. {{schema}} and {{app_role}} are filled in
-- by the migration runner (common/db/migrate.cc).

-- Row-level security: each transaction sets touyan.county_prefix ('*' for
-- everything, else the county-level prefix of the caller's scope) and
-- touyan.writable (common/db/transaction.cc). Unset means nothing is visible.
CREATE FUNCTION {{schema}}.in_scope(county text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE current_setting('touyan.county_prefix', true)
           WHEN '*' THEN true
           WHEN '' THEN false
           ELSE starts_with(county, current_setting('touyan.county_prefix', true))
         END
$$;

CREATE FUNCTION {{schema}}.may_write(county text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT {{schema}}.in_scope(county) AND current_setting('touyan.writable', true) = 'on'
$$;

-- Puts a county-keyed table under row-level security: reads need the county
-- in scope, writes a writable scope too. Used by migrations (as the owner).
CREATE FUNCTION {{schema}}.county_rls(t regclass, county_column text DEFAULT 'county_code')
RETURNS void LANGUAGE plpgsql AS $$
DECLARE name text := (SELECT relname FROM pg_class WHERE oid = t);
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
  EXECUTE format('CREATE POLICY %I ON %s FOR SELECT USING ({{schema}}.in_scope(%I))',
                 name || '_read', t, county_column);
  EXECUTE format('CREATE POLICY %I ON %s FOR INSERT WITH CHECK ({{schema}}.may_write(%I))',
                 name || '_insert', t, county_column);
  EXECUTE format('CREATE POLICY %I ON %s FOR UPDATE USING ({{schema}}.may_write(%I)) '
                 'WITH CHECK ({{schema}}.may_write(%I))', name || '_update', t, county_column,
                 county_column);
END $$;
REVOKE ALL ON FUNCTION {{schema}}.county_rls(regclass, text) FROM PUBLIC;

GRANT USAGE ON SCHEMA {{schema}} TO {{app_role}};
GRANT EXECUTE ON FUNCTION {{schema}}.in_scope(text), {{schema}}.may_write(text) TO {{app_role}};

-- Who changed what, written in the same transaction as the change. The
-- service role may append and read, never update or delete.
CREATE TABLE {{schema}}.audit_log (
  county_code text COLLATE "C" NOT NULL,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  at          timestamptz NOT NULL DEFAULT now(),
  subject     text NOT NULL,
  role        text NOT NULL,
  method      text NOT NULL,
  resource    text NOT NULL,
  request_id  text,
  before      jsonb,
  after       jsonb,
  PRIMARY KEY (county_code, id)
);
CREATE INDEX audit_log_resource ON {{schema}}.audit_log (resource, id);
ALTER TABLE {{schema}}.audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_read ON {{schema}}.audit_log FOR SELECT USING ({{schema}}.in_scope(county_code));
CREATE POLICY audit_append ON {{schema}}.audit_log FOR INSERT WITH CHECK ({{schema}}.may_write(county_code));
GRANT SELECT, INSERT ON {{schema}}.audit_log TO {{app_role}};

-- The first response to each request_id, replayed to retries.
CREATE TABLE {{schema}}.idempotency (
  request_id  text PRIMARY KEY,
  subject     text NOT NULL,
  method      text NOT NULL,
  fingerprint bytea NOT NULL,
  response    bytea,
  created_at  timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE ON {{schema}}.idempotency TO {{app_role}};
