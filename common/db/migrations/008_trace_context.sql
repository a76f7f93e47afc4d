-- The W3C trace id of the call that wrote each audit and access row
-- (common/log/trace.h), so one request can be followed from the logs of the
-- four services to the rows it left. NULL for rows written before, or by
-- maintenance outside any call. Not part of the chained canonical text
-- (audit_canonical): rows chained before it stay verifiable.
ALTER TABLE {{schema}}.audit_log ADD COLUMN trace_id text;
ALTER TABLE {{schema}}.access_log ADD COLUMN trace_id text;
