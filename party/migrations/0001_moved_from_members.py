"""Party work moves out of members into its own app: the tables, their constraints and
indexes are renamed (every row kept); the party organisation now names the enterprises it
covers (copied from each enterprise's former party_org, which members.0006 then drops)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_enterprise_orgs(apps, schema_editor):
    Enterprise = apps.get_model("members", "Enterprise")
    PartyOrg = apps.get_model("party", "PartyOrg")
    Covered = PartyOrg.enterprises.through
    Covered.objects.bulk_create(
        [
            Covered(partyorg_id=org_id, enterprise_id=enterprise_id)
            for enterprise_id, org_id in Enterprise.objects.filter(
                party_org__isnull=False
            ).values_list("pk", "party_org_id")
        ]
    )


def copy_back(apps, schema_editor):
    Enterprise = apps.get_model("members", "Enterprise")
    PartyOrg = apps.get_model("party", "PartyOrg")
    for row in PartyOrg.enterprises.through.objects.all():
        Enterprise.objects.filter(pk=row.enterprise_id).update(party_org_id=row.partyorg_id)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("areas", "0005_object_grants"),
        ("members", "0005_invitations"),
        # Everything that was made pointing at members_partyorg before it is renamed here
        # (activities' party organisation); activities.0004 then follows it to party.
        ("activities", "0003_signup_once_checked_per_statement"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ManagementAssignment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('kind', models.CharField(choices=[('direct', 'Direct (直接管)'), ('collaborative', 'Collaborative (协同管)'), ('fallback', 'Fallback (兜底管)')], max_length=14, verbose_name='kind')),
                        ('started_on', models.DateField(verbose_name='from')),
                        ('ended_on', models.DateField(blank=True, null=True, verbose_name='until')),
                        ('end_reason', models.CharField(blank=True, max_length=200, verbose_name='why it ended')),
                        ('agreement_ref', models.CharField(blank=True, help_text='Collaborative management: the reference of the agreement with the unit.', max_length=100, verbose_name='agreement (党建联盟协议书)')),
                        ('feedback_every_months', models.PositiveSmallIntegerField(blank=True, help_text='Collaborative management: how often the unit reports back (quarterly = 3).', null=True, verbose_name='feedback every (months)')),
                    ],
                    options={
                        'verbose_name': 'three-management assignment',
                        'verbose_name_plural': 'three-management assignments (三管)',
                        'ordering': ['member', 'kind', '-started_on'],
                    },
                ),
                migrations.CreateModel(
                    name='CollaborationFeedback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('on', models.DateField(verbose_name='date')),
                        ('summary', models.TextField(verbose_name='summary')),
                        ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded at')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                        ('assignment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='party.managementassignment', verbose_name='assignment')),
                    ],
                    options={
                        'verbose_name': 'collaboration feedback',
                        'verbose_name_plural': 'collaboration feedback',
                        'ordering': ['-on', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='PartyMember',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('membership_org_name', models.CharField(blank=True, max_length=100, verbose_name='membership branch, if not on the platform')),
                        ('membership_org_place', models.CharField(blank=True, help_text='e.g. 河南省周口市', max_length=100, verbose_name='where that branch is')),
                        ('registration', models.CharField(choices=[('registered', 'Registered here (在册)'), ('floating', 'Floating (流动)')], max_length=12, verbose_name='registered or floating')),
                        ('standing', models.CharField(choices=[('full', 'Full member (正式党员)'), ('probationary', 'Probationary member (预备党员)')], max_length=12, verbose_name='standing')),
                        ('joined_on', models.DateField(blank=True, null=True, verbose_name='joined the party on')),
                        ('lost_contact', models.BooleanField(default=False, verbose_name='lost contact (失联)')),
                        ('revealed_on', models.DateField(blank=True, null=True, verbose_name='revealed identity on (亮明身份)')),
                        ('reported_on', models.DateField(blank=True, null=True, verbose_name='reported to the community on (到社区报到)')),
                        ('ended_on', models.DateField(blank=True, null=True, verbose_name='membership here ended on')),
                        ('end_reason', models.CharField(blank=True, max_length=200, verbose_name='why it ended')),
                        ('reported_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reported_party_members', to='areas.area', verbose_name='community reported to')),
                        ('worker', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='party_member', to='members.worker', verbose_name='worker')),
                    ],
                    options={
                        'verbose_name': 'party member',
                        'verbose_name_plural': 'party members',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.AddField(
                    model_name='managementassignment',
                    name='member',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to='party.partymember', verbose_name='party member'),
                ),
                migrations.CreateModel(
                    name='ContactStatusChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('event', models.CharField(choices=[('lost', 'Lost contact (失联)'), ('found', 'Found again (双找)')], max_length=8, verbose_name='event')),
                        ('on', models.DateField(verbose_name='on')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                        ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded at')),
                        ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contact_changes', to='party.partymember', verbose_name='party member')),
                    ],
                    options={
                        'verbose_name': 'lost-contact history entry',
                        'verbose_name_plural': 'lost-contact history',
                        'ordering': ['on', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='PartyOrg',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('kind', models.CharField(choices=[('committee', 'Party committee (党委)'), ('general_branch', 'General branch (党总支)'), ('branch', 'Branch (党支部)'), ('industry_committee', 'Industry committee (行业党委)'), ('functional_branch', 'Functional branch (功能型党支部)'), ('joint_committee', 'Joint committee (联合党委)'), ('enterprise_branch', 'Enterprise branch (企业党支部)')], max_length=20, verbose_name='kind')),
                        ('secretary', models.CharField(blank=True, max_length=50, verbose_name='secretary (书记)')),
                        ('contact_phone', models.CharField(blank=True, max_length=20, verbose_name='contact phone')),
                        ('area', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='party_orgs', to='areas.area', verbose_name='area')),
                        ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='party.partyorg', verbose_name='higher organisation')),
                    ],
                    options={
                        'verbose_name': 'party organisation',
                        'verbose_name_plural': 'party organisations',
                        'ordering': ['area__code', 'name'],
                    },
                ),
                migrations.AddField(
                    model_name='partymember',
                    name='membership_org',
                    field=models.ForeignKey(blank=True, help_text='Leave empty when the branch is not on this platform and name it below.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='members', to='party.partyorg', verbose_name='membership branch (组织关系所在党支部)'),
                ),
                migrations.AddField(
                    model_name='managementassignment',
                    name='org',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to='party.partyorg', verbose_name='organisation'),
                ),
                migrations.AddConstraint(
                    model_name='partyorg',
                    constraint=models.UniqueConstraint(fields=('area', 'name'), name='party_partyorg_unique_name_in_area', violation_error_message='This area already has a party organisation of this name.'),
                ),
                migrations.AddConstraint(
                    model_name='partyorg',
                    constraint=models.CheckConstraint(condition=models.Q(('parent', models.F('pk')), _negated=True), name='party_partyorg_not_its_own_parent', violation_error_message='An organisation cannot be its own higher organisation.'),
                ),
                migrations.AddConstraint(
                    model_name='partymember',
                    constraint=models.CheckConstraint(condition=models.Q(('membership_org__isnull', False), models.Q(('membership_org_name', ''), _negated=True), _connector='OR'), name='party_partymember_membership_org_named', violation_error_message='Choose the membership branch, or name it if it is not on the platform.'),
                ),
                migrations.AddConstraint(
                    model_name='partymember',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('reported_on__isnull', True), ('reported_to__isnull', True)), models.Q(('reported_on__isnull', False), ('reported_to__isnull', False)), _connector='OR'), name='party_partymember_report_names_the_community', violation_error_message='A report to a community needs both the date and the community.'),
                ),
                migrations.AddConstraint(
                    model_name='partymember',
                    constraint=models.CheckConstraint(condition=models.Q(('ended_on__isnull', True), models.Q(('end_reason', ''), _negated=True), _connector='OR'), name='party_partymember_end_has_reason', violation_error_message='Say why the membership here ended.'),
                ),
                migrations.AddIndex(
                    model_name='managementassignment',
                    index=models.Index(condition=models.Q(('ended_on__isnull', True)), fields=['kind'], name='party_assignment_active_idx'),
                ),
                migrations.AddConstraint(
                    model_name='managementassignment',
                    constraint=models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True)), fields=('member', 'kind'), name='party_assignment_one_active_per_kind', violation_error_message='This member already has an active assignment of this kind.'),
                ),
                migrations.AddConstraint(
                    model_name='managementassignment',
                    constraint=models.CheckConstraint(condition=models.Q(('ended_on__isnull', True), ('ended_on__gte', models.F('started_on')), _connector='OR'), name='party_assignment_ends_after_it_starts', violation_error_message='An assignment cannot end before it starts.'),
                ),
                migrations.AddConstraint(
                    model_name='managementassignment',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'collaborative'), _negated=True), models.Q(models.Q(('agreement_ref', ''), _negated=True), ('feedback_every_months__gte', 1)), _connector='OR'), name='party_assignment_collaborative_has_agreement', violation_error_message='Collaborative management needs the agreement and a feedback cadence.'),
                ),
                migrations.AddConstraint(
                    model_name='managementassignment',
                    constraint=models.CheckConstraint(condition=models.Q(('kind', 'collaborative'), models.Q(('agreement_ref', ''), ('feedback_every_months__isnull', True)), _connector='OR'), name='party_assignment_agreement_only_collaborative', violation_error_message='Only collaborative management has an agreement.'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [
                        "ALTER TABLE members_partyorg RENAME TO party_partyorg",
                        "ALTER SEQUENCE IF EXISTS members_partyorg_id_seq RENAME TO party_partyorg_id_seq",
                        "ALTER TABLE members_partymember RENAME TO party_partymember",
                        "ALTER SEQUENCE IF EXISTS members_partymember_id_seq RENAME TO party_partymember_id_seq",
                        "ALTER TABLE members_contactstatuschange RENAME TO party_contactstatuschange",
                        "ALTER SEQUENCE IF EXISTS members_contactstatuschange_id_seq RENAME TO party_contactstatuschange_id_seq",
                        "ALTER TABLE members_managementassignment RENAME TO party_managementassignment",
                        "ALTER SEQUENCE IF EXISTS members_managementassignment_id_seq RENAME TO party_managementassignment_id_seq",
                        "ALTER TABLE members_collaborationfeedback RENAME TO party_collaborationfeedback",
                        "ALTER SEQUENCE IF EXISTS members_collaborationfeedback_id_seq RENAME TO party_collaborationfeedback_id_seq",
                        "ALTER TABLE party_partyorg RENAME CONSTRAINT members_partyorg_unique_name_in_area TO party_partyorg_unique_name_in_area",
                        "ALTER TABLE party_partyorg RENAME CONSTRAINT members_partyorg_not_its_own_parent TO party_partyorg_not_its_own_parent",
                        "ALTER TABLE party_partymember RENAME CONSTRAINT members_partymember_membership_org_named TO party_partymember_membership_org_named",
                        "ALTER TABLE party_partymember RENAME CONSTRAINT members_partymember_report_names_the_community TO party_partymember_report_names_the_community",
                        "ALTER TABLE party_partymember RENAME CONSTRAINT members_partymember_end_has_reason TO party_partymember_end_has_reason",
                        "ALTER TABLE party_managementassignment RENAME CONSTRAINT members_assignment_ends_after_it_starts TO party_assignment_ends_after_it_starts",
                        "ALTER TABLE party_managementassignment RENAME CONSTRAINT members_assignment_collaborative_has_agreement TO party_assignment_collaborative_has_agreement",
                        "ALTER TABLE party_managementassignment RENAME CONSTRAINT members_assignment_agreement_only_collaborative TO party_assignment_agreement_only_collaborative",
                        "ALTER INDEX members_assignment_one_active_per_kind RENAME TO party_assignment_one_active_per_kind",
                        "ALTER INDEX members_assignment_active_idx RENAME TO party_assignment_active_idx",
                        "UPDATE django_content_type SET app_label = 'party' WHERE app_label = 'members' AND model = 'partyorg'",
                        "UPDATE django_content_type SET app_label = 'party' WHERE app_label = 'members' AND model = 'partymember'",
                        "UPDATE django_content_type SET app_label = 'party' WHERE app_label = 'members' AND model = 'contactstatuschange'",
                        "UPDATE django_content_type SET app_label = 'party' WHERE app_label = 'members' AND model = 'managementassignment'",
                        "UPDATE django_content_type SET app_label = 'party' WHERE app_label = 'members' AND model = 'collaborationfeedback'",
                    ],
                    [
                        "ALTER INDEX party_assignment_active_idx RENAME TO members_assignment_active_idx",
                        "ALTER INDEX party_assignment_one_active_per_kind RENAME TO members_assignment_one_active_per_kind",
                        "ALTER TABLE party_managementassignment RENAME CONSTRAINT party_assignment_agreement_only_collaborative TO members_assignment_agreement_only_collaborative",
                        "ALTER TABLE party_managementassignment RENAME CONSTRAINT party_assignment_collaborative_has_agreement TO members_assignment_collaborative_has_agreement",
                        "ALTER TABLE party_managementassignment RENAME CONSTRAINT party_assignment_ends_after_it_starts TO members_assignment_ends_after_it_starts",
                        "ALTER TABLE party_partymember RENAME CONSTRAINT party_partymember_end_has_reason TO members_partymember_end_has_reason",
                        "ALTER TABLE party_partymember RENAME CONSTRAINT party_partymember_report_names_the_community TO members_partymember_report_names_the_community",
                        "ALTER TABLE party_partymember RENAME CONSTRAINT party_partymember_membership_org_named TO members_partymember_membership_org_named",
                        "ALTER TABLE party_partyorg RENAME CONSTRAINT party_partyorg_not_its_own_parent TO members_partyorg_not_its_own_parent",
                        "ALTER TABLE party_partyorg RENAME CONSTRAINT party_partyorg_unique_name_in_area TO members_partyorg_unique_name_in_area",
                        "ALTER SEQUENCE IF EXISTS party_partyorg_id_seq RENAME TO members_partyorg_id_seq",
                        "ALTER TABLE party_partyorg RENAME TO members_partyorg",
                        "ALTER SEQUENCE IF EXISTS party_partymember_id_seq RENAME TO members_partymember_id_seq",
                        "ALTER TABLE party_partymember RENAME TO members_partymember",
                        "ALTER SEQUENCE IF EXISTS party_contactstatuschange_id_seq RENAME TO members_contactstatuschange_id_seq",
                        "ALTER TABLE party_contactstatuschange RENAME TO members_contactstatuschange",
                        "ALTER SEQUENCE IF EXISTS party_managementassignment_id_seq RENAME TO members_managementassignment_id_seq",
                        "ALTER TABLE party_managementassignment RENAME TO members_managementassignment",
                        "ALTER SEQUENCE IF EXISTS party_collaborationfeedback_id_seq RENAME TO members_collaborationfeedback_id_seq",
                        "ALTER TABLE party_collaborationfeedback RENAME TO members_collaborationfeedback",
                        "UPDATE django_content_type SET app_label = 'members' WHERE app_label = 'party' AND model = 'partyorg'",
                        "UPDATE django_content_type SET app_label = 'members' WHERE app_label = 'party' AND model = 'partymember'",
                        "UPDATE django_content_type SET app_label = 'members' WHERE app_label = 'party' AND model = 'contactstatuschange'",
                        "UPDATE django_content_type SET app_label = 'members' WHERE app_label = 'party' AND model = 'managementassignment'",
                        "UPDATE django_content_type SET app_label = 'members' WHERE app_label = 'party' AND model = 'collaborationfeedback'",
                    ],
                )
            ],
        ),
        migrations.AddField(
            model_name="partyorg",
            name="enterprises",
            field=models.ManyToManyField(blank=True, help_text='The enterprise of its own branch, or those the organisation covers.', related_name='party_orgs', to='members.enterprise', verbose_name='enterprises covered'),
        ),
        migrations.RunPython(copy_enterprise_orgs, copy_back),
    ]
