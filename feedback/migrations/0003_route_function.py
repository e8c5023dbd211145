from django.db import migrations

from core.sql import sql_function


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_calendar_and_categories"), ("stations", "0001_initial")]

    operations = [
        sql_function(
            "feedback",
            "feedback_route",
            1,
            reverse_sql="DROP FUNCTION IF EXISTS feedback_route("
            "double precision, double precision, bigint, bigint, integer, varchar)",
        )
    ]
