-- personnel: a good-secretary nomination can be withdrawn (open or confirmed,
-- e.g. after an objection during the public notice). It stays on record with
-- why, by whom and when; the cadre may be nominated again (the same row opens
-- anew, the audit trail keeping each step).
ALTER TABLE {{schema}}.nominations DROP CONSTRAINT nominations_status_check;
ALTER TABLE {{schema}}.nominations ADD CONSTRAINT nominations_status_check
  CHECK (status IN (1, 2, 3));
ALTER TABLE {{schema}}.nominations
  ADD COLUMN withdraw_reason text NOT NULL DEFAULT '',
  ADD COLUMN withdrawn_by    text NOT NULL DEFAULT '',
  ADD COLUMN withdraw_time   timestamptz;
