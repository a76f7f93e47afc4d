-- incentive: the care award's amount per budget (a city's or county's, per
-- year); 0 = the source's 10,000 yuan.
ALTER TABLE {{schema}}.budgets ADD COLUMN award_fen bigint NOT NULL DEFAULT 0 CHECK (award_fen >= 0);
