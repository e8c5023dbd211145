-- Where a place lies (feedback.services.routing.place_area calls it): at a station, the
-- station's community; at a point, the community whose boundary holds it (on the edge of
-- two, the lower code), else the nearest station not closed within p_nearest_m metres, else
-- the finest street or district boundary that holds it; with neither, the reporter's own
-- area. The answer is the area with its parent and grandparent (their ids, codes, levels
-- and names: the category's unit and the district are found among them) and the rule that
-- found it, or no row when the place is outside every area. One round trip instead of four:
-- every report is routed (issue 16's benchmark, BENCHMARKS.md).
CREATE OR REPLACE FUNCTION feedback_route(
    p_lng double precision, p_lat double precision, p_station bigint, p_reporter_area bigint,
    p_nearest_m integer, p_closed_status varchar
) RETURNS TABLE (
    rule varchar,
    area_id bigint, area_code varchar, area_level varchar, area_name varchar,
    parent_id bigint, parent_code varchar, parent_level varchar, parent_name varchar,
    grand_id bigint, grand_code varchar, grand_level varchar, grand_name varchar
)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    found_rule varchar;
    found_area bigint;
    here geometry;
BEGIN
    IF p_station IS NOT NULL THEN
        SELECT 'station', s.area_id INTO found_rule, found_area
          FROM stations_station s WHERE s.id = p_station;
    ELSIF p_lng IS NOT NULL AND p_lat IS NOT NULL THEN
        here := ST_SetSRID(ST_MakePoint(p_lng, p_lat), 4326);
        SELECT 'boundary', a.id INTO found_rule, found_area
          FROM areas_area a
         WHERE a.level = 'community' AND ST_Intersects(a.boundary, here)
         ORDER BY a.code LIMIT 1;
        IF found_area IS NULL THEN
            SELECT 'nearest', s.area_id INTO found_rule, found_area
              FROM stations_station s
             WHERE s.status <> p_closed_status
               AND ST_DWithin(s.location, here::geography, p_nearest_m)
             ORDER BY s.location <-> here::geography, s.id LIMIT 1;
        END IF;
        IF found_area IS NULL THEN
            SELECT 'wider', a.id INTO found_rule, found_area
              FROM areas_area a
             WHERE a.level IN ('street', 'district') AND ST_Intersects(a.boundary, here)
             ORDER BY a.level = 'street' DESC, a.code LIMIT 1;  -- a street before its district
        END IF;
    ELSIF p_reporter_area IS NOT NULL THEN
        found_rule := 'reporter';
        found_area := p_reporter_area;
    END IF;
    IF found_area IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT found_rule,
               a.id, a.code, a.level, a.name,
               p.id, p.code, p.level, p.name,
               g.id, g.code, g.level, g.name
          FROM areas_area a
          LEFT JOIN areas_area p ON p.id = a.parent_id
          LEFT JOIN areas_area g ON g.id = p.parent_id
         WHERE a.id = found_area;
END;
$$;
