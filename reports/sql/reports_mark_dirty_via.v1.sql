-- A fact's rows can change place without being written themselves: a station moved to
-- another community carries its check-ins with it, a worker moved to another community
-- carries their points. This trigger sits on each table on the way from a fact's rows to
-- their area (reports/triggers.py installs it) and, when the column that leads onwards
-- changes, marks the buckets of every row that reaches the area through the changed rows:
-- where they counted before (following the old value) and where they count now.
--
-- A statement-level AFTER UPDATE trigger with transition tables old_rows and new_rows:
--   TG_ARGV[0]  the source, "app_label.modelname" (whose buckets are marked)
--   TG_ARGV[1]  the column of this table that leads towards the area ("area_id")
--   TG_ARGV[2]  joins from the changed row (alias x: x.id, x.onward) back to the
--               source's rows (alias r)
--   TG_ARGV[3]  joins from x.onward forward to the area (alias a)
--   TG_ARGV[4]  the (day, is_state) VALUES list over r, as in reports_mark_dirty
CREATE OR REPLACE FUNCTION reports_mark_dirty_via()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    side text;
BEGIN
    FOREACH side IN ARRAY ARRAY['o', 'n'] LOOP
        EXECUTE format(
            'INSERT INTO reports_dirtybucket (source, district_code, area_id, day, marked_at)
             SELECT DISTINCT %L, reports_district_code(a.code, a.level), a.id, d.day, now()
               FROM (SELECT n.id, %I.%I AS onward
                       FROM old_rows o JOIN new_rows n ON n.id = o.id
                      WHERE o.%I IS DISTINCT FROM n.%I) AS x
               %s %s
              CROSS JOIN LATERAL (VALUES %s) AS d(day, is_state)
              WHERE d.day IS NOT NULL OR d.is_state',
            TG_ARGV[0], side, TG_ARGV[1], TG_ARGV[1], TG_ARGV[1],
            TG_ARGV[2], TG_ARGV[3], TG_ARGV[4]
        );
    END LOOP;
    RETURN NULL;
END
$$;
