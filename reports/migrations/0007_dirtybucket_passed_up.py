"""A dirty mark remembers whether it has been copied to the units above its own, so the
beat can mark a district's city and province when it sends the district's task, not after
the district's task has run (reports.services.pass_marks_up). The triggers leave the column
to its default."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_bucketrow_fillfactor")]

    operations = [
        migrations.AddField(
            model_name="dirtybucket",
            name="passed_up",
            field=models.BooleanField(db_default=False),
        ),
    ]
