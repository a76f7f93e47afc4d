-- incentive: a paid award can be reversed (冲销) — never deleted. The award
-- row keeps its payment and gains the reversal (why, by whom, when); the
-- ledger shows the reversal beside the payment and the budget gets the
-- amount back.
ALTER TABLE {{schema}}.awards
  ADD COLUMN reverse_reason text NOT NULL DEFAULT '',
  ADD COLUMN reversed_by    text NOT NULL DEFAULT '',
  ADD COLUMN reverse_time   timestamptz;
