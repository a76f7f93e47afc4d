-- contest: the kind of the entrant's organisation (the contest's field) kept
-- with each entry, so that outcomes can be chosen among one field (model
-- villages among 嘎查村); 0 for entries made before it was kept. A
-- rectification target's instructor (派员指导) and deadline kept with the
-- outcome, so that a retried conversion assigns them as first asked.
ALTER TABLE {{schema}}.entries ADD COLUMN field smallint NOT NULL DEFAULT 0;
ALTER TABLE {{schema}}.outcomes ADD COLUMN instructor text NOT NULL DEFAULT '',
  ADD COLUMN rectification_deadline date;
