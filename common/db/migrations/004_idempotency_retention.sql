-- Stored answers are personal data too (a created cadre's answer holds the
-- cadre): each row is under row-level security like every county-keyed
-- table, keyed by the region prefix of the caller that made it ('' for a
-- caller of every region), and kept only as long as a retry can come: the
-- server purges rows older than --idempotency-retention (7 days by default)
-- in small batches (idempotency::Purge), which the app role may delete.
ALTER TABLE {{schema}}.idempotency ADD COLUMN county_prefix text COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX idempotency_created ON {{schema}}.idempotency (created_at);
SELECT {{schema}}.county_rls('{{schema}}.idempotency', 'county_prefix');
CREATE POLICY idempotency_delete ON {{schema}}.idempotency FOR DELETE
  USING ({{schema}}.may_write(county_prefix));
GRANT DELETE ON {{schema}}.idempotency TO {{app_role}};
