"""The check-in decision as one database function (stations/sql/stations_check_in.v1.sql
says what it decides; core/sql.py how a change is made). stations.services.check_in
validates the input and calls it; the tests in stations/tests/test_check_ins.py exercise it
through the service.
"""

from django.db import migrations

from core.sql import sql_function

DROP = """
DROP FUNCTION IF EXISTS stations_check_in(
    bigint, bigint, timestamptz, varchar[], varchar[], double precision, double precision,
    integer, integer, varchar, bigint, uuid, interval, integer, varchar
);
"""


class Migration(migrations.Migration):
    dependencies = [("stations", "0005_check_in_indexes")]

    operations = [sql_function("stations", "stations_check_in", 1, reverse_sql=DROP)]
