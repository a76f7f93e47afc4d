-- Pieces of every write that PostgreSQL ran as function calls, now planned
-- once with the statement that uses them, and a statement the audit chain
-- ran for nothing (issue 21: perf of CreateCadre found the first two at
-- ~14 % of PostgreSQL's CPU).
--
-- 1. The county role's bound prefix. 009 bound the policies to
--    (SELECT role_prefix()): an InitPlan, once per statement, but each run
--    entered PL/pgSQL and SPI to read one row of role_scopes (~8 % of
--    PostgreSQL's CPU under CreateCadre, several statements a call, each
--    meeting policies). The policies now hold that read itself,
--    (SELECT county_prefix FROM role_scopes WHERE role_name = session_user),
--    still an InitPlan, planned with the statement. Same meaning: a login
--    role without a binding gets NULL, and reaches nothing.
-- 2. The audit chain's canonical text. audit_canonical_text was declared
--    IMMUTABLE over stable functions (to_char, jsonb_build_array), which
--    PostgreSQL never inlines: the chain trigger parsed, planned and ran
--    its body for every audit row (~5 %). Declared STABLE (what its body
--    is), the trigger's expression inlines it; the text is the same
--    expression, so every hash stays as it was.
CREATE OR REPLACE FUNCTION {{schema}}.bind_scope_policies() RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  p record;
  pattern constant text := '([a-z_]+\.)?(in_scope|may_write)\(([a-z_]+)\)';
  bound constant text :=
    '{{schema}}.\2(\3, (SELECT county_prefix FROM {{schema}}.role_scopes WHERE role_name = session_user))';
  -- 009's bound, as pg_get_expr shows it
  old_bound constant text := '\(\s*SELECT ([a-z_]+\.)?role_prefix\(\) AS role_prefix\)';
  new_bound constant text :=
    '(SELECT county_prefix FROM {{schema}}.role_scopes WHERE role_name = session_user)';
  qual text;
  chk text;
  n int := 0;
BEGIN
  FOR p IN
    SELECT pol.polname, c.relname, pg_get_expr(pol.polqual, pol.polrelid) AS qual,
           pg_get_expr(pol.polwithcheck, pol.polrelid) AS chk
    FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid
    WHERE c.relnamespace = '{{schema}}'::regnamespace
  LOOP
    qual := regexp_replace(regexp_replace(p.qual, pattern, bound, 'g'), old_bound, new_bound, 'g');
    chk := regexp_replace(regexp_replace(p.chk, pattern, bound, 'g'), old_bound, new_bound, 'g');
    CONTINUE WHEN qual IS NOT DISTINCT FROM p.qual AND chk IS NOT DISTINCT FROM p.chk;
    EXECUTE format('ALTER POLICY %I ON {{schema}}.%I', p.polname, p.relname)
      || coalesce(' USING (' || qual || ')', '') || coalesce(' WITH CHECK (' || chk || ')', '');
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION {{schema}}.bind_scope_policies() FROM PUBLIC;
SELECT {{schema}}.bind_scope_policies();
-- The one-argument form (what a migration's policy says before it is bound,
-- and may_write(county) calls) reads the bound itself too.
CREATE OR REPLACE FUNCTION {{schema}}.in_scope(county text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT {{schema}}.in_scope(county, (SELECT county_prefix FROM {{schema}}.role_scopes
                                      WHERE role_name = session_user))
$$;
DROP FUNCTION {{schema}}.role_prefix();  -- nothing calls it any more

ALTER FUNCTION {{schema}}.audit_canonical_text(text, bigint, bigint, timestamptz, text, text, text, text,
                                               text, jsonb, jsonb) STABLE;
ALTER FUNCTION {{schema}}.audit_canonical({{schema}}.audit_log) STABLE;

-- 3. The chain's head. The trigger tried to insert the county's head before
--    every row (ON CONFLICT DO NOTHING: an index probe and a speculative
--    insertion's set-up each time); it now locks the head first and makes
--    it only for a county's first row. The same rows, the same locks.
CREATE OR REPLACE FUNCTION {{schema}}.audit_chain_append() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  head {{schema}}.audit_chain;
BEGIN
  SELECT * INTO head FROM {{schema}}.audit_chain WHERE county_code = NEW.county_code FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO {{schema}}.audit_chain (county_code, seq, hash) VALUES (NEW.county_code, 0, ''::bytea)
      ON CONFLICT DO NOTHING;
    SELECT * INTO head FROM {{schema}}.audit_chain WHERE county_code = NEW.county_code FOR UPDATE;
  END IF;
  NEW.seq := head.seq + 1;
  NEW.prev_hash := head.hash;
  NEW.hash := sha256(head.hash || convert_to({{schema}}.audit_canonical_text(
                NEW.county_code, NEW.seq, NEW.id, NEW.at, NEW.subject, NEW.role, NEW.method, NEW.resource,
                NEW.request_id, NEW.before, NEW.after), 'UTF8'));
  UPDATE {{schema}}.audit_chain SET seq = NEW.seq, hash = NEW.hash WHERE county_code = NEW.county_code;
  RETURN NEW;
END $$;
