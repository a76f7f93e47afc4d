-- training: classes and their segments, enrolments and attendance, field
-- and expert visits, practice tasks with quotas and progress reports.
--
-- Keys: every row carries the county it belongs to. A class, field visit or
-- task belongs to its organising region's county ("150900" for the city);
-- an enrolment and its attendance to the trainee's county; a quota and a
-- progress report to the village's county. Cadre ids are personnel's
-- ("150902-42"), stored as text: this schema never joins personnel's tables.

-- A row of a region that contains the caller's whole scope: the city's
-- classes are visible to a county operator whose people attend them.
CREATE FUNCTION {{schema}}.above_scope(region_prefix text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('touyan.county_prefix', true), '') NOT IN ('', '*')
     AND starts_with(current_setting('touyan.county_prefix', true), region_prefix)
$$;
GRANT EXECUTE ON FUNCTION {{schema}}.above_scope(text) TO {{app_role}};

CREATE SEQUENCE {{schema}}.class_id_seq;
CREATE TABLE {{schema}}.classes (
  county_code   text COLLATE "C" NOT NULL,
  id            bigint NOT NULL DEFAULT nextval('{{schema}}.class_id_seq'),
  region_code   text COLLATE "C" NOT NULL CHECK (region_code ~ '^[0-9]{12}$'),
  region_prefix text COLLATE "C" NOT NULL,
  tier          smallint NOT NULL CHECK (tier BETWEEN 1 AND 3),
  title         text NOT NULL CHECK (title <> ''),
  theme         text NOT NULL CHECK (theme <> ''),
  year          int NOT NULL,
  formats       smallint[] NOT NULL,
  venue         text NOT NULL,
  venue_kind    smallint NOT NULL CHECK (venue_kind BETWEEN 1 AND 3),
  capacity      int NOT NULL CHECK (capacity > 0),
  enrolled      int NOT NULL DEFAULT 0 CHECK (enrolled >= 0 AND enrolled <= capacity),
  min_percent   int NOT NULL CHECK (min_percent BETWEEN 1 AND 100),
  lecturers     text[] NOT NULL DEFAULT '{}',
  create_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  CHECK (county_code = substr(region_code, 1, 6))
);
CREATE INDEX classes_region ON {{schema}}.classes (region_prefix, year, theme);

CREATE TABLE {{schema}}.class_segments (
  county_code text COLLATE "C" NOT NULL,
  class_id    bigint NOT NULL,
  number      int NOT NULL CHECK (number > 0),
  title       text NOT NULL,
  start_date  date NOT NULL,
  end_date    date NOT NULL CHECK (end_date >= start_date),
  PRIMARY KEY (county_code, class_id, number),
  FOREIGN KEY (county_code, class_id) REFERENCES {{schema}}.classes (county_code, id)
);

CREATE SEQUENCE {{schema}}.enrolment_id_seq;
CREATE TABLE {{schema}}.enrolments (
  county_code  text COLLATE "C" NOT NULL,  -- the trainee's
  id           bigint NOT NULL DEFAULT nextval('{{schema}}.enrolment_id_seq'),
  class_county text COLLATE "C" NOT NULL,
  class_id     bigint NOT NULL,
  kind         smallint NOT NULL CHECK (kind BETWEEN 1 AND 4),
  cadre_id     text COLLATE "C" NOT NULL DEFAULT '',
  -- One enrolment per person and class: "cadre:<id>" or "person:<region>:<name>".
  person_key   text COLLATE "C" NOT NULL,
  name         text NOT NULL CHECK (name <> ''),
  region_code  text COLLATE "C" NOT NULL,
  attended     int NOT NULL DEFAULT 0,
  recorded     int NOT NULL DEFAULT 0,
  completion   smallint NOT NULL DEFAULT 1 CHECK (completion BETWEEN 1 AND 3),
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  UNIQUE (class_county, class_id, person_key),
  FOREIGN KEY (class_county, class_id) REFERENCES {{schema}}.classes (county_code, id),
  CHECK (county_code = substr(region_code, 1, 6))
);
CREATE INDEX enrolments_class ON {{schema}}.enrolments (class_county, class_id, county_code, id);
CREATE INDEX enrolments_cadre ON {{schema}}.enrolments (county_code, cadre_id) WHERE cadre_id <> '';

CREATE TABLE {{schema}}.attendance (
  county_code  text COLLATE "C" NOT NULL,
  enrolment_id bigint NOT NULL,
  segment      int NOT NULL,
  status       smallint NOT NULL CHECK (status BETWEEN 1 AND 4),
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, enrolment_id, segment),
  FOREIGN KEY (county_code, enrolment_id) REFERENCES {{schema}}.enrolments (county_code, id)
);

-- Seats are counted on the class row, which a county operator enrolling
-- into the city's class may not update: this function, run as the schema
-- owner, takes `n` seats if they are free and returns whether it did.
CREATE FUNCTION {{schema}}.take_seats(class_county text, class_number bigint, n int)
RETURNS boolean LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
  WITH taken AS (
    UPDATE {{schema}}.classes SET enrolled = enrolled + n
     WHERE county_code = class_county AND id = class_number AND enrolled + n <= capacity
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM taken)
$$;
REVOKE ALL ON FUNCTION {{schema}}.take_seats(text, bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {{schema}}.take_seats(text, bigint, int) TO {{app_role}};

CREATE SEQUENCE {{schema}}.field_visit_id_seq;
CREATE TABLE {{schema}}.field_visits (
  county_code   text COLLATE "C" NOT NULL,
  id            bigint NOT NULL DEFAULT nextval('{{schema}}.field_visit_id_seq'),
  region_code   text COLLATE "C" NOT NULL,
  region_prefix text COLLATE "C" NOT NULL,
  title         text NOT NULL CHECK (title <> ''),
  destination   text COLLATE "C" NOT NULL,
  sites         text[] NOT NULL,
  visit_date    date NOT NULL,
  participants  text[] NOT NULL,
  class_id      text NOT NULL DEFAULT '',
  create_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  CHECK (county_code = substr(region_code, 1, 6))
);
CREATE INDEX field_visits_region ON {{schema}}.field_visits (region_prefix, visit_date);

CREATE SEQUENCE {{schema}}.expert_visit_id_seq;
CREATE TABLE {{schema}}.expert_visits (
  county_code  text COLLATE "C" NOT NULL,
  id           bigint NOT NULL DEFAULT nextval('{{schema}}.expert_visit_id_seq'),
  expert_name  text NOT NULL CHECK (expert_name <> ''),
  expert_kind  smallint NOT NULL CHECK (expert_kind BETWEEN 1 AND 3),
  expert_org   text NOT NULL,
  village_code text COLLATE "C" NOT NULL,
  visit_date   date NOT NULL,
  topic        smallint NOT NULL CHECK (topic BETWEEN 1 AND 3),
  subject      text NOT NULL,
  secretaries  text[] NOT NULL,
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  CHECK (county_code = substr(village_code, 1, 6))
);
CREATE INDEX expert_visits_village ON {{schema}}.expert_visits (village_code, visit_date);

CREATE SEQUENCE {{schema}}.task_id_seq;
CREATE TABLE {{schema}}.practice_tasks (
  county_code   text COLLATE "C" NOT NULL,
  id            bigint NOT NULL DEFAULT nextval('{{schema}}.task_id_seq'),
  region_code   text COLLATE "C" NOT NULL,
  region_prefix text COLLATE "C" NOT NULL,
  title         text NOT NULL CHECK (title <> ''),
  description   text NOT NULL,
  year          int NOT NULL,
  unit          text NOT NULL,
  due_date      date,
  status        smallint NOT NULL CHECK (status BETWEEN 1 AND 3),
  supersedes    text NOT NULL DEFAULT '',
  superseded_by text NOT NULL DEFAULT '',
  publish_time  timestamptz,
  create_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  CHECK (county_code = substr(region_code, 1, 6)),
  CHECK ((status = 1) = (publish_time IS NULL))
);
CREATE INDEX practice_tasks_region ON {{schema}}.practice_tasks (region_prefix, year);
CREATE INDEX practice_tasks_public ON {{schema}}.practice_tasks (year, county_code, id) WHERE status <> 1;

CREATE TABLE {{schema}}.practice_quotas (
  task_county  text COLLATE "C" NOT NULL,
  task_id      bigint NOT NULL,
  village_code text COLLATE "C" NOT NULL,
  county_code  text COLLATE "C" NOT NULL,
  quantity     bigint NOT NULL CHECK (quantity > 0),
  responsible  text NOT NULL CHECK (responsible <> ''),
  responsible_cadre text NOT NULL DEFAULT '',
  published    boolean NOT NULL DEFAULT false,
  PRIMARY KEY (task_county, task_id, village_code),
  FOREIGN KEY (task_county, task_id) REFERENCES {{schema}}.practice_tasks (county_code, id),
  CHECK (county_code = substr(village_code, 1, 6))
);

CREATE SEQUENCE {{schema}}.progress_id_seq;
CREATE TABLE {{schema}}.practice_progress (
  county_code  text COLLATE "C" NOT NULL,  -- the village's
  id           bigint NOT NULL DEFAULT nextval('{{schema}}.progress_id_seq'),
  task_county  text COLLATE "C" NOT NULL,
  task_id      bigint NOT NULL,
  village_code text COLLATE "C" NOT NULL,
  completed    bigint NOT NULL CHECK (completed >= 0),
  report_date  date NOT NULL,
  note         text NOT NULL,
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (task_county, task_id, village_code)
    REFERENCES {{schema}}.practice_quotas (task_county, task_id, village_code)
);
CREATE INDEX practice_progress_task ON {{schema}}.practice_progress
  (task_county, task_id, village_code, report_date DESC, id DESC);

-- Row-level security. Rows of a region above the caller's scope (the city's
-- classes and visits) are readable; published tasks, their quotas and their
-- progress are readable by everyone (the public board).
SELECT {{schema}}.county_rls('{{schema}}.enrolments');
SELECT {{schema}}.county_rls('{{schema}}.attendance');
SELECT {{schema}}.county_rls('{{schema}}.expert_visits');

ALTER TABLE {{schema}}.classes ENABLE ROW LEVEL SECURITY;
CREATE POLICY classes_read ON {{schema}}.classes FOR SELECT
  USING ({{schema}}.in_scope(county_code) OR {{schema}}.above_scope(region_prefix));
CREATE POLICY classes_insert ON {{schema}}.classes FOR INSERT WITH CHECK ({{schema}}.may_write(county_code));
ALTER TABLE {{schema}}.class_segments ENABLE ROW LEVEL SECURITY;
CREATE POLICY class_segments_read ON {{schema}}.class_segments FOR SELECT USING (EXISTS (
  SELECT 1 FROM {{schema}}.classes c WHERE c.county_code = class_segments.county_code
     AND c.id = class_segments.class_id));
CREATE POLICY class_segments_insert ON {{schema}}.class_segments FOR INSERT
  WITH CHECK ({{schema}}.may_write(county_code));

ALTER TABLE {{schema}}.field_visits ENABLE ROW LEVEL SECURITY;
CREATE POLICY field_visits_read ON {{schema}}.field_visits FOR SELECT
  USING ({{schema}}.in_scope(county_code) OR {{schema}}.above_scope(region_prefix));
CREATE POLICY field_visits_insert ON {{schema}}.field_visits FOR INSERT
  WITH CHECK ({{schema}}.may_write(county_code));

ALTER TABLE {{schema}}.practice_tasks ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_tasks_read ON {{schema}}.practice_tasks FOR SELECT
  USING ({{schema}}.in_scope(county_code) OR status <> 1);
CREATE POLICY practice_tasks_insert ON {{schema}}.practice_tasks FOR INSERT
  WITH CHECK ({{schema}}.may_write(county_code));
CREATE POLICY practice_tasks_update ON {{schema}}.practice_tasks FOR UPDATE
  USING ({{schema}}.may_write(county_code)) WITH CHECK ({{schema}}.may_write(county_code));

ALTER TABLE {{schema}}.practice_quotas ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_quotas_read ON {{schema}}.practice_quotas FOR SELECT
  USING ({{schema}}.in_scope(task_county) OR published);
CREATE POLICY practice_quotas_insert ON {{schema}}.practice_quotas FOR INSERT
  WITH CHECK ({{schema}}.may_write(task_county));
CREATE POLICY practice_quotas_update ON {{schema}}.practice_quotas FOR UPDATE
  USING ({{schema}}.may_write(task_county)) WITH CHECK ({{schema}}.may_write(task_county));
CREATE POLICY practice_quotas_delete ON {{schema}}.practice_quotas FOR DELETE
  USING ({{schema}}.may_write(task_county) AND NOT published);

ALTER TABLE {{schema}}.practice_progress ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_progress_read ON {{schema}}.practice_progress FOR SELECT USING (true);
CREATE POLICY practice_progress_insert ON {{schema}}.practice_progress FOR INSERT
  WITH CHECK ({{schema}}.may_write(county_code));

GRANT SELECT, INSERT, UPDATE ON {{schema}}.classes, {{schema}}.class_segments,
  {{schema}}.enrolments, {{schema}}.attendance, {{schema}}.field_visits,
  {{schema}}.expert_visits, {{schema}}.practice_tasks, {{schema}}.practice_quotas,
  {{schema}}.practice_progress TO {{app_role}};
GRANT DELETE ON {{schema}}.practice_quotas TO {{app_role}};
GRANT USAGE ON SEQUENCE {{schema}}.class_id_seq, {{schema}}.enrolment_id_seq,
  {{schema}}.field_visit_id_seq, {{schema}}.expert_visit_id_seq, {{schema}}.task_id_seq,
  {{schema}}.progress_id_seq TO {{app_role}};
