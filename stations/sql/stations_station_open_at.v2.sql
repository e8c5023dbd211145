-- "Is this station open?", for one station: the ORM's filters and annotations
-- (stations.selectors.StationOpenAt) and the hand-written nearby search call it. The rule is
-- stations_open_stations (stations/sql/), asked for this station alone; the station's status
-- and always-open arguments are kept so that callers need not change, and are read from
-- the station's row there.
CREATE OR REPLACE FUNCTION stations_station_open_at(
    station bigint, station_status text, station_always_open boolean,
    local_date date, local_time time, open_status text
) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT EXISTS (
    SELECT 1 FROM stations_open_stations(local_date, local_time, open_status) AS o
     WHERE o.station_id = station
)
$$;
