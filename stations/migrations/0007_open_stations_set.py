"""The open-now rule for a set of stations (stations_open_stations), which the per-station
function now asks for one station: a dashboard's 2,000 stations cost 40 ms of function calls
one by one, 1 ms as a set (stations/sql/ says the rule; BENCHMARKS.md the figures)."""

from django.db import migrations

from core.sql import sql_function

DROP_OPEN_STATIONS = "DROP FUNCTION IF EXISTS stations_open_stations(date, time, text);"


class Migration(migrations.Migration):
    dependencies = [("stations", "0006_check_in_function")]

    operations = [
        # The set first: the per-station function's new body calls it.
        sql_function("stations", "stations_open_stations", 1, reverse_sql=DROP_OPEN_STATIONS),
        sql_function("stations", "stations_station_open_at", 2),
    ]
