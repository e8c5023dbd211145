"""Activities' party organisation is party.PartyOrg now (the same table, renamed by
party.0001): only the state changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_signup_once_checked_per_statement"),
        ("party", "0001_moved_from_members"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='activity',
                    name='party_org',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='party.partyorg', verbose_name='organised by (party organisation)'),
                ),
            ],
            database_operations=[],
        ),
    ]
