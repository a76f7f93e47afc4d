-- personnel: personal data sealed at rest, and one person one record.
--
-- Resident IDs and phone numbers are sealed by the service (AES-256-GCM,
-- common/crypto) into *_sealed; equality on a resident ID uses
-- resident_id_index, a keyed HMAC-SHA256. The plaintext columns stay only for
-- rows written before this release: the service seals them at start and
-- empties them (crypto::Reseal). Seeds and returnees keep the person as JSON
-- without those two fields.
ALTER TABLE {{schema}}.cadres ADD COLUMN resident_id_sealed bytea, ADD COLUMN resident_id_index bytea,
  ADD COLUMN phone_sealed bytea;
ALTER TABLE {{schema}}.cadres DROP CONSTRAINT cadres_county_code_resident_id_key;
ALTER TABLE {{schema}}.cadres DROP CONSTRAINT cadres_resident_id_check;
ALTER TABLE {{schema}}.cadres ALTER COLUMN resident_id DROP NOT NULL,
  ALTER COLUMN phone DROP NOT NULL, ALTER COLUMN phone DROP DEFAULT;
UPDATE {{schema}}.cadres SET phone = NULL WHERE phone = '';

ALTER TABLE {{schema}}.seeds ADD COLUMN resident_id_sealed bytea, ADD COLUMN resident_id_index bytea,
  ADD COLUMN phone_sealed bytea, ADD COLUMN phone text;
ALTER TABLE {{schema}}.returnees ADD COLUMN resident_id_sealed bytea, ADD COLUMN resident_id_index bytea,
  ADD COLUMN phone_sealed bytea, ADD COLUMN phone text;
ALTER TABLE {{schema}}.seeds DROP CONSTRAINT seeds_county_code_resident_id_key;
ALTER TABLE {{schema}}.returnees DROP CONSTRAINT returnees_county_code_resident_id_key;
ALTER TABLE {{schema}}.seeds ALTER COLUMN resident_id DROP NOT NULL;
ALTER TABLE {{schema}}.returnees ALTER COLUMN resident_id DROP NOT NULL;
UPDATE {{schema}}.seeds SET phone = NULLIF(person->>'phone', ''), person = person - 'resident_id' - 'phone';
UPDATE {{schema}}.returnees SET phone = NULLIF(person->>'phone', ''), person = person - 'resident_id' - 'phone';
CREATE UNIQUE INDEX seeds_one_person ON {{schema}}.seeds (county_code, resident_id_index);
CREATE UNIQUE INDEX returnees_one_person ON {{schema}}.returnees (county_code, resident_id_index);

-- One person, one record across the deployment: who holds each resident ID
-- (by its blind index). Keyed by the index alone, not by county, so that it
-- stays one lookup when the county-keyed tables are distributed by county.
-- A transfer moves the entry to the new record; the old one keeps its
-- history and points to the new (transferred_to).
CREATE TABLE {{schema}}.people (
  resident_id_index bytea PRIMARY KEY,
  county_code       text COLLATE "C" NOT NULL,
  cadre_id          bigint NOT NULL,
  since             timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE {{schema}}.people ENABLE ROW LEVEL SECURITY;
-- Every county may learn which county holds a resident ID (the refusal of
-- a second registration names it); only the holder's writers change it.
CREATE POLICY people_read ON {{schema}}.people FOR SELECT USING (true);
CREATE POLICY people_insert ON {{schema}}.people FOR INSERT WITH CHECK ({{schema}}.may_write(county_code));
CREATE POLICY people_update ON {{schema}}.people FOR UPDATE
  USING ({{schema}}.may_write(county_code)) WITH CHECK ({{schema}}.may_write(county_code));
GRANT SELECT, INSERT, UPDATE ON {{schema}}.people TO {{app_role}};

ALTER TABLE {{schema}}.cadres ADD COLUMN transferred_from text COLLATE "C",
  ADD COLUMN transferred_to text COLLATE "C";

-- Rows from before this release enter the registry when they are sealed
-- (their index set for the first time); a person registered twice before
-- keeps the first record found.
CREATE FUNCTION {{schema}}.register_sealed_cadre() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {{schema}}.people (resident_id_index, county_code, cadre_id)
    VALUES (NEW.resident_id_index, NEW.county_code, NEW.id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER cadres_register_sealed AFTER UPDATE OF resident_id_index ON {{schema}}.cadres
  FOR EACH ROW WHEN (OLD.resident_id_index IS NULL AND NEW.resident_id_index IS NOT NULL)
  EXECUTE FUNCTION {{schema}}.register_sealed_cadre();

-- A departed cadre (no current post, the last one ended longer ago than the
-- retention) is anonymised: identifying values removed, the values the
-- statistics count kept (birth date to its year); the person leaves the
-- registry and may be registered afresh.
ALTER TABLE {{schema}}.cadres ADD COLUMN anonymised_on date;
CREATE POLICY people_delete ON {{schema}}.people FOR DELETE USING ({{schema}}.may_write(county_code));
GRANT DELETE ON {{schema}}.people TO {{app_role}};
