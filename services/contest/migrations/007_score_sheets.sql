-- contest: a judge's scores of one entry are one row, a score sheet, with
-- one value per dimension of the round's rubric, in the rubric's order (the
-- rubric is locked by the round's first score, so the order stays). A
-- round of 4,247 entries, 7 judges and 3 dimensions stores 29,729 rows
-- instead of 89,187: the rows, their key and their checks were most of
-- storing a batch. A dimension not yet scored is NULL.
--
-- The scores table is reshaped in place and renamed, so that what migration
-- 006 declared on it — its statement triggers and their check function —
-- goes on serving the sheets; only the check's body changes.

-- The scores stored so far, one sheet per judge and entry.
CREATE TABLE {{schema}}.sheets_moving AS
SELECT g.county_code, g.round_id, g.judge_id, g.entry_id,
       ARRAY(SELECT (SELECT s.value FROM {{schema}}.scores s
                     WHERE s.county_code = g.county_code AND s.round_id = g.round_id
                       AND s.entry_id = g.entry_id AND s.judge_id = g.judge_id
                       AND s.dimension = d.dim ->> 'key')
             FROM jsonb_array_elements(r.rubric -> 'rubric') WITH ORDINALITY AS d(dim, ord)
             ORDER BY d.ord) AS value,
       g.update_time
FROM (SELECT county_code, round_id, entry_id, judge_id, max(update_time) AS update_time
      FROM {{schema}}.scores GROUP BY 1, 2, 3, 4) g
JOIN {{schema}}.rounds r ON r.county_code = g.county_code AND r.id = g.round_id;

TRUNCATE {{schema}}.scores;
ALTER TABLE {{schema}}.scores DROP CONSTRAINT scores_pkey;
ALTER TABLE {{schema}}.scores DROP CONSTRAINT scores_value_check;
ALTER TABLE {{schema}}.scores DROP COLUMN dimension;
ALTER TABLE {{schema}}.scores ALTER COLUMN value TYPE double precision[] USING ARRAY[value];
ALTER TABLE {{schema}}.scores RENAME TO score_sheets;
ALTER TABLE {{schema}}.score_sheets
  ADD CONSTRAINT score_sheets_pkey PRIMARY KEY (county_code, round_id, entry_id, judge_id),
  ADD CONSTRAINT score_sheets_value_check
    CHECK (array_ndims(value) = 1 AND 0 <= ALL (value) AND num_nonnulls(VARIADIC value) > 0);
ALTER TRIGGER scores_references_insert ON {{schema}}.score_sheets
  RENAME TO score_sheets_references_insert;
ALTER TRIGGER scores_references_update ON {{schema}}.score_sheets
  RENAME TO score_sheets_references_update;
ALTER FUNCTION {{schema}}.scores_check_references() RENAME TO score_sheets_check_references;

-- A sheet's judge and entry exist and belong to the sheet's round: checked
-- once per statement with one join over the rows it stored (as a foreign key
-- would, as the owner, whatever the caller's scope). Judges and entries are
-- never deleted or renumbered (migration 006), so no lock is needed.
CREATE OR REPLACE FUNCTION {{schema}}.score_sheets_check_references() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  bad text;
BEGIN
  SELECT CASE
           WHEN EXISTS (SELECT 1 FROM (SELECT DISTINCT county_code, round_id, judge_id FROM stored) s
                        WHERE NOT EXISTS (SELECT 1 FROM {{schema}}.judges j
                                          WHERE j.county_code = s.county_code
                                            AND j.id = s.judge_id AND j.round_id = s.round_id))
             THEN 'judge_id'
           WHEN EXISTS (SELECT 1 FROM (SELECT DISTINCT county_code, round_id, entry_id FROM stored) s
                        WHERE NOT EXISTS (SELECT 1 FROM {{schema}}.entries e
                                          WHERE e.county_code = s.county_code
                                            AND e.id = s.entry_id AND e.round_id = s.round_id))
             THEN 'entry_id'
         END INTO bad;
  IF bad IS NOT NULL THEN
    RAISE foreign_key_violation USING TABLE = 'score_sheets', COLUMN = bad,
      MESSAGE = format('a score sheet names a %s that is not one of its round''s',
                       CASE bad WHEN 'judge_id' THEN 'judge' ELSE 'entry' END);
  END IF;
  RETURN NULL;
END $$;

INSERT INTO {{schema}}.score_sheets (county_code, round_id, judge_id, entry_id, value, update_time)
SELECT county_code, round_id, judge_id, entry_id, value, update_time FROM {{schema}}.sheets_moving;
DROP TABLE {{schema}}.sheets_moving;
