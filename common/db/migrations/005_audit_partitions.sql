-- Audit rows are kept at least 180 days (--audit-retention, longer if
-- configured) and leave by whole months: audit_log becomes partitioned by
-- month of `at`, and audit_maintain() (as the schema owner) makes the months
-- ahead and drops the months wholly past retention — a cheap DROP, no long
-- DELETE. A DEFAULT partition catches a write for a month not made yet. The
-- hash chains stay verifiable: audit_chain.retained_from is each county's
-- first sequence number still kept, where verification starts.
ALTER TABLE {{schema}}.audit_log RENAME TO audit_log_old;
DROP TRIGGER audit_chain ON {{schema}}.audit_log_old;
DROP TRIGGER audit_unchangeable ON {{schema}}.audit_log_old;
DROP TRIGGER audit_untruncatable ON {{schema}}.audit_log_old;

CREATE SEQUENCE {{schema}}.audit_event_id_seq AS bigint;
CREATE TABLE {{schema}}.audit_log (
  county_code text COLLATE "C" NOT NULL,
  id          bigint NOT NULL DEFAULT nextval('{{schema}}.audit_event_id_seq'),
  at          timestamptz NOT NULL DEFAULT now(),
  subject     text NOT NULL,
  role        text NOT NULL,
  method      text NOT NULL,
  resource    text NOT NULL,
  request_id  text,
  before      jsonb,
  after       jsonb,
  seq         bigint NOT NULL,
  prev_hash   bytea NOT NULL,
  hash        bytea NOT NULL,
  PRIMARY KEY (county_code, id, at),
  UNIQUE (county_code, seq, at)
) PARTITION BY RANGE (at);
ALTER SEQUENCE {{schema}}.audit_event_id_seq OWNED BY {{schema}}.audit_log.id;
CREATE TABLE {{schema}}.audit_log_default PARTITION OF {{schema}}.audit_log DEFAULT;
CREATE INDEX audit_log_resource_p ON {{schema}}.audit_log (resource, id);
CREATE INDEX audit_log_id_p ON {{schema}}.audit_log (id);
ALTER TABLE {{schema}}.audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_read ON {{schema}}.audit_log FOR SELECT USING ({{schema}}.in_scope(county_code));
CREATE POLICY audit_append ON {{schema}}.audit_log FOR INSERT WITH CHECK ({{schema}}.may_write(county_code));
GRANT SELECT, INSERT ON {{schema}}.audit_log TO {{app_role}};
GRANT USAGE ON SEQUENCE {{schema}}.audit_event_id_seq TO {{app_role}};

ALTER TABLE {{schema}}.audit_chain ADD COLUMN retained_from bigint NOT NULL DEFAULT 1;

-- Month partitions of `parent` (a table partitioned by `at`) from
-- `from_month` to two months ahead; drops those wholly before `keep_after`.
-- Returns how many were dropped.
CREATE FUNCTION {{schema}}.month_partitions(parent text, from_month date, keep_after timestamptz)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m date := date_trunc('month', from_month);
  p record;
  free boolean;
  dropped integer := 0;
BEGIN
  -- Months in UTC. A month whose rows already went to the default partition
  -- (maintenance did not run for months) keeps them there, never dropped.
  WHILE m <= date_trunc('month', now() + interval '2 months') LOOP
    IF to_regclass(format('{{schema}}.%I', parent || '_' || to_char(m, 'YYYYMM'))) IS NULL THEN
      EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM {{schema}}.%I WHERE at >= %L AND at < %L)',
                     parent || '_default', to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00',
                     to_char(m + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00') INTO free;
      IF free THEN
        EXECUTE format('CREATE TABLE {{schema}}.%I PARTITION OF {{schema}}.%I FOR VALUES FROM (%L) TO (%L)',
                       parent || '_' || to_char(m, 'YYYYMM'), parent, to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00',
                       to_char(m + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
      END IF;
    END IF;
    m := m + interval '1 month';
  END LOOP;
  FOR p IN
    SELECT c.relname, (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz AS upper
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = format('{{schema}}.%I', parent)::regclass AND c.relname ~ ('^' || parent || '_[0-9]{6}$')
  LOOP
    IF p.upper <= keep_after THEN
      EXECUTE format('DROP TABLE {{schema}}.%I', p.relname);
      dropped := dropped + 1;
    END IF;
  END LOOP;
  RETURN dropped;
END $$;
REVOKE ALL ON FUNCTION {{schema}}.month_partitions(text, date, timestamptz) FROM PUBLIC;

-- Makes the month partitions of the trail's tables (audit_log; access_log
-- from migration 006 on) from `from_month` to two
-- months ahead and drops those wholly older than `retention` (at least 180
-- days), recording each county's first kept audit event. Returns the
-- partitions dropped.
CREATE FUNCTION {{schema}}.audit_maintain(retention interval, from_month date DEFAULT now())
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  keep_after timestamptz := now() - greatest(retention, interval '180 days');
  t record;
  n integer;
  dropped integer := 0;
BEGIN
  FOR t IN SELECT c.relname FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid
           WHERE c.relnamespace = '{{schema}}'::regnamespace AND c.relname IN ('audit_log', 'access_log')
           ORDER BY c.relname LOOP
    n := {{schema}}.month_partitions(t.relname, from_month, keep_after);
    IF t.relname = 'audit_log' AND n > 0 THEN
      UPDATE {{schema}}.audit_chain c
         SET retained_from = coalesce((SELECT min(a.seq) FROM {{schema}}.audit_log a
                                       WHERE a.county_code = c.county_code), c.seq + 1);
    END IF;
    dropped := dropped + n;
  END LOOP;
  RETURN dropped;
END $$;
REVOKE ALL ON FUNCTION {{schema}}.audit_maintain(interval, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {{schema}}.audit_maintain(interval, date) TO {{app_role}};

SELECT {{schema}}.audit_maintain(interval '100 years',
                                 coalesce((SELECT min(at) FROM {{schema}}.audit_log_old), now())::date);
INSERT INTO {{schema}}.audit_log (county_code, id, at, subject, role, method, resource, request_id, before,
                                  after, seq, prev_hash, hash)
  SELECT county_code, id, at, subject, role, method, resource, request_id, before, after, seq, prev_hash, hash
  FROM {{schema}}.audit_log_old;
SELECT setval('{{schema}}.audit_event_id_seq', coalesce((SELECT max(id) FROM {{schema}}.audit_log_old), 0) + 1, false);
DROP TABLE {{schema}}.audit_log_old CASCADE;  -- and audit_canonical, made again below for the new table

-- The canonical text from the fields (as 003's audit_canonical made it from
-- the row): a partition's rows are not of the parent's row type, so the
-- trigger passes the fields.
CREATE FUNCTION {{schema}}.audit_canonical_text(text, bigint, bigint, timestamptz, text, text, text, text,
                                                text, jsonb, jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_array($1, $2, $3, to_char($4 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                           $5, $6, $7, $8, $9, $10, $11)::text
$$;
CREATE FUNCTION {{schema}}.audit_canonical(r {{schema}}.audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT {{schema}}.audit_canonical_text(r.county_code, r.seq, r.id, r.at, r.subject, r.role, r.method,
                                         r.resource, r.request_id, r.before, r.after)
$$;
GRANT EXECUTE ON FUNCTION {{schema}}.audit_canonical({{schema}}.audit_log) TO {{app_role}};
GRANT EXECUTE ON FUNCTION {{schema}}.audit_canonical_text(text, bigint, bigint, timestamptz, text, text, text,
                                                          text, text, jsonb, jsonb) TO {{app_role}};

CREATE OR REPLACE FUNCTION {{schema}}.audit_chain_append() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  head {{schema}}.audit_chain;
BEGIN
  INSERT INTO {{schema}}.audit_chain (county_code, seq, hash) VALUES (NEW.county_code, 0, ''::bytea)
    ON CONFLICT DO NOTHING;
  SELECT * INTO head FROM {{schema}}.audit_chain WHERE county_code = NEW.county_code FOR UPDATE;
  NEW.seq := head.seq + 1;
  NEW.prev_hash := head.hash;
  NEW.hash := sha256(head.hash || convert_to({{schema}}.audit_canonical_text(
                NEW.county_code, NEW.seq, NEW.id, NEW.at, NEW.subject, NEW.role, NEW.method, NEW.resource,
                NEW.request_id, NEW.before, NEW.after), 'UTF8'));
  UPDATE {{schema}}.audit_chain SET seq = NEW.seq, hash = NEW.hash WHERE county_code = NEW.county_code;
  RETURN NEW;
END $$;

CREATE TRIGGER audit_chain BEFORE INSERT ON {{schema}}.audit_log
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.audit_chain_append();
CREATE TRIGGER audit_unchangeable BEFORE UPDATE OR DELETE ON {{schema}}.audit_log
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.audit_unchangeable();
CREATE TRIGGER audit_untruncatable BEFORE TRUNCATE ON {{schema}}.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.audit_unchangeable();
