"""The "is this station open?" rule as a SQL function, so the ORM (lists, filters, the
station page) and the hand-written nearby search call one rule; and "has every one of these
facilities", which they share too.

The rules are in stations/sql/ (core/sql.py says how a change is made); the tests in
stations/tests/test_selectors.py exercise them through `open_now_q()` and the nearby search.
"""

from django.db import migrations

from core.sql import sql_function

DROP_OPEN_AT = (
    "DROP FUNCTION IF EXISTS stations_station_open_at(bigint, text, boolean, date, time, text);"
)
DROP_HAS_FACILITIES = "DROP FUNCTION IF EXISTS stations_station_has_facilities(bigint, text[]);"


class Migration(migrations.Migration):
    dependencies = [("stations", "0002_catalogues")]

    operations = [
        sql_function("stations", "stations_station_open_at", 1, reverse_sql=DROP_OPEN_AT),
        sql_function(
            "stations", "stations_station_has_facilities", 1, reverse_sql=DROP_HAS_FACILITIES
        ),
    ]
