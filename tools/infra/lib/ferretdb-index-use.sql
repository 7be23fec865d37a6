SET client_min_messages = warning;

-- What FerretDB 1.x's PostgreSQL backend needs for its filters to use indexes at all.
--
-- 1. Companion GIN indexes.
-- FerretDB pushes an equality filter down as `_jsonb->'field' @> '"value"'` (also for `_id`), but
-- builds each index as a btree on `(_jsonb->'field')`, and a btree cannot answer `@>`. So every
-- find, update and delete with a filter read the whole table: findOne by `_id` took 11 ms at 20,000
-- documents and grew with the table. A GIN index on the same expression answers `@>` (1.6 ms at
-- 20,000, flat). This event trigger gives every single-field index FerretDB creates such a
-- companion. Without fastupdate: its pending list, which every search reads through, grew under
-- a steady insert rate until an `_id` lookup took 6 ms. FerretDB keeps its own list of indexes, so it neither sees nor drops them; dropping
-- the collection's table drops them with it. Uniqueness stays with FerretDB's btree indexes.
--
-- 2. Custom plans. FerretDB's statements are prepared with the field name as a parameter
-- (`_jsonb->$1 @> $2`). After five runs PostgreSQL may keep a generic plan, chosen while the
-- table was small, that cannot match any index expression: a seq scan again, 6-9 ms per `_id`
-- lookup in bench:sync, 0.04 ms with custom plans.
--
-- Idempotent: run at every start of the test infrastructure.

CREATE OR REPLACE FUNCTION pushsync_gin_companions() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  created record;
  field text;
BEGIN
  FOR created IN
    SELECT i.indexrelid, i.indrelid, i.indnkeyatts
    FROM pg_event_trigger_ddl_commands() c
    JOIN pg_index i ON i.indexrelid = c.objid
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_am am ON am.oid = ic.relam
    WHERE c.command_tag = 'CREATE INDEX' AND am.amname = 'btree'
  LOOP
    FOR k IN 1..created.indnkeyatts LOOP
      field := (regexp_match(pg_get_indexdef(created.indexrelid, k, true), '^\(?_jsonb -> ''([^'']+)''::text\)?$'))[1];
      CONTINUE WHEN field IS NULL;
      EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L)) WITH (fastupdate = off)',
        'gin_' || md5(created.indrelid::text || '/' || field), created.indrelid::regclass, field);
    END LOOP;
  END LOOP;
END
$$;

ALTER DATABASE postgres SET plan_cache_mode = force_custom_plan;

DROP EVENT TRIGGER IF EXISTS pushsync_gin_companions;
CREATE EVENT TRIGGER pushsync_gin_companions ON ddl_command_end
  WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION pushsync_gin_companions();
