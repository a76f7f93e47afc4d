-- County roles: a county's deployment logs in as a role of its own
-- (<app_role>_<county>, a member of the app role), bound here to the region
-- it may reach at most. Row-level security narrows the session's
-- touyan.county_prefix by it, so a county role that sets another county's
-- prefix, or '*', still sees and writes its own county only. Keyed by
-- session_user, which SET ROLE does not change. The table belongs to the
-- schema owner (the migration runner fills it: --county-roles); a login role
-- without a row reaches nothing.
CREATE TABLE {{schema}}.role_scopes (
  role_name     text PRIMARY KEY,
  county_prefix text NOT NULL CHECK (county_prefix ~ '^([0-9]{2}|[0-9]{4}|[0-9]{6})?$')
);
INSERT INTO {{schema}}.role_scopes VALUES ('{{app_role}}'::regrole::text, '');  -- the city's: every county
GRANT SELECT ON {{schema}}.role_scopes TO {{app_role}};

CREATE OR REPLACE FUNCTION {{schema}}.in_scope(county text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE current_setting('touyan.county_prefix', true)
           WHEN '*' THEN true
           WHEN '' THEN false
           ELSE starts_with(county, current_setting('touyan.county_prefix', true))
         END
     AND starts_with(county, (SELECT county_prefix FROM {{schema}}.role_scopes WHERE role_name = session_user))
$$;
