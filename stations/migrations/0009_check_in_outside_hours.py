"""A visit made while the station was not open is taken, marked and counted on its own
(issue 14 §2): CheckIn.outside_hours, set by the check-in function's second version from
the open-now rule (stations/sql/)."""

from django.db import migrations, models

from core.sql import sql_function


class Migration(migrations.Migration):
    dependencies = [("stations", "0008_next_opening_function")]

    operations = [
        migrations.AddField(
            model_name="checkin",
            name="outside_hours",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="while the station was not open"
            ),
        ),
        sql_function("stations", "stations_check_in", 2),
    ]
