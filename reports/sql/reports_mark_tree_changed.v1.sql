-- Any write to the area tree marks it changed (one row, source 'areas.area'): the job
-- then rebuilds the ancestry table and recomputes the units whose areas moved, so a
-- renamed, moved or split area keeps its history and its new ancestors count it.
CREATE OR REPLACE FUNCTION reports_mark_tree_changed()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO reports_dirtybucket (source, district_code, area_id, day, marked_at)
    VALUES ('areas.area', '', 0, NULL, now());
    RETURN NULL;
END
$$;
