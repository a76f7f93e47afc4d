-- contest: a score's judge and entry are checked once per statement, not once
-- per row. The two foreign keys of scores ran a look-up for every row stored:
-- about 0.8 s of a round's 89,000 scores. Statement triggers check the same
-- thing with one join over the rows a statement stored.
--
-- A foreign key also stops a referenced row from going away. Judges and
-- entries never do: a withdrawn entry keeps its row (state 2). So their rows
-- may not be deleted, their keys may not change and their tables may not be
-- truncated; a judge or an entry that a statement sees committed therefore
-- stays, and the check needs no lock.
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT conname FROM pg_constraint
           WHERE conrelid = '{{schema}}.scores'::regclass AND contype = 'f' LOOP
    EXECUTE format('ALTER TABLE {{schema}}.scores DROP CONSTRAINT %I', c.conname);
  END LOOP;
END $$;

-- As the owner (like a foreign key, it sees rows whatever the caller's scope).
CREATE FUNCTION {{schema}}.scores_check_references() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT county_code, judge_id FROM stored) s
             WHERE NOT EXISTS (SELECT 1 FROM {{schema}}.judges j
                               WHERE j.county_code = s.county_code AND j.id = s.judge_id)) THEN
    RAISE foreign_key_violation USING TABLE = 'scores', COLUMN = 'judge_id',
      MESSAGE = 'a score names a judge that does not exist';
  END IF;
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT county_code, entry_id FROM stored) s
             WHERE NOT EXISTS (SELECT 1 FROM {{schema}}.entries e
                               WHERE e.county_code = s.county_code AND e.id = s.entry_id)) THEN
    RAISE foreign_key_violation USING TABLE = 'scores', COLUMN = 'entry_id',
      MESSAGE = 'a score names an entry that does not exist';
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION {{schema}}.scores_check_references() FROM PUBLIC;

CREATE TRIGGER scores_references_insert AFTER INSERT ON {{schema}}.scores
  REFERENCING NEW TABLE AS stored FOR EACH STATEMENT
  EXECUTE FUNCTION {{schema}}.scores_check_references();
CREATE TRIGGER scores_references_update AFTER UPDATE ON {{schema}}.scores
  REFERENCING NEW TABLE AS stored FOR EACH STATEMENT
  EXECUTE FUNCTION {{schema}}.scores_check_references();

-- Judges and entries stay: scores, results and appeals name them.
CREATE FUNCTION {{schema}}.refuse_removal() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE restrict_violation USING TABLE = TG_TABLE_NAME,
    MESSAGE = format('%s rows are kept: they may not be deleted, truncated or renumbered',
                     TG_TABLE_NAME);
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['judges', 'entries'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON {{schema}}.%I FOR EACH ROW '
                   'EXECUTE FUNCTION {{schema}}.refuse_removal()', t || '_kept', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON {{schema}}.%I FOR EACH STATEMENT '
                   'EXECUTE FUNCTION {{schema}}.refuse_removal()', t || '_kept_truncate', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OF county_code, id ON {{schema}}.%I '
                   'FOR EACH ROW WHEN (OLD.county_code IS DISTINCT FROM NEW.county_code '
                   'OR OLD.id <> NEW.id) EXECUTE FUNCTION {{schema}}.refuse_removal()',
                   t || '_key_kept', t);
  END LOOP;
END $$;
