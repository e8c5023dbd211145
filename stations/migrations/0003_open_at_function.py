"""The "is this station open?" rule as a SQL function, so the ORM (lists, filters, the
station page) and the hand-written nearby search call one rule.

To change the rule, add a migration with `CREATE OR REPLACE FUNCTION` and the new body;
the tests in stations/tests/test_selectors.py exercise it through `open_now_q()`.
"""

from django.db import migrations

# Arguments are the station's own columns plus China-local date and time (Python decides
# the time zone: stations.selectors.local_now). Weekdays are stored Monday = 0, as
# Python's date.weekday(); PostgreSQL's isodow is Monday = 1.
#
# Open means: status is open, and
# - if the date has a dated exception, the exception decides (closed, or its hours);
# - otherwise the station is open 24 hours, or inside one of the day's weekly periods, or
#   inside a period that started the day before and runs past midnight (unless the day
#   before had an exception, which replaced that period).
CREATE_OPEN_AT = """
CREATE OR REPLACE FUNCTION stations_station_open_at(
    station bigint, station_status text, station_always_open boolean,
    local_date date, local_time time
) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT station_status = 'open' AND CASE
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
"""

DROP_OPEN_AT = "DROP FUNCTION IF EXISTS stations_station_open_at(bigint, text, boolean, date, time);"

# "Has every one of these facilities, available": the nearby search and the staff list
# filter share it. An empty list matches every station.
CREATE_HAS_FACILITIES = """
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
"""

DROP_HAS_FACILITIES = "DROP FUNCTION IF EXISTS stations_station_has_facilities(bigint, text[]);"


class Migration(migrations.Migration):
    dependencies = [("stations", "0002_catalogues")]

    operations = [
        migrations.RunSQL(CREATE_OPEN_AT, DROP_OPEN_AT),
        migrations.RunSQL(CREATE_HAS_FACILITIES, DROP_HAS_FACILITIES),
    ]
