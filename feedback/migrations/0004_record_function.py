from django.db import migrations

from core.sql import sql_function


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_route_function"), ("activities", "0002_volunteer_roles_services")]

    operations = [
        sql_function(
            "feedback",
            "feedback_case_record",
            1,
            reverse_sql="DROP FUNCTION IF EXISTS feedback_case_record("
            "uuid, timestamptz, varchar, bigint, varchar, varchar, varchar, varchar, bigint,"
            " varchar[], bigint, double precision, double precision, varchar, bigint, bigint,"
            " bigint, varchar, boolean, timestamptz, integer, varchar[], bigint[], bigint[])",
        )
    ]
