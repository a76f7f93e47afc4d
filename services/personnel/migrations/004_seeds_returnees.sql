-- personnel: committee members as a post, the seed pipeline (种子计划) and
-- returnee recruitment (回引计划), with the lineage from both to positions.

ALTER TABLE {{schema}}.positions DROP CONSTRAINT positions_kind_check;
ALTER TABLE {{schema}}.positions ADD CONSTRAINT positions_kind_check CHECK (kind BETWEEN 1 AND 4);
ALTER TABLE {{schema}}.positions ADD COLUMN seed_id bigint, ADD COLUMN returnee_id bigint;

-- The person waiting for a post is kept as the contract's Cadre message
-- (JSON); the columns beside it are what queries need.
CREATE SEQUENCE {{schema}}.seed_id_seq;
CREATE TABLE {{schema}}.seeds (
  county_code  text COLLATE "C" NOT NULL,
  id           bigint NOT NULL DEFAULT nextval('{{schema}}.seed_id_seq'),
  village_code text COLLATE "C" NOT NULL REFERENCES {{schema}}.regions (code),
  resident_id  text COLLATE "C" NOT NULL,
  person       jsonb NOT NULL,
  strengths    text NOT NULL DEFAULT '',
  stage        smallint NOT NULL CHECK (stage BETWEEN 1 AND 5),
  cadre_id     bigint,
  position_id  bigint,
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, resident_id),
  CHECK (county_code = substr(village_code, 1, 6))
);
CREATE INDEX seeds_village ON {{schema}}.seeds (village_code, stage);
CREATE TABLE {{schema}}.seed_steps (
  county_code text COLLATE "C" NOT NULL,
  seed_id     bigint NOT NULL,
  step_no     smallint NOT NULL,
  stage       smallint NOT NULL CHECK (stage BETWEEN 1 AND 5),
  by_subject  text NOT NULL,
  by_role     text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  note        text NOT NULL DEFAULT '',
  PRIMARY KEY (county_code, seed_id, step_no),
  FOREIGN KEY (county_code, seed_id) REFERENCES {{schema}}.seeds (county_code, id)
);

CREATE SEQUENCE {{schema}}.returnee_id_seq;
CREATE TABLE {{schema}}.returnees (
  county_code  text COLLATE "C" NOT NULL,
  id           bigint NOT NULL DEFAULT nextval('{{schema}}.returnee_id_seq'),
  village_code text COLLATE "C" NOT NULL REFERENCES {{schema}}.regions (code),
  resident_id  text COLLATE "C" NOT NULL,
  origin       smallint NOT NULL CHECK (origin BETWEEN 2 AND 7),
  person       jsonb NOT NULL,
  note         text NOT NULL DEFAULT '',
  status       smallint NOT NULL CHECK (status IN (1, 2)),
  cadre_id     bigint,
  position_id  bigint,
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, resident_id),
  CHECK (county_code = substr(village_code, 1, 6))
);
CREATE INDEX returnees_village ON {{schema}}.returnees (village_code);

SELECT {{schema}}.county_rls('{{schema}}.seeds');
SELECT {{schema}}.county_rls('{{schema}}.seed_steps');
SELECT {{schema}}.county_rls('{{schema}}.returnees');
GRANT SELECT, INSERT, UPDATE ON {{schema}}.seeds, {{schema}}.seed_steps, {{schema}}.returnees
  TO {{app_role}};
GRANT USAGE ON SEQUENCE {{schema}}.seed_id_seq, {{schema}}.returnee_id_seq TO {{app_role}};
