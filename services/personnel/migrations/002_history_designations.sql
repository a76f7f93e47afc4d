-- personnel: how terms end (appointment history, 动态调整) and designations
-- of organisations for a year.

ALTER TABLE {{schema}}.positions
  ADD COLUMN end_reason smallint CHECK (end_reason BETWEEN 1 AND 6),
  ADD COLUMN end_note text NOT NULL DEFAULT '',
  ADD CONSTRAINT positions_end_has_reason CHECK ((ended_on IS NULL) = (end_reason IS NULL));
CREATE INDEX positions_ended ON {{schema}}.positions (county_code, ended_on)
  WHERE ended_on IS NOT NULL;

CREATE SEQUENCE {{schema}}.designation_id_seq;
CREATE TABLE {{schema}}.designations (
  county_code            text COLLATE "C" NOT NULL,
  id                     bigint NOT NULL DEFAULT nextval('{{schema}}.designation_id_seq'),
  party_org_id           bigint NOT NULL,
  kind                   smallint NOT NULL CHECK (kind BETWEEN 1 AND 4),
  year                   smallint NOT NULL,
  source                 text NOT NULL CHECK (source <> ''),
  note                   text NOT NULL DEFAULT '',
  instructor             text NOT NULL DEFAULT '',
  rectification_deadline date,
  closed_on              date,
  close_result           text NOT NULL DEFAULT '',
  revoked                boolean NOT NULL DEFAULT false,
  revoke_reason          text NOT NULL DEFAULT '',
  create_time            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, party_org_id) REFERENCES {{schema}}.party_orgs (county_code, id)
);
-- A designation once per organisation, kind and year (revoked ones aside).
CREATE UNIQUE INDEX designations_once ON {{schema}}.designations (county_code, party_org_id, kind, year)
  WHERE NOT revoked;
CREATE INDEX designations_year ON {{schema}}.designations (year, kind);

SELECT {{schema}}.county_rls('{{schema}}.designations');
GRANT SELECT, INSERT, UPDATE ON {{schema}}.designations TO {{app_role}};
GRANT USAGE ON SEQUENCE {{schema}}.designation_id_seq TO {{app_role}};
