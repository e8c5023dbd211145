from django.db import migrations

from core.sql import sql_function


class Migration(migrations.Migration):
    dependencies = [("feedback", "0004_record_function")]

    operations = [
        sql_function(
            "feedback",
            "feedback_similar_open",
            1,
            reverse_sql="DROP FUNCTION IF EXISTS feedback_similar_open("
            "varchar, varchar[], timestamptz, double precision, double precision,"
            " double precision, bigint)",
        )
    ]
