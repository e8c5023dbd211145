-- "Is this station open?": the one rule, called by the ORM (stations.selectors.StationOpenAt:
-- lists, filters, the station page) and by the hand-written nearby search.
--
-- Arguments are the station's own columns plus China-local date and time (Python decides
-- the time zone: stations.selectors.local_now), and the status value that means open
-- (Station.Status.OPEN). Weekdays are stored Monday = 0, as Python's date.weekday();
-- PostgreSQL's isodow is Monday = 1.
--
-- Open means: the status is open, and
-- - if the date has a dated exception, the exception decides (closed, or its hours);
-- - otherwise the station is open 24 hours, or inside one of the day's weekly periods, or
--   inside a period that started the day before and runs past midnight (unless the day
--   before had an exception, which replaced that period).
CREATE OR REPLACE FUNCTION stations_station_open_at(
    station bigint, station_status text, station_always_open boolean,
    local_date date, local_time time, open_status text
) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT station_status = open_status AND CASE
    WHEN EXISTS (
        SELECT 1 FROM stations_openingexception e
        WHERE e.station_id = station AND e.date = local_date
    ) THEN EXISTS (
        SELECT 1 FROM stations_openingexception e
        WHERE e.station_id = station AND e.date = local_date AND NOT e.closed
          AND e.opens <= local_time AND e.closes > local_time
    )
    ELSE station_always_open
        OR EXISTS (
            SELECT 1 FROM stations_openingperiod p
            WHERE p.station_id = station
              AND p.weekday = extract(isodow FROM local_date)::int - 1
              AND p.opens <= local_time
              AND (p.closes > local_time OR p.closes <= p.opens)
        )
        OR (
            EXISTS (
                SELECT 1 FROM stations_openingperiod p
                WHERE p.station_id = station
                  AND p.weekday = extract(isodow FROM local_date - 1)::int - 1
                  AND p.closes <= p.opens AND p.closes > local_time
            )
            AND NOT EXISTS (
                SELECT 1 FROM stations_openingexception e
                WHERE e.station_id = station AND e.date = local_date - 1
            )
        )
END
$$;
