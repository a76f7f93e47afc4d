-- incentive: assessment schemes, inputs and results; democratic
-- evaluations (voter codes and anonymous ballots); the care award's budgets
-- and awards; and the case files of supervision, exits, promotions,
-- publicity, care, wellbeing and delegates (one table, a kind each). Every
-- row carries the county of the cadre it is about; cadre ids are personnel's.

-- A county's weights and bands for a year (the Scheme message as JSON).
CREATE TABLE {{schema}}.schemes (
  county_code text COLLATE "C" NOT NULL,
  year        int NOT NULL,
  body        jsonb NOT NULL,
  update_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, year)
);

-- The files about one cadre: the message of the kind as JSON, and the
-- columns lists filter on. kind: 1 assessment input, 2 supervision case,
-- 3 exit measure, 4 promotion, 5 interview, 6 care record, 7 wellbeing
-- check-in, 8 delegate.
CREATE SEQUENCE {{schema}}.record_id_seq;
CREATE TABLE {{schema}}.records (
  county_code text COLLATE "C" NOT NULL,
  id          bigint NOT NULL DEFAULT nextval('{{schema}}.record_id_seq'),
  kind        smallint NOT NULL CHECK (kind BETWEEN 1 AND 8),
  cadre_id    text COLLATE "C" NOT NULL,
  region_code text COLLATE "C" NOT NULL,  -- the cadre's
  year        int NOT NULL,
  on_date     date,       -- the record's day (check-in, care, decision …)
  due_date    date,       -- a rectification deadline
  open        boolean NOT NULL DEFAULT false,  -- an unrectified case; a low check-in
  body        jsonb NOT NULL,
  -- Counselling notes, kept out of `body`: read only by the city and the owner.
  restricted  text NOT NULL DEFAULT '',
  owner       text NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  CHECK (county_code = substr(region_code, 1, 6))
);
CREATE INDEX records_cadre ON {{schema}}.records (county_code, cadre_id, kind, year);
CREATE INDEX records_kind ON {{schema}}.records (kind, county_code, id);
CREATE INDEX records_due ON {{schema}}.records (kind, due_date) WHERE open;

-- Democratic evaluation: a meeting of a village that evaluates cadres.
CREATE SEQUENCE {{schema}}.evaluation_id_seq;
CREATE TABLE {{schema}}.evaluations (
  county_code  text COLLATE "C" NOT NULL,
  id           bigint NOT NULL DEFAULT nextval('{{schema}}.evaluation_id_seq'),
  village_code text COLLATE "C" NOT NULL,
  year         int NOT NULL,
  body         jsonb NOT NULL,  -- the Evaluation as opened (cadres, names, date, electorate)
  closed       boolean NOT NULL DEFAULT false,
  codes_issued int NOT NULL DEFAULT 0,
  ballots      int NOT NULL DEFAULT 0,
  tallies      jsonb NOT NULL DEFAULT '[]',
  quorum_percent int NOT NULL DEFAULT 0,
  PRIMARY KEY (county_code, id),
  CHECK (county_code = substr(village_code, 1, 6))
);
CREATE INDEX evaluations_year ON {{schema}}.evaluations (county_code, year) WHERE closed;

-- Voter codes not used yet, as SHA-256 of "<evaluation id>:<code>". Using a
-- code deletes its row, so nothing is left to link a ballot to a code.
CREATE TABLE {{schema}}.voter_codes (
  county_code   text COLLATE "C" NOT NULL,
  evaluation_id bigint NOT NULL,
  code_hash     bytea NOT NULL,
  PRIMARY KEY (county_code, evaluation_id, code_hash),
  FOREIGN KEY (county_code, evaluation_id) REFERENCES {{schema}}.evaluations (county_code, id)
);

-- Ballots: a random id, the choices in the order of the evaluation's
-- cadres (1 satisfied, 2 basically satisfied, 3 dissatisfied). No time, no
-- voter, no code.
CREATE TABLE {{schema}}.ballots (
  county_code   text COLLATE "C" NOT NULL,
  evaluation_id bigint NOT NULL,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  choices       smallint[] NOT NULL,
  PRIMARY KEY (county_code, evaluation_id, id),
  FOREIGN KEY (county_code, evaluation_id) REFERENCES {{schema}}.evaluations (county_code, id)
);

-- The assessment of each secretary of a county and year (replaced whole by
-- each computation); `id` orders pages.
CREATE SEQUENCE {{schema}}.assessment_id_seq;
CREATE TABLE {{schema}}.assessments (
  county_code text COLLATE "C" NOT NULL,
  id          bigint NOT NULL DEFAULT nextval('{{schema}}.assessment_id_seq'),
  year        int NOT NULL,
  cadre_id    text COLLATE "C" NOT NULL,
  region_code text COLLATE "C" NOT NULL,
  grade       smallint NOT NULL CHECK (grade BETWEEN 1 AND 4),
  body        jsonb NOT NULL,
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, year, cadre_id)
);

-- The care award: budgets of a city or county (county_code "150900" for
-- the city) and the awards, paid once per cadre, programme and year.
CREATE TABLE {{schema}}.budgets (
  county_code text COLLATE "C" NOT NULL,
  region_code text COLLATE "C" NOT NULL,
  year        int NOT NULL,
  programme   smallint NOT NULL,
  amount_fen  bigint NOT NULL CHECK (amount_fen >= 0),
  PRIMARY KEY (county_code, region_code, year, programme)
);

CREATE SEQUENCE {{schema}}.award_id_seq;
CREATE TABLE {{schema}}.awards (
  county_code   text COLLATE "C" NOT NULL,
  id            bigint NOT NULL DEFAULT nextval('{{schema}}.award_id_seq'),
  cadre_id      text COLLATE "C" NOT NULL,
  year          int NOT NULL,
  programme     smallint NOT NULL,
  recipient     smallint NOT NULL CHECK (recipient IN (1, 2)),
  amount_fen    bigint NOT NULL CHECK (amount_fen > 0),
  budget_region text COLLATE "C" NOT NULL,
  body          jsonb NOT NULL,
  pay_time      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, cadre_id, programme, year)
);
CREATE INDEX awards_budget ON {{schema}}.awards (budget_region, year, programme);

SELECT {{schema}}.county_rls('{{schema}}.schemes');
SELECT {{schema}}.county_rls('{{schema}}.records');
SELECT {{schema}}.county_rls('{{schema}}.evaluations');
SELECT {{schema}}.county_rls('{{schema}}.voter_codes');
SELECT {{schema}}.county_rls('{{schema}}.ballots');
SELECT {{schema}}.county_rls('{{schema}}.assessments');
SELECT {{schema}}.county_rls('{{schema}}.budgets');
SELECT {{schema}}.county_rls('{{schema}}.awards');
-- Codes are consumed by deleting them; results are replaced whole.
CREATE POLICY voter_codes_delete ON {{schema}}.voter_codes FOR DELETE USING ({{schema}}.may_write(county_code));
CREATE POLICY assessments_delete ON {{schema}}.assessments FOR DELETE USING ({{schema}}.may_write(county_code));

GRANT SELECT, INSERT, UPDATE ON {{schema}}.schemes, {{schema}}.records, {{schema}}.evaluations,
  {{schema}}.voter_codes, {{schema}}.assessments, {{schema}}.budgets,
  {{schema}}.awards TO {{app_role}};
GRANT DELETE ON {{schema}}.voter_codes, {{schema}}.assessments TO {{app_role}};
-- A ballot, once cast, is never changed.
GRANT SELECT, INSERT ON {{schema}}.ballots TO {{app_role}};
GRANT USAGE ON SEQUENCE {{schema}}.record_id_seq, {{schema}}.evaluation_id_seq,
  {{schema}}.assessment_id_seq, {{schema}}.award_id_seq TO {{app_role}};
