-- Reads of personal data are recorded: a call that returns a resident ID or
-- a phone number unmasked, or a counselling note, writes who read whose
-- data, when, through which method (CallContext::RecordAccess), before it
-- answers. Append-only for the service role, partitioned by month and kept
-- as long as the audit trail (audit_maintain makes and drops both tables' months).
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

-- audit_maintain (005) keeps its months like the audit trail's.
SELECT {{schema}}.month_partitions('access_log', now()::date, '-infinity');
