"""AccessLog and ImportJob leave core's state; their tables were renamed by the areas and
ledgers migrations that took them over."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("areas", "0004_accesslog_moved_from_core"),
        ("ledgers", "0001_importjob_moved_from_core"),
        ('core', '0002_import_jobs'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='importjob',
                name='area',
            ),
            migrations.RemoveField(
                model_name='importjob',
                name='committed_by',
            ),
            migrations.RemoveField(
                model_name='importjob',
                name='created_by',
            ),
            migrations.DeleteModel(
                name='AccessLog',
            ),
            migrations.DeleteModel(
                name='ImportJob',
            ),
            ],
            database_operations=[],
        ),
    ]
