-- Tamper evidence for the audit trail. Each county's audit rows form a hash
-- chain: a row's hash is SHA-256 of the previous row's hash followed by the
-- row's canonical text (audit_canonical), and audit_chain holds each
-- county's head (last sequence number and hash). A trigger (as the schema
-- owner) numbers and chains every new row under the head's row lock, so
-- appends of one county are serialised for the last statement of their
-- transaction only. Rows are never updated or deleted: triggers refuse it,
-- the owner included; old months leave by retention alone. A superuser can
-- still bypass triggers — verification (AuditService.VerifyAuditChain) then
-- names the first row that no longer fits, and the head exported outside the
-- database (deploy/RUNBOOK.md, "Audit chain") shows rows cut off the end.
ALTER TABLE {{schema}}.audit_log
  ADD COLUMN seq bigint,
  ADD COLUMN prev_hash bytea,
  ADD COLUMN hash bytea;

CREATE TABLE {{schema}}.audit_chain (
  county_code text COLLATE "C" PRIMARY KEY,
  seq         bigint NOT NULL,
  hash        bytea NOT NULL
);
ALTER TABLE {{schema}}.audit_chain ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_chain_read ON {{schema}}.audit_chain FOR SELECT USING ({{schema}}.in_scope(county_code));
GRANT SELECT ON {{schema}}.audit_chain TO {{app_role}};

-- The canonical text of a row: a JSON array of its fields in a fixed order
-- (jsonb's text form is canonical; the time in UTC, to the microsecond).
CREATE FUNCTION {{schema}}.audit_canonical(r {{schema}}.audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_array(r.county_code, r.seq, r.id,
                           to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                           r.subject, r.role, r.method, r.resource, r.request_id,
                           r.before, r.after)::text
$$;
GRANT EXECUTE ON FUNCTION {{schema}}.audit_canonical({{schema}}.audit_log) TO {{app_role}};

CREATE FUNCTION {{schema}}.audit_chain_append() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  head {{schema}}.audit_chain;
BEGIN
  INSERT INTO {{schema}}.audit_chain VALUES (NEW.county_code, 0, ''::bytea) ON CONFLICT DO NOTHING;
  SELECT * INTO head FROM {{schema}}.audit_chain WHERE county_code = NEW.county_code FOR UPDATE;
  NEW.seq := head.seq + 1;
  NEW.prev_hash := head.hash;
  NEW.hash := sha256(head.hash || convert_to({{schema}}.audit_canonical(NEW), 'UTF8'));
  UPDATE {{schema}}.audit_chain SET seq = NEW.seq, hash = NEW.hash WHERE county_code = NEW.county_code;
  RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION {{schema}}.audit_chain_append() FROM PUBLIC;

-- The rows already there, chained in the order they were written.
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT county_code, id FROM {{schema}}.audit_log ORDER BY county_code, id LOOP
    WITH head AS (
      INSERT INTO {{schema}}.audit_chain VALUES (r.county_code, 0, ''::bytea)
      ON CONFLICT (county_code) DO UPDATE SET seq = {{schema}}.audit_chain.seq
      RETURNING seq, hash)
    UPDATE {{schema}}.audit_log a SET seq = head.seq + 1, prev_hash = head.hash
      FROM head WHERE a.county_code = r.county_code AND a.id = r.id;
    UPDATE {{schema}}.audit_log a SET hash = sha256(a.prev_hash || convert_to({{schema}}.audit_canonical(a), 'UTF8'))
      WHERE a.county_code = r.county_code AND a.id = r.id;
    UPDATE {{schema}}.audit_chain c SET seq = a.seq, hash = a.hash
      FROM {{schema}}.audit_log a WHERE c.county_code = r.county_code AND a.county_code = r.county_code AND a.id = r.id;
  END LOOP;
END $$;

ALTER TABLE {{schema}}.audit_log
  ALTER COLUMN seq SET NOT NULL,
  ALTER COLUMN prev_hash SET NOT NULL,
  ALTER COLUMN hash SET NOT NULL,
  ADD CONSTRAINT audit_log_chain UNIQUE (county_code, seq);
CREATE INDEX audit_log_id ON {{schema}}.audit_log (id);

CREATE TRIGGER audit_chain BEFORE INSERT ON {{schema}}.audit_log
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.audit_chain_append();

CREATE FUNCTION {{schema}}.audit_unchangeable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit rows are never changed or deleted (% on %)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_unchangeable BEFORE UPDATE OR DELETE ON {{schema}}.audit_log
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.audit_unchangeable();
CREATE TRIGGER audit_untruncatable BEFORE TRUNCATE ON {{schema}}.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.audit_unchangeable();
CREATE TRIGGER audit_chain_unchangeable BEFORE DELETE OR TRUNCATE ON {{schema}}.audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.audit_unchangeable();
