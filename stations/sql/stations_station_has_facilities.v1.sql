-- "Has every one of these facilities, available": the nearby search and the staff list
-- filter share it (stations.selectors.StationHasFacilities). An empty list matches every
-- station.
CREATE OR REPLACE FUNCTION stations_station_has_facilities(station bigint, codes text[])
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT NOT EXISTS (
    SELECT 1 FROM unnest(codes) AS wanted(code)
    WHERE NOT EXISTS (
        SELECT 1 FROM stations_stationfacility sf
        JOIN stations_facility f ON f.id = sf.facility_id
        WHERE sf.station_id = station AND sf.available AND f.code = wanted.code
    )
)
$$;
