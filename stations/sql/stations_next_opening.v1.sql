-- "When does this station open next?", for a station that is not open now: the phone's map
-- says "opens at 08:00" or "opens tomorrow 08:00" instead of only "closed" (issue 14 §1).
-- The same rule as stations_open_stations, looking ahead: on each of the next eight days
-- (today and a week on, so every weekly period is seen once), a dated exception decides the
-- day where there is one (closed, or its hours); otherwise the day's weekly periods, or
-- midnight for a station open 24 hours. Today's candidates must start after `local_time`.
--
-- Returns the China-local moment (timestamp without time zone), or NULL when the station is
-- not open for business (status other than `open_status`) or has no opening in the week.
-- Arguments as stations_open_stations: China-local date and time, and the status value
-- that means open; weekdays are stored Monday = 0, PostgreSQL's isodow is Monday = 1.
CREATE OR REPLACE FUNCTION stations_next_opening(
    station bigint, local_date date, local_time time, open_status text
) RETURNS timestamp
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT min(days.day + openings.opens)
  FROM stations_station s
 CROSS JOIN LATERAL (
     SELECT local_date + ahead AS day, ahead FROM generate_series(0, 7) AS ahead
 ) AS days
 CROSS JOIN LATERAL (
     SELECT e.opens FROM stations_openingexception e
      WHERE e.station_id = s.id AND e.date = days.day AND NOT e.closed
     UNION ALL
     SELECT weekly.opens FROM (
         SELECT p.opens FROM stations_openingperiod p
          WHERE p.station_id = s.id AND p.weekday = extract(isodow FROM days.day)::int - 1
         UNION ALL
         SELECT time '00:00' WHERE s.always_open
     ) AS weekly
      WHERE NOT EXISTS (
          SELECT 1 FROM stations_openingexception e
           WHERE e.station_id = s.id AND e.date = days.day
      )
 ) AS openings
 WHERE s.id = station
   AND s.status = open_status
   AND (days.ahead > 0 OR openings.opens > local_time)
$$;
