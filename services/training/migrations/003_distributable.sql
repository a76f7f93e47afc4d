-- training: every unique key and every reference between county-keyed
-- tables includes county_code, so that the schema can be distributed by
-- county (db::DistributionProblems; deploy/README.md). Each change keeps
-- what the key meant: a quota's and an enrolment's county follow from their
-- village and person (CHECK county_code = substr(village_code/region_code)).

-- A person is enrolled once per class: the person key names the trainee's
-- county (a cadre id or a region), so adding it changes nothing.
ALTER TABLE {{schema}}.enrolments
  DROP CONSTRAINT enrolments_class_county_class_id_person_key_key,
  ADD CONSTRAINT enrolments_once_per_class UNIQUE (county_code, class_county, class_id, person_key);

-- A village has one quota per task; progress reports reference it with
-- their own (the village's) county.
ALTER TABLE {{schema}}.practice_progress
  DROP CONSTRAINT practice_progress_task_county_task_id_village_code_fkey;
ALTER TABLE {{schema}}.practice_quotas
  DROP CONSTRAINT practice_quotas_pkey,
  ADD PRIMARY KEY (county_code, task_county, task_id, village_code);
ALTER TABLE {{schema}}.practice_progress
  ADD CONSTRAINT practice_progress_quota_fkey FOREIGN KEY (county_code, task_county, task_id, village_code)
    REFERENCES {{schema}}.practice_quotas (county_code, task_county, task_id, village_code);
-- The task's quotas are still found by task.
CREATE INDEX practice_quotas_task ON {{schema}}.practice_quotas (task_county, task_id, village_code);
