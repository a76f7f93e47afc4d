-- in_scope as 002_role_scopes.sql left it held a sub-select, and a SQL
-- function with a sub-select is never inlined: every statement that met a
-- row-level security policy (each read, and each insert's WITH CHECK) had
-- PostgreSQL parse and plan the function's body again, about half of a
-- point read's time in the server. The county role's bound prefix now comes
-- from role_prefix(), a PL/pgSQL function (its plan is kept for the
-- session), so in_scope and may_write are plain expressions the planner
-- inlines into each policy. Same meaning: a login role without a binding
-- gets NULL, and reaches nothing.
CREATE FUNCTION {{schema}}.role_prefix() RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT county_prefix FROM {{schema}}.role_scopes WHERE role_name = session_user);
END $$;

CREATE OR REPLACE FUNCTION {{schema}}.in_scope(county text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE current_setting('touyan.county_prefix', true)
           WHEN '*' THEN true
           WHEN '' THEN false
           ELSE starts_with(county, current_setting('touyan.county_prefix', true))
         END
     AND starts_with(county, {{schema}}.role_prefix())
$$;
