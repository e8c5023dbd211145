"""Ledger import jobs move from core to their own app: the table is renamed, every row
kept."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("core", "0002_import_jobs"),
        ("contenttypes", "0002_remove_content_type_name"),
        ('areas', '0004_accesslog_moved_from_core'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='ImportJob',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(max_length=40, verbose_name='ledger')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded at')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                    ('filename', models.CharField(max_length=200, verbose_name='file')),
                    ('content', models.BinaryField(null=True, verbose_name='file content')),
                    ('language', models.CharField(editable=False, max_length=10)),
                    ('status', models.CharField(choices=[('checking', 'Checking'), ('checked', 'Checked: waiting for your decision'), ('committing', 'Importing'), ('done', 'Imported'), ('failed', 'Failed: nothing was imported'), ('cancelled', 'Cancelled')], default='checking', max_length=12, verbose_name='status')),
                    ('total_rows', models.PositiveIntegerField(default=0, verbose_name='rows')),
                    ('valid_rows', models.PositiveIntegerField(default=0, verbose_name='valid rows')),
                    ('error_rows', models.PositiveIntegerField(default=0, verbose_name='rows with errors')),
                    ('written_rows', models.PositiveIntegerField(default=0, verbose_name='rows imported')),
                    ('errors', models.JSONField(blank=True, default=list, verbose_name='errors')),
                    ('preview', models.JSONField(blank=True, default=list, verbose_name='preview')),
                    ('message', models.TextField(blank=True, verbose_name='message')),
                    ('skip_invalid', models.BooleanField(default=False, verbose_name='only the valid rows were imported')),
                    ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                    ('area', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.area', verbose_name='for area')),
                    ('committed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='imported by')),
                    ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
                ],
                options={
                    'verbose_name': 'ledger import',
                    'verbose_name_plural': 'ledger imports',
                    'ordering': ['-created_at'],
                },
            ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [
                        "ALTER TABLE core_importjob RENAME TO ledgers_importjob",
                        "ALTER SEQUENCE IF EXISTS core_importjob_id_seq RENAME TO ledgers_importjob_id_seq",
                        "UPDATE django_content_type SET app_label = 'ledgers' WHERE app_label = 'core' AND model = 'importjob'",
                    ],
                    [
                        "ALTER TABLE ledgers_importjob RENAME TO core_importjob",
                        "ALTER SEQUENCE IF EXISTS ledgers_importjob_id_seq RENAME TO core_importjob_id_seq",
                        "UPDATE django_content_type SET app_label = 'core' WHERE app_label = 'ledgers' AND model = 'importjob'",
                    ],
                )
            ],
        ),
    ]
