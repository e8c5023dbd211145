"""The personal-data access log moves from core to areas (beside the access rules that
decide who reads it): the table is renamed, every row kept."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_import_jobs"),
        ("contenttypes", "0002_remove_content_type_name"),
        ('areas', '0003_staffgrant_capabilities'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='AccessLog',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='at')),
                    ('action', models.CharField(choices=[('view', 'Viewed unmasked'), ('edit', 'Opened for editing (unmasked)'), ('export', 'Exported unmasked')], max_length=10, verbose_name='action')),
                    ('subject', models.CharField(max_length=100, verbose_name='kind of record')),
                    ('object_id', models.CharField(blank=True, max_length=40, verbose_name='record id')),
                    ('object_repr', models.CharField(blank=True, max_length=200, verbose_name='record (masked)')),
                    ('fields', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=50), default=list, size=None, verbose_name='fields')),
                    ('row_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='rows')),
                    ('reason', models.CharField(max_length=200, verbose_name='reason')),
                    ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='personal_data_accesses', to=settings.AUTH_USER_MODEL, verbose_name='who')),
                    ('area', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.area', verbose_name='area')),
                ],
                options={
                    'verbose_name': 'personal data access',
                    'verbose_name_plural': 'personal data access log',
                    'ordering': ['-at'],
                    'constraints': [models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='areas_accesslog_reason_given', violation_error_message='Say why the unmasked data is needed.')],
                },
            ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [
                        "ALTER TABLE core_accesslog RENAME TO areas_accesslog",
                        "ALTER SEQUENCE IF EXISTS core_accesslog_id_seq RENAME TO areas_accesslog_id_seq",
                        "ALTER TABLE areas_accesslog RENAME CONSTRAINT core_accesslog_reason_given TO areas_accesslog_reason_given",
                        "UPDATE django_content_type SET app_label = 'areas' WHERE app_label = 'core' AND model = 'accesslog'",
                    ],
                    [
                        "ALTER TABLE areas_accesslog RENAME TO core_accesslog",
                        "ALTER TABLE areas_accesslog RENAME CONSTRAINT areas_accesslog_reason_given TO core_accesslog_reason_given",
                        "ALTER SEQUENCE IF EXISTS areas_accesslog_id_seq RENAME TO core_accesslog_id_seq",
                        "UPDATE django_content_type SET app_label = 'core' WHERE app_label = 'areas' AND model = 'accesslog'",
                    ],
                )
            ],
        ),
    ]
