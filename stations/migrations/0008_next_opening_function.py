"""When a closed station opens next (stations_next_opening): the phone's map says "opens at
08:00" at night instead of only "closed" (issue 14 §1; stations/sql/ says the rule)."""

from django.db import migrations

from core.sql import sql_function


class Migration(migrations.Migration):
    dependencies = [("stations", "0007_open_stations_set")]

    operations = [
        sql_function(
            "stations",
            "stations_next_opening",
            1,
            reverse_sql="DROP FUNCTION IF EXISTS stations_next_opening(bigint, date, time, text);",
        ),
    ]
