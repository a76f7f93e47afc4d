-- personnel: precise profiles (精准画像) and the good-secretary selection (好支书).

CREATE SEQUENCE {{schema}}.evaluation_id_seq;
CREATE TABLE {{schema}}.evaluations (
  county_code  text COLLATE "C" NOT NULL,
  id           bigint NOT NULL DEFAULT nextval('{{schema}}.evaluation_id_seq'),
  cadre_id     bigint NOT NULL,
  criterion    smallint NOT NULL CHECK (criterion BETWEEN 1 AND 5),
  score        smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
  evaluator    text NOT NULL CHECK (evaluator <> ''),
  evaluated_on date NOT NULL,
  year         smallint GENERATED ALWAYS AS (extract(year FROM evaluated_on)::smallint) STORED,
  evidence     text NOT NULL DEFAULT '',
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, cadre_id) REFERENCES {{schema}}.cadres (county_code, id)
);
CREATE INDEX evaluations_cadre_year ON {{schema}}.evaluations (county_code, cadre_id, year, criterion);

-- City-wide configuration: readable by every caller, written only with a
-- city-level (or wider) writable scope.
CREATE TABLE {{schema}}.profile_thresholds (
  year      smallint NOT NULL,
  criterion smallint NOT NULL CHECK (criterion BETWEEN 1 AND 5),
  min_score smallint NOT NULL CHECK (min_score BETWEEN 0 AND 100),
  PRIMARY KEY (year, criterion)
);
CREATE FUNCTION {{schema}}.may_write_city_wide() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT current_setting('touyan.writable', true) = 'on'
     AND current_setting('touyan.county_prefix', true) <> ''
     AND (current_setting('touyan.county_prefix', true) = '*'
          OR length(current_setting('touyan.county_prefix', true)) <= 4)
$$;
GRANT EXECUTE ON FUNCTION {{schema}}.may_write_city_wide() TO {{app_role}};
ALTER TABLE {{schema}}.profile_thresholds ENABLE ROW LEVEL SECURITY;
CREATE POLICY thresholds_read ON {{schema}}.profile_thresholds FOR SELECT USING (true);
CREATE POLICY thresholds_insert ON {{schema}}.profile_thresholds FOR INSERT
  WITH CHECK ({{schema}}.may_write_city_wide());
CREATE POLICY thresholds_update ON {{schema}}.profile_thresholds FOR UPDATE
  USING ({{schema}}.may_write_city_wide()) WITH CHECK ({{schema}}.may_write_city_wide());

-- A round per city and year; county_code holds the city's 6-digit code.
CREATE TABLE {{schema}}.selection_rounds (
  county_code text COLLATE "C" NOT NULL,
  year        smallint NOT NULL,
  region_code text COLLATE "C" NOT NULL REFERENCES {{schema}}.regions (code),
  total_quota integer NOT NULL CHECK (total_quota > 0),
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, year)
);
CREATE TABLE {{schema}}.selection_quotas (
  round_county text COLLATE "C" NOT NULL,
  year         smallint NOT NULL,
  county_code  text COLLATE "C" NOT NULL,
  quota        integer NOT NULL CHECK (quota >= 0),
  PRIMARY KEY (round_county, year, county_code),
  FOREIGN KEY (round_county, year) REFERENCES {{schema}}.selection_rounds (county_code, year)
);
CREATE SEQUENCE {{schema}}.nomination_id_seq;
CREATE TABLE {{schema}}.nominations (
  county_code  text COLLATE "C" NOT NULL,
  id           bigint NOT NULL DEFAULT nextval('{{schema}}.nomination_id_seq'),
  round_county text COLLATE "C" NOT NULL,
  year         smallint NOT NULL,
  cadre_id     bigint NOT NULL,
  reason       text NOT NULL DEFAULT '',
  status       smallint NOT NULL CHECK (status IN (1, 2)),
  nominated_by text NOT NULL,
  confirmed_by text NOT NULL DEFAULT '',
  create_time  timestamptz NOT NULL DEFAULT now(),
  confirm_time timestamptz,
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, year, cadre_id),
  FOREIGN KEY (round_county, year) REFERENCES {{schema}}.selection_rounds (county_code, year),
  FOREIGN KEY (county_code, cadre_id) REFERENCES {{schema}}.cadres (county_code, id)
);
CREATE INDEX nominations_round ON {{schema}}.nominations (round_county, year, status);

ALTER TABLE {{schema}}.selection_rounds ENABLE ROW LEVEL SECURITY;
CREATE POLICY rounds_read ON {{schema}}.selection_rounds FOR SELECT USING (true);
CREATE POLICY rounds_insert ON {{schema}}.selection_rounds FOR INSERT WITH CHECK ({{schema}}.may_write(county_code));
CREATE POLICY rounds_update ON {{schema}}.selection_rounds FOR UPDATE
  USING ({{schema}}.may_write(county_code)) WITH CHECK ({{schema}}.may_write(county_code));
ALTER TABLE {{schema}}.selection_quotas ENABLE ROW LEVEL SECURITY;
CREATE POLICY quotas_read ON {{schema}}.selection_quotas FOR SELECT USING (true);
CREATE POLICY quotas_insert ON {{schema}}.selection_quotas FOR INSERT
  WITH CHECK ({{schema}}.may_write(round_county));
SELECT {{schema}}.county_rls('{{schema}}.evaluations');
SELECT {{schema}}.county_rls('{{schema}}.nominations');

GRANT SELECT, INSERT, UPDATE ON {{schema}}.evaluations, {{schema}}.profile_thresholds,
  {{schema}}.selection_rounds, {{schema}}.selection_quotas, {{schema}}.nominations TO {{app_role}};
GRANT USAGE ON SEQUENCE {{schema}}.evaluation_id_seq, {{schema}}.nomination_id_seq TO {{app_role}};
