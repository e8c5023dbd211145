"""Room on each page of the stored figures for their next version: the beat replaces the
same rows (today, this week, this month…) every 15 seconds, and an update that fits on its
row's page and changes no indexed column is a HOT update — no new entry in any of the
table's four indexes. Pages written from now on keep 30% free; a rebuild rewrites them.

The dirty marks are a queue (every mark is deleted within a beat): autovacuum cleans it
after a fixed number of deleted marks rather than a fifth of a table that is nearly empty.
Both rely on autovacuum, PostgreSQL's default; a server with it off must VACUUM these
tables itself."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_bucket_rows")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE reports_bucketrow SET (fillfactor = 70)",
            reverse_sql="ALTER TABLE reports_bucketrow RESET (fillfactor)",
        ),
        migrations.RunSQL(
            "ALTER TABLE reports_dirtybucket SET (autovacuum_vacuum_scale_factor = 0, "
            "autovacuum_vacuum_threshold = 10000)",
            reverse_sql="ALTER TABLE reports_dirtybucket RESET (autovacuum_vacuum_scale_factor, "
            "autovacuum_vacuum_threshold)",
        ),
    ]
