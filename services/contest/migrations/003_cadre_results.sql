-- Published results by cadre (incentive's assessment asks for them), and
-- the contests of published rounds readable by everyone, like the rounds.
CREATE INDEX results_cadre ON {{schema}}.results ((result->>'cadreId')) WHERE published;
CREATE POLICY contests_published_read ON {{schema}}.contests FOR SELECT
  USING (EXISTS (SELECT 1 FROM {{schema}}.rounds r WHERE r.county_code = contests.county_code
                 AND r.contest_id = contests.id AND r.state = 5));
