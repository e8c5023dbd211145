-- The check-in decision (stations.services.check_in validates the input and calls it): the
-- station must exist and not be closed for good; a merged worker's check-in goes to the
-- kept record; the distance to the station is computed and rounded (the point goes no
-- further); then, under the worker's advisory lock, the same idempotency key returns the
-- check-in it made, a check-in at the same station within the window is the same visit
-- (its services merged, its distance kept or filled in), and otherwise a new row. One
-- round trip instead of seven: check-in is the platform's busiest write (BENCHMARKS.md).
--
-- v2 (issue 14 §2): a visit made while the station was not open (temporarily closed,
-- closed for the day, outside its hours — the open-now rule, stations_station_open_at, at
-- the visit's China-local date and time, which Python passes in) is taken and marked
-- outside_hours; the answer says whether the station was open (for a new visit; a repeat's
-- row says it) and where the worker's registration stands, so the service can tell the
-- worker in plain words.
--
-- The limits and the statuses come in as parameters, from the named constants and choices
-- in stations/models.py (DISTANCE_STEP_M, FAR_AWAY_M, CHECK_IN_WINDOW, Station.Status),
-- which the model's check constraints use too.
DROP FUNCTION IF EXISTS stations_check_in(
    bigint, bigint, timestamptz, varchar[], varchar[], double precision, double precision,
    integer, integer, varchar, bigint, uuid, interval, integer, varchar
);
CREATE OR REPLACE FUNCTION stations_check_in(
    p_worker bigint, p_station bigint, p_at timestamptz, p_services varchar[],
    p_service_order varchar[], p_lng double precision, p_lat double precision,
    p_step integer, p_far_m integer, p_source varchar, p_recorded_by bigint, p_key uuid,
    p_window interval, p_lock_class integer, p_closed_status varchar,
    p_local_date date, p_local_time time, p_open_status varchar
) RETURNS TABLE (
    outcome varchar, check_in_id bigint, station_name varchar, checked_at timestamptz,
    kept_distance integer, station_open boolean, worker_status varchar
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
    was_open boolean;
    v_status varchar;
BEGIN
    SELECT s.name, s.status, s.location, s.always_open INTO st
    FROM stations_station s WHERE s.id = p_station;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_station'::varchar, NULL::bigint, NULL::varchar, NULL::timestamptz,
            NULL::integer, NULL::boolean, NULL::varchar;
        RETURN;
    END IF;
    IF st.status = p_closed_status THEN
        RETURN QUERY SELECT 'closed'::varchar, NULL::bigint, st.name, NULL::timestamptz,
            NULL::integer, false, NULL::varchar;
        RETURN;
    END IF;
    -- A merged record's check-ins go to the record it was merged into, and its status is
    -- the kept record's.
    SELECT COALESCE(w.merged_into_id, w.id), COALESCE(kept.status, w.status)
    INTO v_worker, v_status
    FROM members_worker w LEFT JOIN members_worker kept ON kept.id = w.merged_into_id
    WHERE w.id = p_worker;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_worker'::varchar, NULL::bigint, st.name, NULL::timestamptz,
            NULL::integer, NULL::boolean, NULL::varchar;
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
            RETURN QUERY SELECT 'replayed'::varchar, found_id, st.name, found_at, NULL::integer,
                NULL::boolean, v_status;
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
        RETURN QUERY SELECT 'same_visit'::varchar, found_id, st.name, found_at, NULL::integer,
            NULL::boolean, v_status;
        RETURN;
    END IF;
    -- Asked only of a new visit: a repeat keeps what its first check-in recorded.
    was_open := stations_station_open_at(
        p_station, st.status, st.always_open, p_local_date, p_local_time, p_open_status
    );
    INSERT INTO stations_checkin (
        station_id, worker_id, visitors, at, services, distance_m, far_away, outside_hours,
        source, recorded_by_id, client_key, created_at
    ) VALUES (
        p_station, v_worker, 1, p_at, p_services, distance,
        COALESCE(distance > p_far_m, false), NOT was_open, p_source, p_recorded_by, p_key, now()
    ) RETURNING id INTO found_id;
    RETURN QUERY SELECT 'created'::varchar, found_id, st.name, p_at, distance, was_open, v_status;
END
$$;
