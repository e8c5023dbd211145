-- A write marks the figures it changes as dirty, in the writer's own transaction
-- (issue 13: whatever path wrote it — the ORM, the check-in SQL function, COPY imports,
-- bulk updates), so the rollup job recomputes them and nothing is lost when Redis is down.
--
-- A statement-level AFTER trigger on a fact's own table, with its changed rows as the
-- transition tables new_rows (INSERT, UPDATE) and old_rows (UPDATE, DELETE): an update
-- marks where the rows counted before and where they count now. Only the finest bucket is
-- marked — the source table, the row's area, the row's local day — and the job derives
-- every station, every level of the tree and every period from it.
--
-- reports/triggers.py writes the arguments from the facts the apps describe:
--   TG_ARGV[0]  the source, "app_label.modelname"
--   TG_ARGV[1]  joins from the changed row (alias r) to its area (alias a)
--   TG_ARGV[2]  a VALUES list of (day, is_state) pairs over r: the local day of each date
--               the source's facts count by, and (NULL, true) when a fact counts the rows
--               as they are now (a state, dated by the job)
CREATE OR REPLACE FUNCTION reports_mark_dirty()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    changed text;
BEGIN
    FOREACH changed IN ARRAY CASE TG_OP
        WHEN 'INSERT' THEN ARRAY['new_rows']
        WHEN 'DELETE' THEN ARRAY['old_rows']
        ELSE ARRAY['old_rows', 'new_rows']
    END LOOP
        EXECUTE format(
            'INSERT INTO reports_dirtybucket (source, district_code, area_id, day, marked_at)
             SELECT DISTINCT %L, reports_district_code(a.code, a.level), a.id, d.day, now()
               FROM %I r %s
              CROSS JOIN LATERAL (VALUES %s) AS d(day, is_state)
              WHERE d.day IS NOT NULL OR d.is_state',
            TG_ARGV[0], changed, TG_ARGV[1], TG_ARGV[2]
        );
    END LOOP;
    RETURN NULL;
END
$$;
