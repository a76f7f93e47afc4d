-- personnel: regions, party organisations, cadres, positions.
-- Codes are compared byte-wise (COLLATE "C") so that prefix searches use indexes.

CREATE TABLE {{schema}}.regions (
  code        text COLLATE "C" PRIMARY KEY CHECK (code ~ '^[0-9]{12}$'),
  county_code text COLLATE "C" NOT NULL CHECK (county_code = substr(code, 1, 6)),
  name        text NOT NULL CHECK (name <> ''),
  level       smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
  parent_code text COLLATE "C" REFERENCES {{schema}}.regions (code)
);
CREATE INDEX regions_parent ON {{schema}}.regions (parent_code, code);
CREATE INDEX regions_level ON {{schema}}.regions (level, code);
ALTER TABLE {{schema}}.regions ENABLE ROW LEVEL SECURITY;
-- The tree is reference data: every caller reads all of it.
CREATE POLICY regions_read ON {{schema}}.regions FOR SELECT USING (true);
CREATE POLICY regions_insert ON {{schema}}.regions FOR INSERT WITH CHECK ({{schema}}.may_write(county_code));
CREATE POLICY regions_update ON {{schema}}.regions FOR UPDATE
  USING ({{schema}}.may_write(county_code)) WITH CHECK ({{schema}}.may_write(county_code));

CREATE SEQUENCE {{schema}}.party_org_id_seq;
CREATE TABLE {{schema}}.party_orgs (
  county_code text COLLATE "C" NOT NULL,
  id          bigint NOT NULL DEFAULT nextval('{{schema}}.party_org_id_seq'),
  name        text NOT NULL CHECK (name <> ''),
  kind        smallint NOT NULL CHECK (kind BETWEEN 1 AND 7),
  region_code text COLLATE "C" NOT NULL REFERENCES {{schema}}.regions (code),
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  CHECK (county_code = substr(region_code, 1, 6))
);
-- One village (or community) organisation per village.
CREATE UNIQUE INDEX party_orgs_village ON {{schema}}.party_orgs (county_code, region_code)
  WHERE kind IN (1, 2);
CREATE INDEX party_orgs_region ON {{schema}}.party_orgs (region_code);

CREATE SEQUENCE {{schema}}.cadre_id_seq;
CREATE TABLE {{schema}}.cadres (
  county_code   text COLLATE "C" NOT NULL,
  id            bigint NOT NULL DEFAULT nextval('{{schema}}.cadre_id_seq'),
  region_code   text COLLATE "C" NOT NULL REFERENCES {{schema}}.regions (code),
  resident_id   text COLLATE "C" NOT NULL CHECK (resident_id ~ '^[0-9]{17}[0-9X]$'),
  name          text NOT NULL CHECK (name <> ''),
  gender        smallint NOT NULL CHECK (gender IN (1, 2)),
  ethnicity     text NOT NULL,
  birth_date    date NOT NULL,
  party_member  boolean NOT NULL,
  education     smallint NOT NULL CHECK (education BETWEEN 1 AND 6),
  phone         text NOT NULL DEFAULT '',
  establishment smallint NOT NULL CHECK (establishment BETWEEN 1 AND 3),
  origin        smallint NOT NULL CHECK (origin BETWEEN 1 AND 7),
  create_time   timestamptz NOT NULL DEFAULT now(),
  update_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, resident_id),
  CHECK (county_code = substr(region_code, 1, 6))
) PARTITION BY HASH (county_code);
DO $$
BEGIN
  FOR i IN 0..7 LOOP
    EXECUTE format('CREATE TABLE {{schema}}.cadres_p%s PARTITION OF {{schema}}.cadres '
                   'FOR VALUES WITH (MODULUS 8, REMAINDER %s)', i, i);
  END LOOP;
END $$;
CREATE INDEX cadres_region ON {{schema}}.cadres (region_code);

CREATE SEQUENCE {{schema}}.position_id_seq;
CREATE TABLE {{schema}}.positions (
  county_code  text COLLATE "C" NOT NULL,
  id           bigint NOT NULL DEFAULT nextval('{{schema}}.position_id_seq'),
  cadre_id     bigint NOT NULL,
  party_org_id bigint NOT NULL,
  kind         smallint NOT NULL CHECK (kind BETWEEN 1 AND 3),
  term_start   date NOT NULL,
  term_end     date CHECK (term_end >= term_start),
  ended_on     date CHECK (ended_on >= term_start),
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, cadre_id) REFERENCES {{schema}}.cadres (county_code, id),
  FOREIGN KEY (county_code, party_org_id) REFERENCES {{schema}}.party_orgs (county_code, id)
);
-- One current secretary and one current director per organisation (DUAL_ROLE is both),
-- and one current post per cadre and organisation.
CREATE UNIQUE INDEX positions_one_secretary ON {{schema}}.positions (county_code, party_org_id)
  WHERE ended_on IS NULL AND kind IN (1, 3);
CREATE UNIQUE INDEX positions_one_director ON {{schema}}.positions (county_code, party_org_id)
  WHERE ended_on IS NULL AND kind IN (2, 3);
CREATE UNIQUE INDEX positions_one_post ON {{schema}}.positions (county_code, party_org_id, cadre_id)
  WHERE ended_on IS NULL;
CREATE INDEX positions_cadre ON {{schema}}.positions (county_code, cadre_id);

-- County scope beneath the application: reads need the county in scope,
-- writes need it in scope and a writing role.
SELECT {{schema}}.county_rls('{{schema}}.party_orgs');
SELECT {{schema}}.county_rls('{{schema}}.cadres');
SELECT {{schema}}.county_rls('{{schema}}.positions');

GRANT SELECT, INSERT, UPDATE ON {{schema}}.regions, {{schema}}.party_orgs, {{schema}}.cadres,
  {{schema}}.positions TO {{app_role}};
GRANT USAGE ON SEQUENCE {{schema}}.party_org_id_seq, {{schema}}.cadre_id_seq,
  {{schema}}.position_id_seq TO {{app_role}};
