-- incentive: the conditions of the promotion channels (雨露计划) for a
-- city's year, one row per version (county_code "150900" for the city);
-- the latest version rules. Any caller may read them (counties check their
-- promotions against them); only the city writes.
CREATE TABLE {{schema}}.promotion_policies (
  county_code text COLLATE "C" NOT NULL,
  year        int NOT NULL,
  version     int NOT NULL CHECK (version > 0),
  body        jsonb NOT NULL,
  updated_by  text NOT NULL,
  update_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, year, version)
);
ALTER TABLE {{schema}}.promotion_policies ENABLE ROW LEVEL SECURITY;
CREATE POLICY promotion_policies_read ON {{schema}}.promotion_policies FOR SELECT USING (true);
CREATE POLICY promotion_policies_insert ON {{schema}}.promotion_policies FOR INSERT
  WITH CHECK ({{schema}}.may_write(county_code));
GRANT SELECT, INSERT ON {{schema}}.promotion_policies TO {{app_role}};
