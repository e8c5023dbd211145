"""The marking triggers each call a function of their own (reports/triggers.py): installed
here at once, so no write goes unmarked between this migration and the sync after
migrate, and then the generic reports_mark_dirty(), which no trigger calls any more, is
dropped."""

from django.db import migrations


def install_trigger_functions(apps, schema_editor):
    from reports import triggers

    triggers.sync(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("reports", "0008_range_figures")]

    operations = [
        migrations.RunPython(install_trigger_functions, migrations.RunPython.noop),
        migrations.RunSQL("DROP FUNCTION IF EXISTS reports_mark_dirty()", migrations.RunSQL.noop),
    ]
