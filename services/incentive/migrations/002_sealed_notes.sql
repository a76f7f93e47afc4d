-- incentive: counselling notes sealed at rest (AES-256-GCM in the service,
-- common/crypto) in restricted_sealed. The plaintext column stays only for
-- rows written before this release: the service seals them at start and
-- empties them (crypto::Reseal).
ALTER TABLE {{schema}}.records ADD COLUMN restricted_sealed bytea;
ALTER TABLE {{schema}}.records ALTER COLUMN restricted DROP NOT NULL, ALTER COLUMN restricted DROP DEFAULT;
UPDATE {{schema}}.records SET restricted = NULL WHERE restricted = '';
