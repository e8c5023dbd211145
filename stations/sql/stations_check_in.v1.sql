-- The check-in decision (stations.services.check_in validates the input and calls it): the
-- station must exist and not be closed; a merged worker's check-in goes to the kept record;
-- the distance to the station is computed and rounded (the point goes no further); then,
-- under the worker's advisory lock, the same idempotency key returns the check-in it made,
-- a check-in at the same station within the window is the same visit (its services
-- merged, its distance kept or filled in), and otherwise a new row. One round trip instead
-- of seven: check-in is the platform's busiest write (BENCHMARKS.md).
--
-- The limits and the status come in as parameters, from the named constants and choices in
-- stations/models.py (DISTANCE_STEP_M, FAR_AWAY_M, CHECK_IN_WINDOW, Station.Status.CLOSED),
-- which the model's check constraints use too.
CREATE OR REPLACE FUNCTION stations_check_in(
    p_worker bigint, p_station bigint, p_at timestamptz, p_services varchar[],
    p_service_order varchar[], p_lng double precision, p_lat double precision,
    p_step integer, p_far_m integer, p_source varchar, p_recorded_by bigint, p_key uuid,
    p_window interval, p_lock_class integer, p_closed_status varchar
) RETURNS TABLE (
    outcome varchar, check_in_id bigint, station_name varchar, checked_at timestamptz,
    kept_distance integer
)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    st record;
    v_worker bigint;
    distance integer;
    found_id bigint;
    found_at timestamptz;
    found_services varchar[];
    found_distance integer;
BEGIN
    SELECT s.name, s.status, s.location INTO st FROM stations_station s WHERE s.id = p_station;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_station'::varchar, NULL::bigint, NULL::varchar, NULL::timestamptz,
            NULL::integer;
        RETURN;
    END IF;
    IF st.status = p_closed_status THEN
        RETURN QUERY SELECT 'closed'::varchar, NULL::bigint, st.name, NULL::timestamptz, NULL::integer;
        RETURN;
    END IF;
    -- A merged record's check-ins go to the record it was merged into.
    SELECT COALESCE(w.merged_into_id, w.id) INTO v_worker FROM members_worker w
    WHERE w.id = p_worker;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_worker'::varchar, NULL::bigint, st.name, NULL::timestamptz,
            NULL::integer;
        RETURN;
    END IF;
    IF p_lng IS NOT NULL AND p_lat IS NOT NULL THEN
        -- Only the distance is kept, rounded; the point itself goes no further.
        distance := (round(ST_Distance(
            st.location, ST_SetSRID(ST_MakePoint(p_lng, p_lat), 4326)::geography
        ) / p_step) * p_step)::integer;
    END IF;
    PERFORM pg_advisory_xact_lock(p_lock_class, (v_worker % 2147483648)::integer);
    IF p_key IS NOT NULL THEN
        SELECT c.id, c.at INTO found_id, found_at FROM stations_checkin c
        WHERE c.client_key = p_key;
        IF FOUND THEN
            RETURN QUERY SELECT 'replayed'::varchar, found_id, st.name, found_at, NULL::integer;
            RETURN;
        END IF;
    END IF;
    SELECT c.id, c.at, c.services, c.distance_m
    INTO found_id, found_at, found_services, found_distance
    FROM stations_checkin c
    WHERE c.worker_id = v_worker AND c.station_id = p_station
      AND c.at > p_at - p_window AND c.at < p_at + p_window
    ORDER BY c.at DESC
    LIMIT 1;
    IF FOUND THEN
        IF NOT found_services @> p_services
           OR (found_distance IS NULL AND distance IS NOT NULL) THEN
            UPDATE stations_checkin SET
                services = ARRAY(
                    SELECT s FROM unnest(p_service_order) WITH ORDINALITY AS o(s, n)
                    WHERE s = ANY(found_services || p_services) ORDER BY n
                ),
                distance_m = COALESCE(found_distance, distance),
                far_away = COALESCE(COALESCE(found_distance, distance) > p_far_m, false)
            WHERE id = found_id;
        END IF;
        RETURN QUERY SELECT 'same_visit'::varchar, found_id, st.name, found_at, NULL::integer;
        RETURN;
    END IF;
    INSERT INTO stations_checkin (
        station_id, worker_id, visitors, at, services, distance_m, far_away, source,
        recorded_by_id, client_key, created_at
    ) VALUES (
        p_station, v_worker, 1, p_at, p_services, distance,
        COALESCE(distance > p_far_m, false), p_source, p_recorded_by, p_key, now()
    ) RETURNING id INTO found_id;
    RETURN QUERY SELECT 'created'::varchar, found_id, st.name, p_at, distance;
END
$$;
