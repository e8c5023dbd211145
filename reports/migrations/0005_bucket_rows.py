"""Buckets become rows of a part's figures (BucketRow) and a read-only view of one figure
per row (Bucket). The old table's figures are not converted: each unit that had some is
marked for a rebuild from the raw rows (the job's "everything" mark), as after a move."""

import django.db.models.deletion
from django.db import migrations, models

VIEW = """
CREATE VIEW reports_bucket AS
SELECT r.id::text || ':' || f.key AS id, r.id AS row_id, f.key AS fact, r.district_code, r.area_id,
       r.station_id, r.period_kind, r.period_start, r.breakdown,
       f.value::numeric(20, 2) AS value, r.computed_at
  FROM reports_bucketrow r
 CROSS JOIN LATERAL jsonb_each_text(r.figures) AS f(key, value)
"""


def mark_units_for_rebuild(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            # "*": reports.services.EVERYTHING (a migration does not import app code)
            "INSERT INTO reports_dirtybucket (source, district_code, area_id, day) "
            "SELECT DISTINCT '*', district_code, 0, NULL::date FROM reports_bucket"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0005_object_grants"),
        ("stations", "0006_check_in_function"),
        ("reports", "0004_monthly_reports"),
    ]

    operations = [
        migrations.RunPython(mark_units_for_rebuild, migrations.RunPython.noop),
        migrations.DeleteModel(name="Bucket"),
        migrations.CreateModel(
            name="BucketRow",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("part", models.CharField(max_length=64)),
                ("district_code", models.CharField(max_length=6)),
                ("period_kind", models.CharField(choices=[("day", "day"), ("week", "week"), ("month", "month"), ("quarter", "quarter"), ("year", "year")], max_length=7)),
                ("period_start", models.DateField()),
                ("dimension", models.CharField(blank=True, default="", max_length=64)),
                ("breakdown", models.CharField(blank=True, default="", max_length=40)),
                ("figures", models.JSONField()),
                ("computed_at", models.DateTimeField()),
                ("area", models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="areas.area")),
                ("station", models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="stations.station")),
            ],
            options={
                "indexes": [
                    models.Index(fields=["district_code", "part", "period_kind", "period_start"], name="reports_bucketrow_unit_idx"),
                    models.Index(condition=models.Q(("area__isnull", False)), fields=["area", "period_kind", "period_start"], name="reports_bucketrow_area_idx"),
                    models.Index(condition=models.Q(("station__isnull", False)), fields=["station", "period_kind", "period_start"], name="reports_bucketrow_station_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("part", "area", "station", "period_kind", "period_start", "dimension", "breakdown"), name="reports_bucketrow_one_per_node_period", nulls_distinct=False),
                    models.CheckConstraint(condition=models.Q(("area__isnull", True), ("station__isnull", True), _connector="XOR"), name="reports_bucketrow_area_or_station"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Bucket",
            fields=[
                ("id", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("row_id", models.BigIntegerField()),
                ("fact", models.CharField(max_length=64, verbose_name="figure")),
                ("district_code", models.CharField(max_length=6, verbose_name="district code")),
                ("period_kind", models.CharField(choices=[("day", "day"), ("week", "week"), ("month", "month"), ("quarter", "quarter"), ("year", "year")], max_length=7, verbose_name="period")),
                ("period_start", models.DateField(verbose_name="period starts")),
                ("breakdown", models.CharField(max_length=40, verbose_name="breakdown")),
                ("value", models.DecimalField(decimal_places=2, max_digits=20, verbose_name="value")),
                ("computed_at", models.DateTimeField(verbose_name="computed at")),
                ("area", models.ForeignKey(null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="areas.area", verbose_name="area")),
                ("station", models.ForeignKey(null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="stations.station", verbose_name="station")),
            ],
            options={
                "verbose_name": "figure",
                "verbose_name_plural": "figures",
                "db_table": "reports_bucket",
                "managed": False,
            },
        ),
        migrations.RunSQL(VIEW, "DROP VIEW reports_bucket"),
    ]
