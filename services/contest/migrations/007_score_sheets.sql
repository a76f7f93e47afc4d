-- contest: a judge's scores of one entry are one row, a score sheet, with
-- one value per dimension of the round's rubric, in the rubric's order (the
-- rubric is locked by the round's first score, so the order stays). A
-- round of 4,247 entries, 7 judges and 3 dimensions stores 29,729 rows
-- instead of 89,187: the rows, their key and their checks were most of
-- storing a batch. A dimension not yet scored is NULL.
CREATE TABLE {{schema}}.score_sheets (
  county_code text COLLATE "C" NOT NULL,
  round_id    bigint NOT NULL,
  entry_id    bigint NOT NULL,
  judge_id    bigint NOT NULL,
  value       double precision[] NOT NULL
              CHECK (array_ndims(value) = 1 AND 0 <= ALL (value)
                     AND num_nonnulls(VARIADIC value) > 0),
  update_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, round_id, entry_id, judge_id)
);
SELECT {{schema}}.county_rls('{{schema}}.score_sheets');
GRANT SELECT, INSERT, UPDATE ON {{schema}}.score_sheets TO {{app_role}};

-- The scores stored so far, one sheet per judge and entry.
INSERT INTO {{schema}}.score_sheets (county_code, round_id, entry_id, judge_id, value, update_time)
SELECT g.county_code, g.round_id, g.entry_id, g.judge_id,
       ARRAY(SELECT (SELECT s.value FROM {{schema}}.scores s
                     WHERE s.county_code = g.county_code AND s.round_id = g.round_id
                       AND s.entry_id = g.entry_id AND s.judge_id = g.judge_id
                       AND s.dimension = d.dim ->> 'key')
             FROM jsonb_array_elements(r.rubric -> 'rubric') WITH ORDINALITY AS d(dim, ord)
             ORDER BY d.ord),
       g.update_time
FROM (SELECT county_code, round_id, entry_id, judge_id, max(update_time) AS update_time
      FROM {{schema}}.scores GROUP BY 1, 2, 3, 4) g
JOIN {{schema}}.rounds r ON r.county_code = g.county_code AND r.id = g.round_id;

DROP TABLE {{schema}}.scores;
DROP FUNCTION {{schema}}.scores_check_references();

-- A sheet's judge and entry exist and belong to the sheet's round: checked
-- once per statement with one join over the rows it stored (as a foreign key
-- would, as the owner, whatever the caller's scope). Judges and entries are
-- never deleted or renumbered (migration 006), so no lock is needed.
CREATE FUNCTION {{schema}}.score_sheets_check_references() RETURNS trigger
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
REVOKE ALL ON FUNCTION {{schema}}.score_sheets_check_references() FROM PUBLIC;

CREATE TRIGGER score_sheets_references_insert AFTER INSERT ON {{schema}}.score_sheets
  REFERENCING NEW TABLE AS stored FOR EACH STATEMENT
  EXECUTE FUNCTION {{schema}}.score_sheets_check_references();
CREATE TRIGGER score_sheets_references_update AFTER UPDATE ON {{schema}}.score_sheets
  REFERENCING NEW TABLE AS stored FOR EACH STATEMENT
  EXECUTE FUNCTION {{schema}}.score_sheets_check_references();
