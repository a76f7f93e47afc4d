-- personnel: the support granted to designated organisations (加大项目、资金等
-- 支持力度), a ledger of amounts per village, each entry against a designation.
CREATE SEQUENCE {{schema}}.support_id_seq;
CREATE TABLE {{schema}}.support_entries (
  county_code    text COLLATE "C" NOT NULL,
  id             bigint NOT NULL DEFAULT nextval('{{schema}}.support_id_seq'),
  designation_id bigint NOT NULL,
  kind           smallint NOT NULL CHECK (kind IN (1, 2)),
  amount_fen     bigint NOT NULL CHECK (amount_fen > 0),
  title          text NOT NULL,
  granted_on     date NOT NULL,
  recorded_by    text NOT NULL,
  create_time    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, designation_id) REFERENCES {{schema}}.designations (county_code, id)
);
CREATE INDEX support_entries_designation ON {{schema}}.support_entries (county_code, designation_id);
SELECT {{schema}}.county_rls('{{schema}}.support_entries');
GRANT SELECT, INSERT ON {{schema}}.support_entries TO {{app_role}};
GRANT USAGE ON SEQUENCE {{schema}}.support_id_seq TO {{app_role}};
