"""The SQL side of the rollups: the unit rule and the trigger functions that mark buckets
dirty (reports/sql/). The triggers that call them follow the facts the apps describe and
are kept in step after every migrate (reports/triggers.py), not written here."""

from django.db import migrations

from core.sql import sql_function


def drop(signature: str) -> str:
    return f"DROP FUNCTION IF EXISTS {signature} CASCADE;"


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_rollup_tables")]

    operations = [
        sql_function(
            "reports",
            "reports_district_code",
            1,
            reverse_sql=drop("reports_district_code(text, text)"),
        ),
        sql_function("reports", "reports_mark_dirty", 1, reverse_sql=drop("reports_mark_dirty()")),
        sql_function(
            "reports", "reports_mark_dirty_via", 1, reverse_sql=drop("reports_mark_dirty_via()")
        ),
        sql_function(
            "reports",
            "reports_mark_tree_changed",
            1,
            reverse_sql=drop("reports_mark_tree_changed()"),
        ),
    ]
