-- training: corrections, never deletions. A class can be cancelled before it
-- begins (it stays on record with the reason; its enrolments say so) and a
-- segment rescheduled; both change the class row, whose version is the
-- class's etag.
ALTER TABLE {{schema}}.classes
  ADD COLUMN state         smallint NOT NULL DEFAULT 1 CHECK (state IN (1, 2)),
  ADD COLUMN cancel_reason text NOT NULL DEFAULT '',
  ADD COLUMN cancelled_by  text NOT NULL DEFAULT '',
  ADD COLUMN cancel_time   timestamptz;
ALTER TABLE {{schema}}.enrolments
  ADD COLUMN class_cancelled boolean NOT NULL DEFAULT false;

CREATE POLICY classes_update ON {{schema}}.classes FOR UPDATE
  USING ({{schema}}.may_write(county_code)) WITH CHECK ({{schema}}.may_write(county_code));
CREATE POLICY class_segments_update ON {{schema}}.class_segments FOR UPDATE
  USING ({{schema}}.may_write(county_code)) WITH CHECK ({{schema}}.may_write(county_code));
ALTER TABLE {{schema}}.class_segments
  ADD COLUMN reschedule_reason text NOT NULL DEFAULT '';

-- A cancelled class takes no more seats.
CREATE OR REPLACE FUNCTION {{schema}}.take_seats(class_county text, class_number bigint, n int)
RETURNS boolean LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
  WITH taken AS (
    UPDATE {{schema}}.classes SET enrolled = enrolled + n
     WHERE county_code = class_county AND id = class_number AND enrolled + n <= capacity
       AND state = 1
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM taken)
$$;
