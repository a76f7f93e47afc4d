-- The plans of the statements the services ran, as they run them: each
-- statement pg_stat_statements saw under a service's login role is prepared
-- again as that role (row-level security applies), with the service's
-- search_path and a county's prefix, and explained as a generic plan
-- (plan_cache_mode = force_generic_plan, what every service transaction
-- uses). A statement is bounded when no node of its plan reads more than
-- :limit rows: no sequential scan of a larger table, no index scan without a
-- condition on one, no scan estimated above the limit. At 490,000 villages a
-- county holds a few hundred villages, so a node over the limit reads the
-- province (or a city), not the county.
--
-- psql -q -v limit=10000 -f bench/plans.sql (as a superuser, after a run with
-- pg_stat_statements loaded and pg_stat_statements.track = all). Prints one
-- line per statement that is not bounded or could not be explained, then a
-- summary line: N bounded, N unbounded, N not explained.
\set ON_ERROR_STOP on
SELECT set_config('plan_check.limit', :'limit', false) \gset
CREATE TEMP TABLE plan_check (
  role_name text, calls bigint, query text, verdict text, detail text);

DO $check$
DECLARE
  stmts jsonb;
  staging jsonb;
  s jsonb;
  d jsonb;
  found jsonb := '[]';
  plan jsonb;
  node jsonb;
  nparams int;
  args text;
  worst text;
  rows_read double precision;
  i int := 0;
  q text;
  untyped text;
  types text[];
  lim constant double precision := current_setting('plan_check.limit');
BEGIN
  -- One entry a statement: a statement on a temporary table is a new entry
  -- of pg_stat_statements each time the table is made again (a new oid).
  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'role', rolname, 'schema', nspname, 'calls', calls, 'query', query)), '[]')
    INTO stmts
    FROM (SELECT r.rolname, n.nspname, sum(st.calls) AS calls, st.query
    FROM pg_stat_statements st
    JOIN pg_roles r ON r.oid = st.userid
    JOIN pg_namespace n ON n.nspname = regexp_replace(r.rolname, '_app$', '')
   -- The owner roles' statements are migrations and maintenance, and the
   -- bodies of triggers (NEW.x, transition tables) that cannot be prepared alone.
   WHERE r.rolname ~ '_app$'
     AND st.query ~* '^\s*(PREPARE\s+\S+(\s*\([^)]*\))?\s+AS\s+)?(WITH|SELECT|INSERT|UPDATE|DELETE)\M'
     -- The scope set per transaction is not a statement about the data.
     AND st.query !~ 'set_config\(''touyan\.'
   GROUP BY r.rolname, n.nspname, st.query) AS grouped;
  -- The temporary tables the services stage imports in (CREATE TEMP TABLE,
  -- seen as utility statements): made again, empty, as their role, so the
  -- statements that read them are explained. An empty table that was never
  -- analysed is planned as a few pages (hundreds of rows, about a county's
  -- stream); what the check judges is how those rows reach the permanent
  -- tables (an index a row, or a scan of the province).
  SELECT coalesce(jsonb_agg(DISTINCT jsonb_build_object('role', r.rolname, 'ddl',
           regexp_replace(regexp_replace(st.query, '\s*ON\s+COMMIT\s+DROP\s*;?\s*$', '', 'i'),
                          '^\s*CREATE\s+TEMP(ORARY)?\s+TABLE\s+', 'CREATE TEMP TABLE IF NOT EXISTS ',
                          'i'))), '[]')
    INTO staging
    FROM pg_stat_statements st
    JOIN pg_roles r ON r.oid = st.userid
   WHERE r.rolname ~ '_app$' AND st.query ~* '^\s*CREATE\s+TEMP(ORARY)?\s+TABLE\M';
  SET LOCAL client_min_messages = warning;  -- not "already exists, skipping"
  FOR s IN SELECT * FROM jsonb_array_elements(stmts) LOOP
    i := i + 1;
    BEGIN
      EXECUTE format('SET LOCAL ROLE %I', s->>'role');
      PERFORM set_config('search_path', quote_ident(s->>'schema'), true),
              set_config('touyan.county_prefix', '150921', true),
              set_config('touyan.writable', 'on', true),
              set_config('plan_cache_mode', 'force_generic_plan', true);
      FOR d IN SELECT * FROM jsonb_array_elements(staging) LOOP
        IF d->>'role' = s->>'role' THEN EXECUTE d->>'ddl'; END IF;
      END LOOP;
      SELECT coalesce(max(m[1]::int), 0) INTO nparams
        FROM regexp_matches(s->>'query', '\$([0-9]+)', 'g') AS m;
      SELECT string_agg('NULL', ',') INTO args FROM generate_series(1, nparams);
      -- A statement prepared in SQL (PREPARE name(types) AS ...) keeps its types.
      IF s->>'query' ~* '^\s*PREPARE\M' THEN
        q := regexp_replace(s->>'query', '^\s*PREPARE\s+[^\s(]+', '', 'i');
        types := NULL;
      ELSE
        -- pg_stat_statements shows extract(epoch FROM x) as extract($n FROM x):
        -- date_part($n::text, x) is the same plan, and keeps $n. An optional
        -- filter ($a = 0 OR col = $a) is shown as ($a = $b OR col = $a), two
        -- parameters of unknown type that Postgres would take as text: it is
        -- prepared as ($b::text IS NULL OR col = $a), the same plan (neither
        -- side is known when a generic plan is made), $a typed by its column.
        q := ' AS ' || regexp_replace(
               regexp_replace(s->>'query', 'extract\((\$[0-9]+) FROM ([^)]*)\)',
                              'date_part(\1::text, \2)', 'g'),
               '\((\$[0-9]+) = (\$[0-9]+) OR ', '(\2::text IS NULL OR ', 'g');
        types := array_fill('unknown'::text, ARRAY[nparams]);
      END IF;
      -- A parameter whose type nothing around it gives ("could not determine
      -- data type of parameter $n") is declared text, one after another.
      FOR attempt IN 1..nparams + 1 LOOP
        BEGIN
          EXECUTE format('PREPARE plan_check_%s%s%s', i,
                         CASE WHEN nparams > 0 AND types IS NOT NULL
                              THEN '(' || array_to_string(types, ',') || ')' ELSE '' END, q);
          EXIT;
        EXCEPTION WHEN indeterminate_datatype THEN
          untyped := substring(SQLERRM FROM 'parameter \$([0-9]+)');
          IF untyped IS NULL OR types IS NULL OR attempt > nparams THEN RAISE; END IF;
          types[untyped::int] := 'text';
        END;
      END LOOP;
      EXECUTE format('EXPLAIN (FORMAT JSON, VERBOSE) EXECUTE plan_check_%s%s', i,
                     CASE WHEN nparams > 0 THEN '(' || args || ')' ELSE '' END)
        INTO plan;
      RESET ROLE;
      worst := NULL;
      FOR node IN SELECT * FROM jsonb_path_query(plan, 'strict $.**') AS j
                   WHERE jsonb_typeof(j) = 'object' AND j ? 'Node Type' LOOP
        IF node ? 'Relation Name' AND node->>'Node Type' IN ('Seq Scan', 'Index Scan',
              'Index Only Scan') AND NOT node ? 'Index Cond' THEN
          SELECT c.reltuples INTO rows_read FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relname = node->>'Relation Name' AND n.nspname = node->>'Schema';
          IF coalesce(rows_read, 0) > lim THEN
            worst := format('%s on %s.%s reads all %s rows', node->>'Node Type',
                            node->>'Schema', node->>'Relation Name', rows_read::bigint);
          END IF;
        ELSIF (node->>'Plan Rows')::double precision > lim AND node->>'Node Type' ~ 'Scan' THEN
          worst := format('%s on %s estimated at %s rows', node->>'Node Type',
                          coalesce(node->>'Relation Name', node->>'Index Name', '?'),
                          node->>'Plan Rows');
        END IF;
      END LOOP;
      found := found || jsonb_build_object('role', s->'role', 'calls', s->'calls',
        'query', s->'query', 'verdict', CASE WHEN worst IS NULL THEN 'bounded' ELSE 'UNBOUNDED' END,
        'detail', worst);
    EXCEPTION WHEN OTHERS THEN
      found := found || jsonb_build_object('role', s->'role', 'calls', s->'calls',
        'query', s->'query', 'verdict', 'not explained', 'detail', SQLERRM);
    END;
  END LOOP;
  INSERT INTO plan_check
    SELECT f->>'role', (f->>'calls')::bigint, f->>'query', f->>'verdict', f->>'detail'
      FROM jsonb_array_elements(found) AS f;
END $check$;
DEALLOCATE ALL;

\pset footer off
SELECT role_name AS role, calls, detail, left(regexp_replace(query, '\s+', ' ', 'g'), 160) AS statement
  FROM plan_check WHERE verdict = 'UNBOUNDED' ORDER BY calls DESC;
-- Statements that could not be prepared again alone (a temporary table no
-- CREATE TEMP TABLE of the role's was seen for, a constant
-- pg_stat_statements made a parameter of unknown type), by reason.
SELECT count(*) AS not_explained, sum(calls) AS calls, detail AS reason,
       left(regexp_replace(min(query), '\s+', ' ', 'g'), 100) AS example
  FROM plan_check WHERE verdict = 'not explained' GROUP BY detail ORDER BY 1 DESC;
SELECT count(*) FILTER (WHERE verdict = 'bounded') AS bounded,
       count(*) FILTER (WHERE verdict = 'UNBOUNDED') AS unbounded,
       count(*) FILTER (WHERE verdict = 'not explained') AS not_explained
  FROM plan_check \gset
\echo :bounded bounded, :unbounded unbounded, :not_explained not explained
