"""A worker known from checking in, not registered (issue 14 §2): checking in no longer
files a registration (报到). Registrations are counted by when they were made
(registered_at): every record so far registered when it was created."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0005_object_grants"),
        ("members", "0007_privacy_rights"),
    ]

    operations = [
        migrations.AddField(
            model_name="worker",
            name="registered_at",
            field=models.DateTimeField(
                blank=True,
                default=django.utils.timezone.now,
                null=True,
                verbose_name="registered at",
            ),
        ),
        migrations.RunSQL(
            "UPDATE members_worker SET registered_at = created_at",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="worker",
            name="occupation",
            field=models.CharField(
                blank=True,
                choices=[
                    ("courier", "Courier (快递员)"),
                    ("food_delivery", "Food delivery rider (外卖骑手)"),
                    ("ride_hail", "Ride-hail driver (网约车司机)"),
                    ("truck", "Truck driver (货车司机)"),
                    ("designated_driver", "Designated driver (代驾)"),
                    ("live_streamer", "Live streamer (网络主播)"),
                    ("parking_warden", "Parking warden (停车巡管员)"),
                    ("other", "Other"),
                ],
                max_length=20,
                verbose_name="occupation",
            ),
        ),
        migrations.AlterField(
            model_name="worker",
            name="status",
            field=models.CharField(
                choices=[
                    ("checked_in", "Checked in, not registered (未报到)"),
                    ("pending", "Waiting for review"),
                    ("approved", "Registered"),
                    ("rejected", "Returned"),
                    ("merged", "Merged into another record"),
                ],
                default="pending",
                max_length=10,
                verbose_name="registration status",
            ),
        ),
        migrations.AlterField(
            model_name="workerstatuschange",
            name="from_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("checked_in", "Checked in, not registered (未报到)"),
                    ("pending", "Waiting for review"),
                    ("approved", "Registered"),
                    ("rejected", "Returned"),
                    ("merged", "Merged into another record"),
                ],
                max_length=10,
                verbose_name="from",
            ),
        ),
        migrations.AlterField(
            model_name="workerstatuschange",
            name="to_status",
            field=models.CharField(
                choices=[
                    ("checked_in", "Checked in, not registered (未报到)"),
                    ("pending", "Waiting for review"),
                    ("approved", "Registered"),
                    ("rejected", "Returned"),
                    ("merged", "Merged into another record"),
                ],
                max_length=10,
                verbose_name="to",
            ),
        ),
        migrations.AddConstraint(
            model_name="worker",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("registered_at__isnull", True), ("status", "checked_in")),
                    models.Q(
                        ("registered_at__isnull", False),
                        ("status__in", ["pending", "approved", "rejected"]),
                    ),
                    ("status", "merged"),
                    _connector="OR",
                ),
                name="members_worker_registered_at_says_when_it_registered",
                violation_error_message="A registration says when it was made; a record that only checked in has not registered.",
            ),
        ),
    ]
