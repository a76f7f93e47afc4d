-- personnel: a village's cadres in key order from one index range, so that
-- listing a village (ListCadres with a 12-digit region_code) reads that
-- village's rows, not its county's or the province's.
CREATE INDEX cadres_village ON {{schema}}.cadres (county_code, region_code, id);
