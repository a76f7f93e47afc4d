-- contest: the entrant's organisation (for outcomes and conflicts), appeal
-- windows and reopened entries, appeals, and outcomes written to personnel.
ALTER TABLE {{schema}}.entries ADD COLUMN party_org_id text COLLATE "C" NOT NULL DEFAULT '',
                               ADD COLUMN reopened boolean NOT NULL DEFAULT false;
ALTER TABLE {{schema}}.judges ADD COLUMN party_org_id text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE {{schema}}.rounds ADD COLUMN appeal_window_days int NOT NULL DEFAULT 7,
                              ADD COLUMN close_time timestamptz;

CREATE SEQUENCE {{schema}}.appeal_id_seq;
CREATE TABLE {{schema}}.appeals (
  county_code   text COLLATE "C" NOT NULL,
  id            bigint NOT NULL DEFAULT nextval('{{schema}}.appeal_id_seq'),
  entry_id      bigint NOT NULL,
  reason        text NOT NULL CHECK (reason <> ''),
  state         smallint NOT NULL DEFAULT 1 CHECK (state BETWEEN 1 AND 3),
  decision_note text NOT NULL DEFAULT '',
  file_time     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, entry_id) REFERENCES {{schema}}.entries (county_code, id)
);

CREATE SEQUENCE {{schema}}.outcome_id_seq;
CREATE TABLE {{schema}}.outcomes (
  county_code    text COLLATE "C" NOT NULL,
  id             bigint NOT NULL DEFAULT nextval('{{schema}}.outcome_id_seq'),
  round_id       bigint NOT NULL,
  entry_id       bigint NOT NULL,
  kind           smallint NOT NULL CHECK (kind BETWEEN 1 AND 4),
  rank           int NOT NULL,
  year           int NOT NULL,
  region_prefix  text COLLATE "C" NOT NULL,
  designation_id text NOT NULL DEFAULT '',
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, round_id, entry_id, kind),
  FOREIGN KEY (county_code, entry_id) REFERENCES {{schema}}.entries (county_code, id)
);
CREATE INDEX outcomes_year ON {{schema}}.outcomes (year, region_prefix);

SELECT {{schema}}.county_rls('{{schema}}.appeals');
SELECT {{schema}}.county_rls('{{schema}}.outcomes');
GRANT SELECT, INSERT, UPDATE ON {{schema}}.appeals, {{schema}}.outcomes TO {{app_role}};
GRANT USAGE ON SEQUENCE {{schema}}.appeal_id_seq, {{schema}}.outcome_id_seq TO {{app_role}};
