-- contest: contests, rounds (with rubric and tabulation rules), entries,
-- judges, scores, results and sign-offs. Every row belongs to the county of
-- the contest's region ("150900" for the city's contests): the organiser
-- registers entries, judges and scores. Cadre ids are personnel's, as text.

CREATE SEQUENCE {{schema}}.contest_id_seq;
CREATE TABLE {{schema}}.contests (
  county_code   text COLLATE "C" NOT NULL,
  id            bigint NOT NULL DEFAULT nextval('{{schema}}.contest_id_seq'),
  level         smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
  region_code   text COLLATE "C" NOT NULL,
  region_prefix text COLLATE "C" NOT NULL,
  year          int NOT NULL,
  title         text NOT NULL CHECK (title <> ''),
  fields        smallint[] NOT NULL,
  create_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  CHECK (county_code = substr(region_code, 1, 6))
);
CREATE INDEX contests_region ON {{schema}}.contests (region_prefix, year);

CREATE SEQUENCE {{schema}}.round_id_seq;
CREATE TABLE {{schema}}.rounds (
  county_code   text COLLATE "C" NOT NULL,
  id            bigint NOT NULL DEFAULT nextval('{{schema}}.round_id_seq'),
  contest_id    bigint NOT NULL,
  number        int NOT NULL,
  name          text NOT NULL,
  state         smallint NOT NULL CHECK (state BETWEEN 1 AND 5),
  aggregation   smallint NOT NULL CHECK (aggregation BETWEEN 1 AND 3),
  rubric        jsonb NOT NULL,
  rubric_locked boolean NOT NULL DEFAULT false,
  advance_top_n int NOT NULL DEFAULT 0,
  advance_top_share double precision NOT NULL DEFAULT 0,
  star_bands    jsonb NOT NULL DEFAULT '[]',
  digest        text NOT NULL DEFAULT '',
  create_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, contest_id, number),
  FOREIGN KEY (county_code, contest_id) REFERENCES {{schema}}.contests (county_code, id)
);

CREATE SEQUENCE {{schema}}.entry_id_seq;
CREATE TABLE {{schema}}.entries (
  county_code  text COLLATE "C" NOT NULL,
  id           bigint NOT NULL DEFAULT nextval('{{schema}}.entry_id_seq'),
  round_id     bigint NOT NULL,
  cadre_id     text COLLATE "C" NOT NULL,
  cadre_name   text NOT NULL,
  village_code text COLLATE "C" NOT NULL,
  report       jsonb NOT NULL,
  state        smallint NOT NULL DEFAULT 1 CHECK (state IN (1, 2)),
  panel        text NOT NULL DEFAULT '',
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, round_id, cadre_id),
  FOREIGN KEY (county_code, round_id) REFERENCES {{schema}}.rounds (county_code, id)
);

CREATE SEQUENCE {{schema}}.judge_id_seq;
CREATE TABLE {{schema}}.judges (
  county_code text COLLATE "C" NOT NULL,
  id          bigint NOT NULL DEFAULT nextval('{{schema}}.judge_id_seq'),
  round_id    bigint NOT NULL,
  name        text NOT NULL CHECK (name <> ''),
  panel       text NOT NULL CHECK (panel <> ''),
  cadre_id    text COLLATE "C" NOT NULL DEFAULT '',
  region_code text COLLATE "C" NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, round_id) REFERENCES {{schema}}.rounds (county_code, id)
);

CREATE TABLE {{schema}}.scores (
  county_code text COLLATE "C" NOT NULL,
  round_id    bigint NOT NULL,
  judge_id    bigint NOT NULL,
  entry_id    bigint NOT NULL,
  dimension   text NOT NULL,
  value       double precision NOT NULL CHECK (value >= 0),
  update_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, round_id, entry_id, judge_id, dimension),
  FOREIGN KEY (county_code, judge_id) REFERENCES {{schema}}.judges (county_code, id),
  FOREIGN KEY (county_code, entry_id) REFERENCES {{schema}}.entries (county_code, id)
);

CREATE TABLE {{schema}}.results (
  county_code  text COLLATE "C" NOT NULL,
  round_id     bigint NOT NULL,
  position     int NOT NULL,
  result       jsonb NOT NULL,
  published    boolean NOT NULL DEFAULT false,
  PRIMARY KEY (county_code, round_id, position),
  FOREIGN KEY (county_code, round_id) REFERENCES {{schema}}.rounds (county_code, id)
);

CREATE TABLE {{schema}}.sign_offs (
  county_code text COLLATE "C" NOT NULL,
  round_id    bigint NOT NULL,
  role        smallint NOT NULL CHECK (role IN (1, 2)),
  name        text NOT NULL CHECK (name <> ''),
  digest      text NOT NULL,
  signer      text NOT NULL,
  published   boolean NOT NULL DEFAULT false,
  sign_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, round_id, digest, role, name),
  FOREIGN KEY (county_code, round_id) REFERENCES {{schema}}.rounds (county_code, id)
);

SELECT {{schema}}.county_rls('{{schema}}.contests');
SELECT {{schema}}.county_rls('{{schema}}.entries');
SELECT {{schema}}.county_rls('{{schema}}.judges');
SELECT {{schema}}.county_rls('{{schema}}.scores');
-- Published rounds, their results and sign-offs are readable by everyone.
ALTER TABLE {{schema}}.rounds ENABLE ROW LEVEL SECURITY;
CREATE POLICY rounds_read ON {{schema}}.rounds FOR SELECT
  USING ({{schema}}.in_scope(county_code) OR state = 5);
CREATE POLICY rounds_insert ON {{schema}}.rounds FOR INSERT WITH CHECK ({{schema}}.may_write(county_code));
CREATE POLICY rounds_update ON {{schema}}.rounds FOR UPDATE
  USING ({{schema}}.may_write(county_code)) WITH CHECK ({{schema}}.may_write(county_code));
ALTER TABLE {{schema}}.results ENABLE ROW LEVEL SECURITY;
CREATE POLICY results_read ON {{schema}}.results FOR SELECT
  USING ({{schema}}.in_scope(county_code) OR published);
CREATE POLICY results_write ON {{schema}}.results FOR ALL
  USING ({{schema}}.may_write(county_code)) WITH CHECK ({{schema}}.may_write(county_code));
ALTER TABLE {{schema}}.sign_offs ENABLE ROW LEVEL SECURITY;
CREATE POLICY sign_offs_read ON {{schema}}.sign_offs FOR SELECT
  USING ({{schema}}.in_scope(county_code) OR published);
CREATE POLICY sign_offs_insert ON {{schema}}.sign_offs FOR INSERT WITH CHECK ({{schema}}.may_write(county_code));
CREATE POLICY sign_offs_update ON {{schema}}.sign_offs FOR UPDATE
  USING ({{schema}}.may_write(county_code)) WITH CHECK ({{schema}}.may_write(county_code));

GRANT SELECT, INSERT, UPDATE ON {{schema}}.contests, {{schema}}.rounds, {{schema}}.entries,
  {{schema}}.judges, {{schema}}.scores, {{schema}}.results, {{schema}}.sign_offs TO {{app_role}};
-- Re-tabulation replaces a round's results.
GRANT DELETE ON {{schema}}.results TO {{app_role}};
GRANT USAGE ON SEQUENCE {{schema}}.contest_id_seq, {{schema}}.round_id_seq, {{schema}}.entry_id_seq,
  {{schema}}.judge_id_seq TO {{app_role}};
