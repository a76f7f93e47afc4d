-- personnel: a good secretary's facts as they stood at confirmation.
--
-- The care award goes "评选当年" to the secretary or to the village Party
-- organisation where they were secretary, by their establishment status: the
-- facts of the selection, not of the day the award is paid. Confirmation
-- keeps both; NULL until confirmed (and confirmed_party_org NULL when the
-- cadre held no secretary post then).
ALTER TABLE {{schema}}.nominations ADD COLUMN confirmed_establishment smallint,
  ADD COLUMN confirmed_party_org bigint;

-- Confirmations made before this release: the facts as they are now.
UPDATE {{schema}}.nominations n SET confirmed_establishment = c.establishment,
  confirmed_party_org = (SELECT p.party_org_id FROM {{schema}}.positions p
                         WHERE p.county_code = n.county_code AND p.cadre_id = n.cadre_id
                           AND p.ended_on IS NULL AND p.kind IN (1, 3) LIMIT 1)
FROM {{schema}}.cadres c
WHERE n.status = 2 AND c.county_code = n.county_code AND c.id = n.cadre_id;
