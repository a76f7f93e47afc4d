-- Results by cadre as a plain column: the row-level security of results is
-- checked before any non-leakproof condition, so an index on the JSON
-- expression (results_cadre) was never used for callers and every result of
-- the year was read (21 s at 150,000 results). Text equality is leakproof:
-- the index on the column is used under the policies too.
ALTER TABLE {{schema}}.results
  ADD COLUMN cadre_id text COLLATE "C" GENERATED ALWAYS AS (result->>'cadreId') STORED;
CREATE INDEX results_cadre_id ON {{schema}}.results (cadre_id) WHERE published;
DROP INDEX {{schema}}.results_cadre;
