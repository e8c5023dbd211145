"""A keeper's stations become objects named in the grant (areas.object_grants), so areas no
longer points up at stations: each row of the old many-to-many table is copied first."""

import django.db.models.deletion
from django.db import migrations, models


def copy_kept_stations(apps, schema_editor):
    StaffGrant = apps.get_model("areas", "StaffGrant")
    GrantedObject = apps.get_model("areas", "GrantedObject")
    kept = StaffGrant.stations.through.objects.values_list("staffgrant_id", "station_id")
    GrantedObject.objects.bulk_create(
        [GrantedObject(grant_id=g, kind="stations.station", object_id=s) for g, s in kept]
    )


def copy_back(apps, schema_editor):
    StaffGrant = apps.get_model("areas", "StaffGrant")
    GrantedObject = apps.get_model("areas", "GrantedObject")
    Through = StaffGrant.stations.through
    Through.objects.bulk_create(
        [
            Through(staffgrant_id=g, station_id=s)
            for g, s in GrantedObject.objects.filter(kind="stations.station").values_list(
                "grant_id", "object_id"
            )
        ]
    )


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0004_accesslog_moved_from_core'),
    ]

    operations = [
        migrations.CreateModel(
            name='GrantedObject',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=60, verbose_name='kind')),
                ('object_id', models.BigIntegerField(verbose_name='object id')),
                ('grant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='granted_objects', to='areas.staffgrant', verbose_name='grant')),
            ],
            options={
                'verbose_name': 'object in a grant',
                'verbose_name_plural': 'objects in grants',
                'indexes': [models.Index(fields=['kind', 'object_id'], name='grantedobject_kind_object_idx')],
                'constraints': [models.UniqueConstraint(fields=('grant', 'kind', 'object_id'), name='areas_grantedobject_once_per_grant', violation_error_message='This grant already covers this object.')],
            },
        ),
        migrations.RunPython(copy_kept_stations, copy_back),
        migrations.RemoveField(
            model_name='staffgrant',
            name='stations',
        ),
    ]
