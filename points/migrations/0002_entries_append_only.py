"""The ledger is append-only in the database itself: UPDATE and DELETE of an entry are
refused whatever code tries them (a mistake is corrected by a reversing entry). TRUNCATE,
which the test runner uses to empty tables, is not a row operation and still works.

The trigger function is points/sql/points_entry_append_only.v1.sql (core/sql.py says how a
change is made); the trigger that calls it is here."""

from django.db import migrations

from core.sql import sql_function

CREATE_TRIGGER = """
CREATE TRIGGER points_entry_append_only
    BEFORE UPDATE OR DELETE ON points_pointsentry
    FOR EACH ROW EXECUTE FUNCTION points_entry_append_only();
"""

DROP_TRIGGER = "DROP TRIGGER IF EXISTS points_entry_append_only ON points_pointsentry;"
DROP_FUNCTION = "DROP FUNCTION IF EXISTS points_entry_append_only();"


class Migration(migrations.Migration):
    dependencies = [("points", "0001_ledger")]

    operations = [
        sql_function("points", "points_entry_append_only", 1, reverse_sql=DROP_FUNCTION),
        migrations.RunSQL(CREATE_TRIGGER, DROP_TRIGGER),
    ]
