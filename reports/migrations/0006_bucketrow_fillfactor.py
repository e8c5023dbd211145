"""Room on each page of the stored figures for their next version: the beat replaces the
same rows (today, this week, this month…) every 15 seconds, and an update that fits on its
row's page and changes no indexed column is a HOT update — no new entry in any of the
table's four indexes. Pages written from now on keep 30% free; a rebuild rewrites them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_bucket_rows")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE reports_bucketrow SET (fillfactor = 70)",
            reverse_sql="ALTER TABLE reports_bucketrow RESET (fillfactor)",
        )
    ]
