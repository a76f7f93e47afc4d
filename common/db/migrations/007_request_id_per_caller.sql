-- A request_id is the caller's (AIP-155): two callers (two systems, two
-- operators) may each send "r1" and each gets its own answer; a retry is
-- recognised by the caller's subject and the id together.
ALTER TABLE {{schema}}.idempotency DROP CONSTRAINT idempotency_pkey;
ALTER TABLE {{schema}}.idempotency ADD PRIMARY KEY (subject, request_id);
