-- Reads of personal data are recorded: a call that returns a resident ID or
-- a phone number unmasked, or a counselling note, writes who read whose
-- data, when, through which method (CallContext::RecordAccess), before it
-- answers. Append-only for the service role, partitioned by month and kept
-- as long as the audit trail (audit_maintain drops both tables' months).
CREATE SEQUENCE {{schema}}.access_id_seq AS bigint;
CREATE TABLE {{schema}}.access_log (
  county_code text COLLATE "C" NOT NULL,
  id          bigint NOT NULL DEFAULT nextval('{{schema}}.access_id_seq'),
  at          timestamptz NOT NULL DEFAULT now(),
  subject     text NOT NULL,
  role        text NOT NULL,
  method      text NOT NULL,
  resource    text NOT NULL,
  fields      text NOT NULL,  -- "resident_id,phone", "notes"
  PRIMARY KEY (county_code, id, at)
) PARTITION BY RANGE (at);
ALTER SEQUENCE {{schema}}.access_id_seq OWNED BY {{schema}}.access_log.id;
CREATE TABLE {{schema}}.access_log_default PARTITION OF {{schema}}.access_log DEFAULT;
CREATE INDEX access_log_resource ON {{schema}}.access_log (resource, id);
CREATE INDEX access_log_id ON {{schema}}.access_log (id);
ALTER TABLE {{schema}}.access_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY access_read ON {{schema}}.access_log FOR SELECT USING ({{schema}}.in_scope(county_code));
-- Readers write their records too (auditors included): in scope is enough.
CREATE POLICY access_append ON {{schema}}.access_log FOR INSERT WITH CHECK ({{schema}}.in_scope(county_code));
GRANT SELECT, INSERT ON {{schema}}.access_log TO {{app_role}};
GRANT USAGE ON SEQUENCE {{schema}}.access_id_seq TO {{app_role}};
CREATE TRIGGER access_unchangeable BEFORE UPDATE OR DELETE ON {{schema}}.access_log
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.audit_unchangeable();

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

CREATE OR REPLACE FUNCTION {{schema}}.audit_maintain(retention interval, from_month date DEFAULT now())
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  keep_after timestamptz := now() - greatest(retention, interval '180 days');
  dropped integer;
BEGIN
  dropped := {{schema}}.month_partitions('audit_log', from_month, keep_after);
  IF dropped > 0 THEN
    UPDATE {{schema}}.audit_chain c
       SET retained_from = coalesce((SELECT min(a.seq) FROM {{schema}}.audit_log a WHERE a.county_code = c.county_code),
                                    c.seq + 1);
  END IF;
  RETURN dropped + {{schema}}.month_partitions('access_log', from_month, keep_after);
END $$;

SELECT {{schema}}.month_partitions('access_log', now()::date, '-infinity');
