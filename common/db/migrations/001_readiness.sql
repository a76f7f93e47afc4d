-- Readiness: the service role reads which migrations its schema has, so that
-- a binary newer than its schema reports NOT_SERVING until they are applied.
GRANT SELECT ON {{schema}}.schema_migrations TO {{app_role}};
