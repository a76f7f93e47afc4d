-- incentive: what an assessment leads to (issue 19).
-- The city's policies of a year, one kind each: the promotion channels'
-- conditions ('promotion') and the consequences of the assessment
-- ('consequence'); versioned as before.
ALTER TABLE {{schema}}.promotion_policies RENAME TO policies;
ALTER TABLE {{schema}}.policies ADD COLUMN kind text COLLATE "C" NOT NULL DEFAULT 'promotion'
  CHECK (kind IN ('promotion', 'consequence'));
ALTER TABLE {{schema}}.policies DROP CONSTRAINT promotion_policies_pkey;
ALTER TABLE {{schema}}.policies ADD PRIMARY KEY (county_code, year, kind, version);

-- Proposals are records of kind 9; a cadre has at most one live (not
-- withdrawn) proposal of a kind for a year.
ALTER TABLE {{schema}}.records DROP CONSTRAINT records_kind_check;
ALTER TABLE {{schema}}.records ADD CONSTRAINT records_kind_check CHECK (kind BETWEEN 1 AND 9);
CREATE UNIQUE INDEX records_live_proposal ON {{schema}}.records
  (county_code, cadre_id, year, (body->>'kind'))
  WHERE kind = 9 AND body->>'state' <> 'PROPOSAL_STATE_WITHDRAWN';

-- The dissatisfied rule's threshold an evaluation was tallied with.
ALTER TABLE {{schema}}.evaluations ADD COLUMN fail_percent int NOT NULL DEFAULT 50;
