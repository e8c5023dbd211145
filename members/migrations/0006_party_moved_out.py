"""Party work left for its own app (party.0001 renamed the tables and copied each
enterprise's party organisation into the organisation's list of enterprises): the column
is dropped and the models leave members' state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_invitations"),
        ("party", "0001_moved_from_members"),
        ("activities", "0004_party_org_moved_to_party"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='enterprise',
            name='party_org',
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='contactstatuschange',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='contactstatuschange',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='managementassignment',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='managementassignment',
                    name='org',
                ),
                migrations.RemoveField(
                    model_name='partymember',
                    name='membership_org',
                ),
                migrations.RemoveField(
                    model_name='partymember',
                    name='reported_to',
                ),
                migrations.RemoveField(
                    model_name='partymember',
                    name='worker',
                ),
                migrations.RemoveField(
                    model_name='partyorg',
                    name='area',
                ),
                migrations.RemoveField(
                    model_name='partyorg',
                    name='parent',
                ),
                migrations.DeleteModel(
                    name='CollaborationFeedback',
                ),
                migrations.DeleteModel(
                    name='ContactStatusChange',
                ),
                migrations.DeleteModel(
                    name='ManagementAssignment',
                ),
                migrations.DeleteModel(
                    name='PartyMember',
                ),
                migrations.DeleteModel(
                    name='PartyOrg',
                ),
            ],
            database_operations=[],
        ),
    ]
