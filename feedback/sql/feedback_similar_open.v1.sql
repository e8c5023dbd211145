-- The open cases like a new one (feedback.selectors.similar_open_ids calls it): of the
-- category's code (a district's own category and the platform's of the same code are one),
-- in one of p_statuses, made since p_since, within p_metres of the point or at the station.
-- Asked before every report from the phone, and the usual answer is none. Two choices keep
-- it cheap (issue 16's benchmark, BENCHMARKS.md):
--   - the cases near the point come first, from the spatial index alone, and only they are
--     checked for status, date and category: left to itself the planner also read the
--     status index (thousands of open cases in a city) to AND with a handful of near ones;
--   - as a function its plans are made once per connection, not once per report.
CREATE OR REPLACE FUNCTION feedback_similar_open(
    p_code varchar, p_statuses varchar[], p_since timestamptz,
    p_lng double precision, p_lat double precision, p_metres double precision,
    p_station bigint
) RETURNS TABLE (case_id bigint)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    IF p_lng IS NOT NULL AND p_lat IS NOT NULL THEN
        RETURN QUERY
        WITH near AS MATERIALIZED (
            SELECT c.id, c.category_id, c.status, c.created_at FROM feedback_case c
             WHERE ST_DWithin(c.location,
                              ST_SetSRID(ST_MakePoint(p_lng, p_lat), 4326)::geography,
                              p_metres)
        )
        SELECT n.id FROM near n
          JOIN feedback_feedbackcategory k ON k.id = n.category_id
         WHERE k.code = p_code AND n.status = ANY(p_statuses) AND n.created_at >= p_since
         LIMIT 20;
    END IF;
    IF p_station IS NOT NULL THEN
        RETURN QUERY
        SELECT c.id FROM feedback_case c
          JOIN feedback_feedbackcategory k ON k.id = c.category_id
         WHERE c.station_id = p_station AND k.code = p_code AND c.status = ANY(p_statuses)
           AND c.created_at >= p_since
         LIMIT 20;
    END IF;
END;
$$;
