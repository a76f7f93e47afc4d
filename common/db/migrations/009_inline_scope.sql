-- Row-level security at the cost of an expression, not a query, per row.
--
-- in_scope as 002_role_scopes.sql left it held a sub-select, and a SQL
-- function with a sub-select is never inlined: every statement that met a
-- policy had PostgreSQL parse and plan the function's body again, and every
-- row it checked ran that body (about 15 µs a row: most of a point read's
-- time in the server, and most of a bulk import's).
--
-- Now the county role's bound prefix is looked up once per statement: the
-- policies call in_scope(county, bound) and may_write(county, bound) with
-- bound = (SELECT role_prefix()), an uncorrelated sub-select PostgreSQL runs
-- once (an InitPlan), and both functions are plain expressions it inlines.
-- bind_scope_policies() rewrites every policy of the schema that still calls
-- the one-argument forms; the migration runner calls it after each run, so
-- the policies of later migrations are bound too. Same meaning: a login role
-- without a binding gets NULL, and reaches nothing.
CREATE FUNCTION {{schema}}.role_prefix() RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT county_prefix FROM {{schema}}.role_scopes WHERE role_name = session_user);
END $$;

CREATE FUNCTION {{schema}}.in_scope(county text, bound text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE current_setting('touyan.county_prefix', true)
           WHEN '*' THEN true
           WHEN '' THEN false
           ELSE starts_with(county, current_setting('touyan.county_prefix', true))
         END
     AND starts_with(county, bound)
$$;

CREATE FUNCTION {{schema}}.may_write(county text, bound text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT {{schema}}.in_scope(county, bound) AND current_setting('touyan.writable', true) = 'on'
$$;
GRANT EXECUTE ON FUNCTION {{schema}}.role_prefix(), {{schema}}.in_scope(text, text),
  {{schema}}.may_write(text, text) TO {{app_role}};

-- The one-argument forms stay for policies not yet bound (and keep their
-- meaning), now inlinable too.
CREATE OR REPLACE FUNCTION {{schema}}.in_scope(county text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT {{schema}}.in_scope(county, {{schema}}.role_prefix())
$$;

-- Rewrites in_scope(col) and may_write(col) in the schema's policies to
-- pass the bound prefix; returns how many policies changed.
CREATE FUNCTION {{schema}}.bind_scope_policies() RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  p record;
  pattern constant text := '([a-z_]+\.)?(in_scope|may_write)\(([a-z_]+)\)';
  bound constant text := '{{schema}}.\2(\3, (SELECT {{schema}}.role_prefix()))';
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
    qual := regexp_replace(p.qual, pattern, bound, 'g');
    chk := regexp_replace(p.chk, pattern, bound, 'g');
    CONTINUE WHEN qual IS NOT DISTINCT FROM p.qual AND chk IS NOT DISTINCT FROM p.chk;
    EXECUTE format('ALTER POLICY %I ON {{schema}}.%I', p.polname, p.relname)
      || coalesce(' USING (' || qual || ')', '') || coalesce(' WITH CHECK (' || chk || ')', '');
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION {{schema}}.bind_scope_policies() FROM PUBLIC;
